"""URL slugs from titles: Russian transliterated, cut on a word boundary, never empty."""

import re

import pytest

from community.slugs import FALLBACK_SLUG, MAX_SLUG_LENGTH, slugify_title, transliterate

SLUG_PATTERN = re.compile(r"[a-z0-9_-]+")


def test_russian_question_becomes_a_readable_latin_slug():
    assert slugify_title("Как активировать карту?") == "kak-aktivirovat-kartu"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ёлка", "elka"),
        ("Щётка", "shchetka"),
        ("Хлеб", "khleb"),
        ("Цена", "tsena"),
        ("Юла", "yula"),
        ("Яблоко", "yabloko"),
        ("Жёлтая чековая шапка", "zheltaya-chekovaya-shapka"),
        ("Мой счёт", "moy-schet"),
        ("Выписка", "vypiska"),
        ("Эквайринг", "ekvayring"),
    ],
)
def test_each_russian_letter_has_its_latin_spelling(title, slug):
    assert slugify_title(title) == slug


def test_hard_and_soft_signs_disappear():
    assert slugify_title("Подъезд и мельница") == "podezd-i-melnitsa"


def test_capital_letters_are_transliterated_like_small_ones():
    assert slugify_title("ЁЩХЦЮЯ") == slugify_title("ёщхцюя") == "eshchkhtsyuya"


def test_transliteration_covers_the_whole_russian_alphabet():
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    assert re.fullmatch(r"[a-z]*", transliterate(alphabet + alphabet.upper()))


def test_digits_survive_and_symbols_become_separators():
    assert slugify_title("Кэшбэк 5% за май — где он?") == "keshbek-5-za-may-gde-on"


def test_mixed_russian_and_english_title():
    assert slugify_title("Не работает Apple Pay на iPhone 15") == (
        "ne-rabotaet-apple-pay-na-iphone-15"
    )


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("How to activate my card?", "how-to-activate-my-card"),
        ("Apple Pay", "apple-pay"),
        ("SBP transfers: limits", "sbp-transfers-limits"),
        ("Café crème", "cafe-creme"),
        ("already-a-slug", "already-a-slug"),
    ],
)
def test_english_titles_are_only_lowercased_and_hyphenated(title, slug):
    assert slugify_title(title) == slug


def test_slug_of_a_slug_is_the_same_slug():
    slug = slugify_title("Почему не приходит SMS с кодом?")
    assert slugify_title(slug) == slug


def test_long_title_is_cut_on_a_word_boundary_within_the_limit():
    title = "Почему банк заблокировал перевод между своими счетами в выходные дни " * 3
    full = "-".join(re.findall(r"[a-z0-9]+", transliterate(title)))
    slug = slugify_title(title)
    assert len(full) > MAX_SLUG_LENGTH
    assert len(slug) <= MAX_SLUG_LENGTH
    # Whole words only: the slug is the full slug's beginning, and a separator follows it there.
    assert full.startswith(slug + "-")
    assert not slug.endswith("-")


def test_long_title_keeps_as_many_whole_words_as_fit():
    slug = slugify_title("слово " * 30)
    assert slug == "-".join(["slovo"] * 13)
    assert len(slug) == 77


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        # The 81st character is a separator: both words fit exactly in 80 characters.
        (f"{'a' * 39} {'b' * 40} {'c' * 10}", f"{'a' * 39}-{'b' * 40}"),
        # The 80th character is a separator: twenty whole words fit in 79 characters.
        ("раз " * 40, "-".join(["raz"] * 20)),
    ],
    ids=["separator-after-the-cut", "separator-at-the-cut"],
)
def test_words_ending_exactly_at_the_limit_are_kept(title, slug):
    assert slugify_title(title) == slug


def test_single_word_longer_than_the_limit_is_cut_at_the_limit():
    assert slugify_title("а" * 200) == "a" * MAX_SLUG_LENGTH


@pytest.mark.parametrize(
    "title",
    ["🎉🎉🎉", "💳", "?!…", "—", "«»", "", "   ", "---", "ъъъ", "🇷🇺 !!!"],
)
def test_title_without_letters_or_digits_gets_the_fallback_slug(title):
    assert slugify_title(title) == FALLBACK_SLUG == "topic"


@pytest.mark.parametrize(
    "title",
    [
        "Как активировать карту?",
        "Кредит " * 50,
        "Перевод по номеру телефона 🙂",
        "  ведущие и хвостовые пробелы  ",
        "Под_чёркивание",
        "Tab\tи\nперевод строки",
    ],
)
def test_slug_is_always_a_valid_url_slug(title):
    slug = slugify_title(title)
    assert SLUG_PATTERN.fullmatch(slug)
    assert 0 < len(slug) <= MAX_SLUG_LENGTH
    assert not slug.startswith("-")
    assert not slug.endswith("-")
