import pytest

from search.analysis import analyze, analyze_query, analyze_text, edit_distance, trigrams


@pytest.mark.parametrize(
    "forms",
    [
        "карта карту картой карты карт картам",
        "система системы систему системой",
        "кредит кредита кредиты кредитом",
        "платёж платежи платежа платежей",
        "банкомат банкомата банкоматом банкоматы",
        "пришла пришёл прийти",
    ],
)
def test_every_russian_form_of_a_word_gives_one_term(forms):
    assert len(set(analyze(forms))) == 1


@pytest.mark.parametrize(
    "forms", ["card cards", "arrive arrived arriving", "transfer transfers transferred"]
)
def test_english_words_are_stemmed(forms):
    assert len(set(analyze(forms))) == 1


def test_stop_words_are_dropped_but_negations_kept():
    assert analyze("Почему не пришла моя карта?") == ["поч", "не", "прийт", "карт"]
    assert analyze("My card is not working") == ["card", "not", "work"]


def test_english_contractions_become_not():
    assert analyze("I didn't get it, can't pay, dont know") == [
        "not",
        "get",
        "not",
        "pay",
        "not",
        "know",
    ]


def test_yo_and_e_are_the_same_letter():
    assert analyze("платёж") == analyze("платеж")


def test_unknown_russian_word_is_stemmed_as_typed_so_a_typo_stays_close():
    (typo,) = analyze("кридитная")
    (right,) = analyze("кредитная")
    assert edit_distance(typo, right, limit=2) == 1


def test_query_terms_say_which_are_stop_words():
    assert analyze("как быть") == []
    assert analyze_query("как быть") == [("как", True), ("быт", True)]
    assert analyze_query("how long is the transfer") == [
        ("how", False),
        ("long", False),
        ("is", True),
        ("the", True),
        ("transfer", False),
    ]


def test_the_index_keeps_stop_words_for_ranking():
    assert analyze_text("How long is the transfer") == ["how", "long", "is", "the", "transfer"]


def test_overlong_words_and_punctuation_are_not_terms():
    assert analyze("x" * 41 + " <script>alert(1)</script> 3ds") == [
        "script",
        "alert",
        "1",
        "script",
        "3ds",
    ]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("кредит", "кредит", 0), ("кридит", "кредит", 1), ("crad", "card", 1), ("abc", "xyz", 3)],
)
def test_edit_distance_counts_swaps_as_one(a, b, distance):
    assert edit_distance(a, b, limit=3) == distance


def test_edit_distance_stops_past_the_limit():
    assert edit_distance("a", "abcdef", limit=2) == 3


def test_trigrams_of_a_term():
    assert trigrams("карт") == ["арт", "кар"]
    assert trigrams("ка") == []
