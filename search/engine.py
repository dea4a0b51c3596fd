"""Search over answered topics and knowledge-base articles: the one interface the search page,
the ask-box suggestions and the similar API use.

How a query runs (docs/search.md has the reasoning and the numbers):

1. The text is analyzed like the indexed text (search/analysis.py): words → stems; stop words
   are kept but marked.
2. Each query term becomes a *concept*: the term itself; its vocabulary correction if the term
   is unknown (a typo); Russian stems that extend one another ("кред" / "кредитн" /
   "кредитк": related words); and the other phrases of any admin-managed synonym group it
   belongs to ("сбп" = "систем быстр платеж"). A stop word is a concept of small weight.
3. The database's full-text index (FTS5 or tsvector, search/backends.py) returns the top
   candidates containing any content concept.
4. Python ranks the candidates with BM25F (title and body fields) plus a bonus for query words
   side by side, and multiplies in what makes an answer trustworthy: a published article, an
   official or accepted answer, popularity. Because this last step is the same code on both
   databases, the order is the same too.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.models import Topic
from knowledge_base.models import Article
from search import backends
from search.analysis import (
    MAX_TERM_LENGTH,
    STOP_WORDS,
    analyze_query,
    analyze_text,
    edit_distance,
    stem,
    words,
)
from search.models import IndexedType, SearchIndexStats, SearchTerm, SynonymGroup

# Ranking constants, tuned on Banking77 splits other than the published one (docs/search.md).
# BM25: k1 (term-frequency saturation), b (length normalization); a title term counts 2.5 times
# a body term (title weight 1, so a title-only topic is scored exactly like plain BM25).
K1 = 1.5
B = 0.75
TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.4
# Consecutive query words found side by side in the text (see _pair_bonus).
PAIR_WEIGHT = 0.4
PAIR_WINDOW = 1
# How much a derived alternative counts compared with the word as typed.
CORRECTION_WEIGHT = 0.8
STOP_WORD_WEIGHT = 0.3
VARIANT_WEIGHT = 0.7
SYNONYM_WEIGHT = 1.0
# Multipliers of the relevance score.
ARTICLE_BOOST = 1.25
OFFICIAL_BOOST = 1.15
ACCEPTED_BOOST = 1.10
POPULARITY_BOOST = 0.04  # per natural-log unit of popularity…
MAX_POPULARITY_BOOST = 0.20  # …up to +20 %.

MAX_QUERY_LENGTH = 300
MAX_QUERY_TERMS = 24
SIMILAR_CANDIDATES = 100
SEARCH_CANDIDATES = 400
MAX_SIMILAR = 10
SNIPPET_WORDS = 28
SNIPPET_MAX_CHARS = 320
# How candidates are chosen: see _clauses().
CANDIDATE_POSTINGS = 5_000
COMMON_PAIR_POSTINGS = 20_000
# The database ranks candidates only when they are few (each match costs it a read of the
# document's row: 12,000 matches took 250–490 ms at 1M topics on PostgreSQL) or when the whole
# index is small enough to rank; otherwise the newest matches are read straight off the index.
UNRANKED_POSTINGS = 2_000
RANK_WHOLE_INDEX = 20_000
MAX_CHOOSING_CONCEPTS = 8
SYNONYMS_CACHE_KEY = "search:synonyms:v1"


@dataclass(frozen=True)
class Hit:
    type: str  # "topic" | "article"
    id: int
    title: str
    url: str  # absolute path of the topic or article page
    snippet: str  # safe HTML: escaped text with <mark>…</mark> around matched words
    score: float


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit]
    page: int
    per_page: int
    has_next: bool
    # How many documents matched, counting at most SEARCH_CANDIDATES (0: a zero-result search).
    matched: int = 0
    # (word as typed, what it was corrected to) for "Showing results for …".
    corrections: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1


@dataclass(frozen=True)
class Concept:
    """One meaning the query asks for, and the term sequences that express it, each with the
    share of a full match it is worth."""

    alternatives: tuple[tuple[tuple[str, ...], float], ...]
    doc_count: int
    # Stop words rank (with STOP_WORD_WEIGHT) but never choose candidates or get highlighted.
    selects: bool = True


@dataclass
class _Stats:
    documents: int
    average_length: float


# ---------------------------------------------------------------------------------------------
# Public interface


def similar(text: str, *, limit: int = 5) -> list[Hit]:
    """Answered topics and published articles most like `text`: the ask-box suggestions and the
    similar API. Never hidden topics or unpublished articles (they are not in the index)."""
    limit = max(1, min(limit, MAX_SIMILAR))
    query = _Query.parse(text)
    ranked = query.rank(filters={"is_answered": True}, candidates=SIMILAR_CANDIDATES)
    return [query.hit(doc, score) for doc, score in ranked[:limit]]


def search(
    text: str,
    *,
    kind: str | None = None,
    status: str | None = None,
    category=None,
    articles_only: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """The search page: every visible topic and published article, filtered, best first.
    `category` is a community Category or its id. Filtering by kind, status or category leaves
    only topics. Pages go as deep as the SEARCH_CANDIDATES best matches."""
    page = max(1, page)
    filters: dict[str, object] = {}
    if articles_only:
        filters["object_type"] = IndexedType.ARTICLE
    if kind:
        filters["kind"] = kind
    if status:
        filters["status"] = status
    if category is not None and category != "":
        filters["category_id"] = getattr(category, "pk", category)
    if {"kind", "status", "category_id"} & filters.keys():
        if articles_only:  # articles have no kind, status or category to match
            return SearchResults(hits=[], page=page, per_page=per_page, has_next=False)
        filters["object_type"] = IndexedType.TOPIC
    query = _Query.parse(text)
    ranked = query.rank(filters=filters, candidates=SEARCH_CANDIDATES)
    start = (page - 1) * per_page
    hits = [query.hit(doc, score) for doc, score in ranked[start : start + per_page]]
    return SearchResults(
        hits=hits,
        page=page,
        per_page=per_page,
        has_next=len(ranked) > start + per_page,
        matched=len(ranked),
        corrections=query.corrections,
    )


def forget_synonyms() -> None:
    cache.delete(SYNONYMS_CACHE_KEY)


# ---------------------------------------------------------------------------------------------
# Query parsing


def _synonym_phrases() -> list[list[tuple[str, ...]]]:
    """Active synonym groups as analyzed phrases, cached until an admin edits a group."""
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        groups = []
        for group in SynonymGroup.objects.filter(is_active=True):
            phrases = []
            for phrase in group.phrase_list():
                terms = tuple(analyze_text(phrase))
                if terms and terms not in phrases:
                    phrases.append(terms)
            if len(phrases) > 1:
                groups.append(phrases)
        cache.set(SYNONYMS_CACHE_KEY, groups, None)
    return groups


def _doc_counts(terms: Iterable[str]) -> dict[str, int]:
    terms = sorted(set(terms))
    if not terms:
        return {}
    return {
        term: max(0, count)
        for term, count in SearchTerm.objects.filter(term__in=terms, doc_count__gt=0).values_list(
            "term", "doc_count"
        )
    }


def _allowed_edits(term: str) -> int:
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def _correction(term: str) -> str | None:
    """The vocabulary term the (unknown) query term is most likely a misspelling of."""
    allowed = _allowed_edits(term)
    if not allowed:
        return None
    best = None
    for candidate, doc_count in backends.similar_terms(term):
        distance = edit_distance(term, candidate, limit=allowed)
        if distance <= allowed:
            key = (distance, -doc_count, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def _is_cyrillic(term: str) -> bool:
    return "а" <= term[0] <= "я"


def _prefixes(term: str) -> list[str]:
    """Shorter Russian stems the term may share a word with: "кредит" → "кред", "креди"."""
    if not _is_cyrillic(term) or len(term) < 5:
        return []
    return [term[:n] for n in range(max(4, len(term) - 3), len(term))]


def _extensions(term: str) -> list[tuple[str, int]]:
    """Longer Russian stems starting with the term: "кред" → "кредит", "кредитн"."""
    if not _is_cyrillic(term) or len(term) < 4:
        return []
    upper = term + "\U0010ffff"
    rows = SearchTerm.objects.filter(term__gt=term, term__lt=upper, doc_count__gt=0)
    return [
        (other, count)
        for other, count in rows.values_list("term", "doc_count").order_by("-doc_count", "term")[
            :20
        ]
        if other.startswith(term) and len(other) - len(term) <= 3
    ]


class _Query:
    def __init__(self, concepts: list[Concept], corrections: list[tuple[str, str]], stats):
        self.concepts = concepts
        self.corrections = corrections
        self.stats = stats
        self.match_terms = {
            term
            for concept in concepts
            if concept.selects
            for phrase, _w in concept.alternatives
            for term in phrase
        }

    @classmethod
    def parse(cls, text: str) -> "_Query":
        text = (text or "")[:MAX_QUERY_LENGTH]
        marked = [(t, s) for t, s in analyze_query(text) if len(t) <= MAX_TERM_LENGTH]
        marked = marked[:MAX_QUERY_TERMS]
        terms = [term for term, _stop in marked]
        # A query of stop words only ("как быть?") searches with them: better some answer.
        is_stop = [stop for _term, stop in marked]
        if all(is_stop):
            is_stop = [False] * len(terms)
        stop_terms = {term for term, stop in zip(terms, is_stop, strict=True) if stop}
        stats = _stats()
        if not terms or not stats.documents:
            return cls([], [], stats)
        prefixes = {term: [] if term in stop_terms else _prefixes(term) for term in terms}
        counts = _doc_counts([*terms, *(p for ps in prefixes.values() for p in ps)])

        # Typos: an unknown word becomes the nearest vocabulary term.
        corrections: list[tuple[str, str]] = []
        corrected: dict[str, str] = {}
        surface = {stem(word): word for _s, _e, word in words(text)}
        for term in dict.fromkeys(terms):
            if term in stop_terms:
                continue
            if term not in counts and not any(p in counts for p in prefixes[term]):
                fixed = _correction(term)
                if fixed:
                    corrected[term] = fixed
                    corrections.append((surface.get(term, term), fixed))
        if corrected:
            counts.update(_doc_counts(corrected.values()))

        # Synonym groups, longest phrase first, over the corrected term sequence.
        sequence = [corrected.get(term, term) for term in terms]
        phrase_groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for group in _synonym_phrases():
            for phrase in group:
                phrase_groups.setdefault(phrase, [])
                phrase_groups[phrase] += [other for other in group if other != phrase]
        longest = max((len(p) for p in phrase_groups), default=0)
        synonym_terms = {t for group in phrase_groups.values() for p in group for t in p}
        counts.update(_doc_counts(synonym_terms - counts.keys()))

        concepts: list[Concept] = []
        seen: set[tuple] = set()
        position = 0
        while position < len(sequence):
            matched = None
            for size in range(min(longest, len(sequence) - position), 0, -1):
                phrase = tuple(sequence[position : position + size])
                if phrase in phrase_groups:
                    matched = phrase
                    break
            if matched:
                weight = CORRECTION_WEIGHT if set(matched) & set(corrected.values()) else 1.0
                alternatives = [(matched, weight)] + [
                    (other, SYNONYM_WEIGHT * weight) for other in phrase_groups[matched]
                ]
                selects = True
                position += len(matched)
            elif is_stop[position]:
                alternatives = [((sequence[position],), STOP_WORD_WEIGHT)]
                selects = False
                position += 1
            else:
                original = terms[position]
                term = sequence[position]
                weight = CORRECTION_WEIGHT if original in corrected else 1.0
                alternatives = [((term,), weight)]
                variants = [(p, counts[p]) for p in _prefixes(term) if p in counts]
                variants += _extensions(term)
                alternatives += [((v,), weight * VARIANT_WEIGHT) for v, _c in variants]
                selects = True
                position += 1
            key = tuple(sorted(phrase for phrase, _w in alternatives))
            if key in seen:
                continue
            seen.add(key)
            doc_count = sum(
                min((counts.get(t, 0) for t in phrase), default=0) for phrase, _w in alternatives
            )
            concepts.append(
                Concept(tuple(alternatives), min(doc_count, stats.documents), selects=selects)
            )
        return cls(concepts, corrections, stats)

    def _idf(self, concept: Concept) -> float:
        n, df = self.stats.documents, concept.doc_count
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def rank(self, *, filters: dict[str, object], candidates: int):
        """[(candidate, score)], best first."""
        concepts = [c for c in self.concepts if c.doc_count > 0]
        if not concepts:
            return []
        docs = _candidates(
            concepts, filters=filters, limit=candidates, documents=self.stats.documents
        )
        popularity = _popularity(docs)
        return self._score(docs, concepts, popularity)

    def _score(self, docs, concepts: list[Concept], popularity):
        idfs = [self._idf(concept) for concept in concepts]
        ranked = []
        for doc in docs:
            relevance = self._bm25(doc, concepts, idfs)
            if relevance <= 0:
                continue
            score = relevance * _boost(doc, popularity.get((doc.object_type, doc.object_id), 0))
            ranked.append((doc, round(score, 4)))
        # Ties: the older document first, then by id, so the order never depends on the
        # database's own ranking.
        ranked.sort(key=lambda pair: (-pair[1], pair[0].created_at, pair[0].id))
        return ranked

    def _bm25(self, doc, concepts: list[Concept], idfs: list[float]) -> float:
        title = doc.title_terms.split()
        body = doc.body_terms.split()
        length = TITLE_WEIGHT * doc.title_length + BODY_WEIGHT * doc.body_length
        norm = K1 * (1 - B + B * length / self.stats.average_length)
        total = 0.0
        for concept, idf in zip(concepts, idfs, strict=True):
            tf = 0.0
            for phrase, weight in concept.alternatives:
                tf += weight * (
                    TITLE_WEIGHT * _occurrences(title, phrase)
                    + BODY_WEIGHT * _occurrences(body, phrase)
                )
            if tf:
                total += idf * tf * (K1 + 1) / (tf + norm)
        if PAIR_WEIGHT and len(concepts) > 1:
            # Pairs of content words, side by side once stop words are skipped, as in the
            # query: "top up my card" pairs "top up" and "up card".
            content = [(c, idf) for c, idf in zip(concepts, idfs, strict=True) if c.selects]
            if len(content) > 1:
                stop_terms = _stop_terms()
                tokens = [t for t in title + ["\0"] + body if t not in stop_terms]
                total += PAIR_WEIGHT * _pair_bonus(
                    tokens, [c for c, _ in content], [idf for _, idf in content]
                )
        return total

    def hit(self, doc, score: float) -> Hit:
        return Hit(
            type=doc.object_type,
            id=doc.object_id,
            title=doc.title,
            url=object_url(doc.object_type, doc.object_id, doc.slug),
            snippet=highlight(doc.content or doc.title, self.match_terms),
            score=score,
        )


@lru_cache(maxsize=1)
def _stop_terms() -> frozenset[str]:
    """The indexed forms of stop words (computed on first use: stemming Russian loads the
    morphological dictionary)."""
    return frozenset(stem(word) for word in STOP_WORDS)


def _pair_bonus(tokens: list[str], concepts: list[Concept], idfs: list[float]) -> float:
    """Consecutive query concepts found near each other (within PAIR_WINDOW terms, either
    order): "exchange rate", "top up", "не пришла" mean more together than apart."""
    positions: list[list[int]] = []
    for concept in concepts:
        words_of = {phrase[0] for phrase, _w in concept.alternatives}
        positions.append([i for i, token in enumerate(tokens) if token in words_of])
    bonus = 0.0
    for i in range(len(concepts) - 1):
        first, second = positions[i], positions[i + 1]
        if not first or not second:
            continue
        near = sum(1 for a in first for b in second if 0 < abs(a - b) <= PAIR_WINDOW)
        if near:
            bonus += min(idfs[i], idfs[i + 1]) * near * (K1 + 1) / (near + K1)
    return bonus


def _clauses(concepts: list[Concept]) -> list[list[list[tuple[str, ...]]]]:
    """What chooses candidates: every pair of content concepts (a document with two of the
    query's words), and on its own each of the rarest ones while their document counts add up
    to at most CANDIDATE_POSTINGS. A word as common as «карта» then never makes the database
    rank a fifth of the index, yet a document with any rare word of the query is considered.
    Common words still count in the ranking of the candidates. Stop words never choose."""
    content = sorted((c for c in concepts if c.selects), key=lambda c: c.doc_count)
    content = (content or sorted(concepts, key=lambda c: c.doc_count))[:MAX_CHOOSING_CONCEPTS]
    phrases = [sorted(phrase for phrase, _w in c.alternatives) for c in content]
    if len(content) == 1:
        return [[phrases[0]]]
    clauses, postings = [], 0
    for concept, alternatives in zip(content, phrases, strict=True):
        if postings + concept.doc_count > CANDIDATE_POSTINGS:
            break
        clauses.append([alternatives])
        postings += concept.doc_count
    alone = len(clauses)
    clauses += [
        [phrases[i], phrases[j]]
        for i in range(alone, len(content))  # a pair with a concept chosen alone adds nothing
        for j in range(i + 1, len(content))
        # Two words both in many documents have a large intersection too: leave such pairs
        # to the ranking unless nothing else would choose.
        if content[i].doc_count <= COMMON_PAIR_POSTINGS or i == alone
    ]
    return clauses


def _candidates(concepts: list[Concept], *, filters, limit: int, documents: int):
    """The candidate documents of _clauses(), in at most two bounded queries. Clauses the
    database can rank cheaply (together at most UNRANKED_POSTINGS documents by their document
    counts, or any clause in an index of at most RANK_WHOLE_INDEX documents) are ranked by it;
    the others (common words and their pairs: «не пришла карта» matches a tenth of a large
    index) only fill the rest of `limit` with their newest matches. Ranking every match of
    those costs a read of each matching row (half a second and more at 1M topics on
    PostgreSQL, bench/README.md), and the final ranking is in Python anyway."""
    clauses = _clauses(concepts)
    counts = {tuple(sorted(phrase for phrase, _w in c.alternatives)): c.doc_count for c in concepts}
    ranked, unranked = [], []
    used: set[tuple] = set()
    pair_postings = 0
    for clause in clauses:
        keys = {tuple(alternatives) for alternatives in clause}
        # A clause matches at most its rarest concept's documents; clauses together match at
        # most the sum of those, at most the documents of the concepts they use, at most all.
        postings = pair_postings + min(counts.get(key, documents) for key in keys)
        estimate = min(documents, postings, sum(counts.get(key, documents) for key in used | keys))
        if unranked or (estimate > UNRANKED_POSTINGS and documents > RANK_WHOLE_INDEX):
            unranked.append(clause)
            continue
        ranked.append(clause)
        used |= keys
        pair_postings = postings
    docs = backends.candidates(ranked, filters=filters, limit=limit) if ranked else []
    if unranked and len(docs) < limit:
        seen = {doc.id for doc in docs}
        newest = backends.candidates(unranked, filters=filters, limit=limit, ranked=False)
        docs += [doc for doc in newest if doc.id not in seen][: limit - len(docs)]
    return docs


def _occurrences(tokens: list[str], phrase: tuple[str, ...]) -> int:
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    size = len(phrase)
    first = phrase[0]
    return sum(
        1
        for i, token in enumerate(tokens)
        if token == first and tuple(tokens[i : i + size]) == phrase
    )


def _stats() -> _Stats:
    row = SearchIndexStats.objects.filter(pk=1).first()
    if row is None or row.doc_count <= 0:
        return _Stats(0, 1.0)
    total = TITLE_WEIGHT * row.title_length_sum + BODY_WEIGHT * row.body_length_sum
    return _Stats(row.doc_count, max(1.0, total / row.doc_count))


def _popularity(docs) -> dict[tuple[str, int], float]:
    """Live popularity (votes and views move too often to be indexed): topic votes plus a
    hundredth of its views; article helpful votes plus a hundredth of its views."""
    result: dict[tuple[str, int], float] = {}
    topic_ids = [d.object_id for d in docs if d.object_type == IndexedType.TOPIC]
    article_ids = [d.object_id for d in docs if d.object_type == IndexedType.ARTICLE]
    if topic_ids:
        rows = Topic.objects.filter(pk__in=topic_ids).values_list("pk", "score", "view_count")
        for pk, score, views in rows:
            result[(IndexedType.TOPIC, pk)] = score + views / 100
    if article_ids:
        rows = Article.objects.filter(pk__in=article_ids).values_list(
            "pk", "helpful_yes", "view_count"
        )
        for pk, helpful, views in rows:
            result[(IndexedType.ARTICLE, pk)] = helpful + views / 100
    return result


def _boost(doc, popularity: float) -> float:
    boost = 1.0
    if doc.object_type == IndexedType.ARTICLE:
        boost *= ARTICLE_BOOST
    if doc.has_official_answer:
        boost *= OFFICIAL_BOOST
    if doc.has_accepted_answer:
        boost *= ACCEPTED_BOOST
    return boost * (1 + min(MAX_POPULARITY_BOOST, POPULARITY_BOOST * math.log1p(popularity)))


# ---------------------------------------------------------------------------------------------
# Presentation


def object_url(object_type: str, object_id: int, slug: str) -> str:
    """The page of an indexed object, built without a query."""
    if object_type == IndexedType.TOPIC:
        return reverse("community:topic-detail", kwargs={"pk": object_id, "slug": slug})
    article = Article(pk=object_id, slug=slug)
    if hasattr(article, "get_absolute_url"):
        return article.get_absolute_url()
    return f"/kb/a/{object_id}-{slug}/"


def highlight(text: str, terms: set[str]) -> SafeString:
    """A short passage of `text` around the densest cluster of matched words, HTML-escaped,
    with <mark> around each matched word. Nothing of `text` reaches the page unescaped."""
    spans = []
    last = None
    for start, end, word in words(text):
        if (start, end) == last:
            continue  # "didn't" is one span, whatever it was split into
        last = (start, end)
        term = stem(word)
        spans.append((start, end, term if term in terms else None))
    if not spans:
        return mark_safe(escape(text[:SNIPPET_MAX_CHARS]))  # noqa: S308 - escaped just here
    first = _densest_window(spans)
    window = spans[first : first + SNIPPET_WORDS]
    begin = 0 if first == 0 else window[0][0]
    parts = ["…"] if begin > 0 else []
    position = begin
    length = 0
    for start, end, term in window:
        gap = text[position:start]
        piece = text[start:end]
        if length + len(gap) + len(piece) > SNIPPET_MAX_CHARS:
            break
        parts.append(escape(gap))
        parts.append(f"<mark>{escape(piece)}</mark>" if term else escape(piece))
        length += len(gap) + len(piece)
        position = end
    rest = text[position:]
    if any(char.isalnum() for char in rest):
        parts.append("…")
    else:
        parts.append(escape(rest.rstrip()))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def _densest_window(spans: list[tuple[int, int, str | None]]) -> int:
    """Index of the first word of the SNIPPET_WORDS-word window with the most distinct matched
    terms (the earliest such window)."""
    counts: Counter[str] = Counter()
    best, best_index = -1, 0
    for i, (_s, _e, term) in enumerate(spans):
        if term:
            counts[term] += 1
        if i >= SNIPPET_WORDS:
            old = spans[i - SNIPPET_WORDS][2]
            if old:
                counts[old] -= 1
                if not counts[old]:
                    del counts[old]
        start = max(0, i - SNIPPET_WORDS + 1)
        if len(counts) > best:
            best, best_index = len(counts), start
    # Start a few words before the first match so the passage reads as a sentence.
    first_match = next(
        (i for i in range(best_index, len(spans)) if spans[i][2]),
        best_index,
    )
    return max(best_index, first_match - 3) if first_match - best_index > 3 else best_index
