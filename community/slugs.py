"""URL slugs from Russian titles: "Как активировать карту?" → "kak-aktivirovat-kartu"."""

from django.utils.text import slugify

# Transliteration as used by Yandex and most Russian sites (close to GOST 7.79-2000 system B),
# so that search engines and customers read the URL as the title.
_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
_TABLE = str.maketrans(_CYRILLIC_TO_LATIN)

MAX_SLUG_LENGTH = 80
FALLBACK_SLUG = "topic"


def transliterate(text: str) -> str:
    return text.lower().translate(_TABLE)


def slugify_title(title: str) -> str:
    slug = slugify(transliterate(title))
    if len(slug) > MAX_SLUG_LENGTH:
        # Cut on a word boundary so the URL does not end in half a word.
        cut = slug[: MAX_SLUG_LENGTH + 1]
        slug = cut[:-1] if cut.endswith("-") else cut.rsplit("-", 1)[0][:MAX_SLUG_LENGTH]
    return slug.strip("-") or FALLBACK_SLUG
