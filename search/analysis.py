"""Text analysis shared by indexing and querying: words → normalized search terms.

The same Python analyzer runs for both databases, and its output is what SQLite FTS5 and the
PostgreSQL tsvector index (with the 'simple' configuration, which only lowercases and splits), so
a word matches the same documents on both. docs/search.md says why Snowball stems were chosen over
pymorphy3 lemmas.
"""

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

# Words, with English apostrophes kept inside so that "didn't" can be read as "did not".
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CYRILLIC = re.compile(r"^[а-я]+$")
_LATIN = re.compile(r"^[a-z]+$")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Stop words are indexed (as ordinary terms) so that ranking can give them a small weight.
INDEX_STOP_WORDS = True

# Longer "words" are pasted hashes, links or garbage: indexing them only bloats the vocabulary.
MAX_TERM_LENGTH = 40

_russian = snowballstemmer.stemmer("russian")
_english = snowballstemmer.stemmer("english")

# Function words that say nothing about what a text is about. Negations ("не", "нет", "not",
# "no") are deliberately absent: "карта не пришла" and "card not working" depend on them.
STOP_WORDS = _word_set(
    """
    a an the and or but if then else of at by for with about against between into through
    during before after above below to from in on off over under again further once here
    there all any both each few more most other some such only own same so than too very s t
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing would should could ought will shall may might must can also just и в во
    что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
    вот от меня еще о из ему теперь когда даже ну вдруг ли если уже или быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
    тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того
    потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда
    зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти
    нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда
    лучше чуть том нельзя такой им более всегда конечно всю между это мои мою мое моего моей
    моих ваш ваша ваше ваши вашу вашей
    """
)

# English contractions, with and without the apostrophe (customers type both).
_CONTRACTIONS = {
    "can't": ("can", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "wont": ("will", "not"),
    "i'm": ("i", "am"),
    "im": ("i", "am"),
}
_NOT_SUFFIXES = ("n't", "n’t")
_APOSTROPHE_FREE_NEGATIONS = {
    f"{base}nt": base
    for base in _word_set("do does did is are was were has have had could would should must need")
}


_morph = None


def _russian_lemma(word: str) -> str | None:
    """The dictionary form of a Russian word pymorphy3 knows, else None."""
    global _morph
    if _morph is None:
        # Loaded on first use (about 0.1 s and 25 MB), not at import: commands that never
        # search do not pay for it.
        import pymorphy3

        logging.getLogger("pymorphy3").setLevel(logging.WARNING)
        _morph = pymorphy3.MorphAnalyzer()
    parse = _morph.parse(word)[0]
    return parse.normal_form if parse.is_known else None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The search term of one lowercased word, or "" if it is not worth indexing.

    Russian: the Snowball stem of the word's dictionary form (pymorphy3), so every form of a
    word meets in one term ("систему" and "система" both give "систем", where Snowball alone
    gives "сист" and "систем"); a word the dictionary does not know (a typo, slang, a brand) is
    stemmed as typed, which keeps a typo one letter away from the right term for correction.
    English and other Latin words: the Snowball (Porter 2) stem."""
    if len(word) > MAX_TERM_LENGTH:
        return ""
    word = word.replace("ё", "е")
    if _CYRILLIC.match(word):
        lemma = _russian_lemma(word)
        return _russian.stemWord((lemma or word).replace("ё", "е"))
    if _LATIN.match(word):
        return _english.stemWord(word)
    # Numbers and mixed words ("3ds", "visa2") are kept as typed.
    return word


def _split_word(raw: str) -> tuple[str, ...]:
    """One token of the text as the words it stands for: "didn't" → ("did", "not")."""
    if raw in _CONTRACTIONS:
        return _CONTRACTIONS[raw]
    for suffix in _NOT_SUFFIXES:
        if raw.endswith(suffix):
            return (raw[: -len(suffix)], "not")
    if raw in _APOSTROPHE_FREE_NEGATIONS:
        return (_APOSTROPHE_FREE_NEGATIONS[raw], "not")
    if "'" in raw or "’" in raw:
        # "card's" → "card"; "o'clock" stays one word without its apostrophe.
        head, _, tail = raw.replace("’", "'").partition("'")
        if tail in {"s", "ll", "ve", "re", "d", "m"}:
            return (head,)
        return (raw.replace("'", "").replace("’", ""),)
    return (raw,)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lowercased word) for every word of the text, contractions split."""
    for match in _WORD.finditer(text):
        for word in _split_word(match.group().lower()):
            if word:
                yield match.start(), match.end(), word


def analyze(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """The text's search terms in order: lowercased, stemmed, stop words dropped."""
    terms = []
    for _start, _end, word in words(text):
        if not keep_stop_words and word in STOP_WORDS:
            continue
        term = stem(word)
        if term:
            terms.append(term)
    return terms


def analyze_query(text: str) -> list[tuple[str, bool]]:
    """The query's terms in order, each with whether its word is a stop word. The index keeps
    stop words (INDEX_STOP_WORDS) and so does the query: they rank with a small weight
    ("how long is the transfer" is not "transfer"), but never choose candidates."""
    marked = []
    for _start, _end, word in words(text):
        term = stem(word)
        if term:
            marked.append((term, word in STOP_WORDS))
    return marked


def analyze_text(text: str) -> list[str]:
    """The terms the index stores for a text."""
    return analyze(text, keep_stop_words=INDEX_STOP_WORDS)


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance, or limit + 1 once it is
    certain to exceed `limit`. Typos are mostly one swapped, missed or extra letter."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def trigrams(term: str) -> list[str]:
    """The term's letter trigrams (no padding), for the SQLite vocabulary look-up."""
    return sorted({term[i : i + 3] for i in range(len(term) - 2)})
