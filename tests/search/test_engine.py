"""Ranking, morphology, typos, synonyms and filters on the fixed corpus (tests/search/conftest.py).
The same assertions run on SQLite and PostgreSQL: the final ranking is computed in Python."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from community import services
from knowledge_base import services as kb_services
from search import engine
from search.models import SearchDocument, SynonymGroup
from tests.conftest import make_topic

DATASETS = Path(settings.BASE_DIR).parent / "shared" / "datasets"


def ranking(hits):
    return [(hit.type, hit.id) for hit in hits]


def topic(t):
    return ("topic", t.pk)


def article(a):
    return ("article", a.pk)


def test_russian_ranking_is_exact(corpus):
    hits = engine.similar("не пришла карта", limit=10)
    assert ranking(hits) == [
        topic(corpus["card_not_arrived"]),
        article(corpus["article"]),
        topic(corpus["card_activate"]),
        topic(corpus["atm_cash"]),
    ]
    assert [hit.score for hit in hits] == [2.4946, 1.913, 0.8442, 0.5164]


def test_english_ranking_is_exact(english_corpus):
    hits = engine.similar("my card hasn't arrived", limit=10)
    assert ranking(hits) == [
        topic(english_corpus["card_arrival"]),
        topic(english_corpus["card_delivery"]),
    ]
    assert ranking(engine.similar("card delivery")) == [
        topic(english_corpus["card_delivery"]),
        topic(english_corpus["card_arrival"]),
    ]
    assert ranking(engine.similar("pending transfers")) == [
        topic(english_corpus["transfer_pending"])
    ]


@pytest.mark.parametrize("query", ["карта", "карту", "картой", "карты"])
def test_every_form_of_a_word_finds_the_same_documents(corpus, query):
    assert ranking(engine.similar(query)) == [
        article(corpus["article"]),
        topic(corpus["card_activate"]),
        topic(corpus["card_not_arrived"]),
    ]


def test_a_published_article_outranks_a_topic_with_the_same_words(corpus):
    assert engine.similar("карта")[0].type == "article"


def test_official_answer_outranks_an_equal_topic_with_only_an_accepted_one(
    customer, representative
):
    from tests.search.conftest import START, answered

    accepted = answered(
        "Лимит по карте",
        "Какой лимит?",
        "Лимит 100",
        at=START,
        author=customer,
        rep=representative,
        official=False,
    )
    official = answered(
        "Лимит по карте", "Какой лимит?", "Лимит 100", at=START, author=customer, rep=representative
    )
    assert ranking(engine.similar("лимит")) == [topic(official), topic(accepted)]


def test_popular_topic_outranks_an_equal_one(customer, other_customer, representative):
    from tests.search.conftest import START, answered

    quiet = answered(
        "Комиссия за перевод", "Сколько?", "Ноль", at=START, author=customer, rep=representative
    )
    popular = answered(
        "Комиссия за перевод", "Сколько?", "Ноль", at=START, author=customer, rep=representative
    )
    services.topic_vote_toggle(topic=popular, user=other_customer)
    assert ranking(engine.similar("комиссия")) == [topic(popular), topic(quiet)]


def test_a_typo_finds_the_right_word_and_says_so(corpus):
    results = engine.search("кридитная карта")
    assert results.hits[0].id == corpus["card_not_arrived"].pk
    assert results.corrections == [("кридитная", "кредитн")]


def test_english_typos_are_corrected(english_corpus):
    assert ranking(engine.similar("crad arived"))[0] == topic(english_corpus["card_arrival"])


def test_single_and_multi_word_synonyms_find_each_other(corpus):
    SynonymGroup.objects.all().delete()
    SynonymGroup.objects.create(phrases="СБП, система быстрых платежей")
    SynonymGroup.objects.create(phrases="банкомат\nATM")
    assert ranking(engine.similar("СБП")) == [topic(corpus["sbp_transfer"])]
    assert ranking(engine.similar("ATM")) == [topic(corpus["atm_cash"])]


def test_default_synonym_groups_come_with_the_install(corpus):
    assert ranking(engine.similar("SBP")) == [topic(corpus["sbp_transfer"])]


def test_inactive_or_edited_synonym_group_applies_to_the_next_search(corpus):
    SynonymGroup.objects.all().delete()
    group = SynonymGroup.objects.create(phrases="СБП, система быстрых платежей")
    assert engine.similar("СБП")
    group.is_active = False
    group.save()
    assert engine.similar("СБП") == []
    group.is_active = True
    group.phrases = "СБП\nперевод по номеру телефона"
    group.save()
    assert ranking(engine.similar("СБП")) == [topic(corpus["sbp_transfer"])]


def test_similar_returns_only_answered_topics_and_articles(corpus):
    found = {hit.id for hit in engine.similar("карта", limit=10) if hit.type == "topic"}
    assert corpus["unanswered"].pk not in found
    assert corpus["idea"].pk not in found


def test_search_page_finds_unanswered_topics_too(corpus):
    hits = engine.search("карта").hits
    assert topic(corpus["unanswered"]) in ranking(hits)
    assert topic(corpus["idea"]) in ranking(hits)


def test_filters_narrow_the_results(corpus):
    assert ranking(engine.search("карта", kind="idea").hits) == [topic(corpus["idea"])]
    assert ranking(engine.search("карта", articles_only=True).hits) == [article(corpus["article"])]
    assert ranking(engine.search("деньги", category=corpus["transfers"]).hits) == [
        topic(corpus["sbp_transfer"])
    ]
    assert ranking(engine.search("деньги", category=corpus["transfers"].pk).hits) == [
        topic(corpus["sbp_transfer"])
    ]
    open_cards = engine.search("карта", status="open").hits
    assert ranking(open_cards) == [topic(corpus["unanswered"])]
    assert engine.search("карта", kind="question", articles_only=True).hits == []


def test_hidden_topics_are_never_returned(corpus, moderator):
    services.topic_moderate(topic=corpus["card_not_arrived"], actor=moderator, action="hide")
    assert topic(corpus["card_not_arrived"]) not in ranking(engine.search("карта").hits)
    assert topic(corpus["card_not_arrived"]) not in ranking(engine.similar("не пришла карта"))


def test_drafts_and_archived_articles_are_never_returned(corpus, representative, kb_section):
    draft = kb_services.article_create(
        author=representative, section=kb_section, title="Карта: черновик", body="Карта"
    )
    kb_services.article_archive(article=corpus["article"], actor=representative)
    found = ranking(engine.search("карта").hits)
    assert article(draft) not in found
    assert article(corpus["article"]) not in found


def test_pages_follow_each_other_without_repeats(customer):
    for n in range(5):
        make_topic(author=customer, title=f"Вопрос про вклад номер {n}", body="")
    first = engine.search("вклад", per_page=2)
    second = engine.search("вклад", per_page=2, page=2)
    third = engine.search("вклад", per_page=2, page=3)
    assert first.has_next and second.has_next and not third.has_next
    assert not first.has_previous and second.has_previous
    everything = ranking(first.hits + second.hits + third.hits)
    assert len(set(everything)) == 5
    assert first.matched == 5


def test_empty_or_stop_word_queries_find_nothing_without_error(corpus):
    assert engine.similar("") == []
    assert engine.similar("   ") == []
    assert engine.search("!!!").hits == []


def test_similar_limit_is_clamped(corpus):
    assert len(engine.similar("карта", limit=0)) == 1
    assert len(engine.similar("карта", limit=100)) <= engine.MAX_SIMILAR


def test_hit_carries_the_object_url(corpus):
    (hit,) = engine.similar("активировать", limit=1)
    assert hit.url == corpus["card_activate"].get_absolute_url()
    (kb_hit,) = engine.search("сроки доставки", articles_only=True).hits
    assert kb_hit.url == corpus["article"].get_absolute_url()


def test_snippet_marks_matched_words_in_any_form(corpus):
    (hit,) = engine.similar("активировать", limit=1)
    assert "<mark>Активируйте</mark>" in hit.snippet


def _payloads() -> list[str]:
    xss = (DATASETS / "security" / "xss").glob("*.txt")
    lines = [line for path in sorted(xss) for line in path.read_text(errors="ignore").splitlines()]
    naughty = json.loads((DATASETS / "security" / "naughty" / "blns.json").read_text())
    return [p for p in lines[:120] + naughty[::5] if p.strip()]


@pytest.mark.skipif(not DATASETS.exists(), reason="shared/datasets is not next to the project")
def test_snippets_never_carry_html_from_queries_or_texts(customer, representative):
    from tests.search.conftest import START, answered

    payloads = _payloads()
    answered(
        "Карта <script>alert(1)</script>",
        "<img src=x onerror=alert(1)> карта " + " ".join(payloads[:40]),
        "Ответ <svg onload=alert(1)> карта",
        at=START,
        author=customer,
        rep=representative,
    )
    for payload in payloads:
        for hit in engine.similar(f"карта {payload}", limit=3):
            without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in without_marks, (payload, hit.snippet)


def test_stop_words_rank_but_do_not_choose_or_get_highlighted(english_corpus):
    hits = engine.similar("which exchange rate")
    assert ranking(hits) == [topic(english_corpus["exchange_rate"])]
    assert engine._Query.parse("the exchange rate").match_terms == {"exchang", "rate"}
    # A stop word alone still finds what contains it: better some answer than none.
    assert ranking(engine.similar("which")) == [topic(english_corpus["exchange_rate"])]


def test_query_words_side_by_side_outrank_the_same_words_apart(customer, representative):
    from tests.search.conftest import START, answered

    apart = answered(
        "Rate of the card exchange", "", "Yes", at=START, author=customer, rep=representative
    )
    together = answered(
        "Card exchange rate", "", "Yes", at=START, author=customer, rep=representative
    )
    assert ranking(engine.similar("exchange rate")) == [topic(together), topic(apart)]


def test_candidates_come_from_rare_words_and_pairs(corpus, monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATE_POSTINGS", 1)
    monkeypatch.setattr(engine, "UNRANKED_POSTINGS", 1)
    monkeypatch.setattr(engine, "RANK_WHOLE_INDEX", 0)
    # With tiny budgets: "активировать" alone is too common to choose, but the pair
    # "активировать карту" still finds the answer; a lone common word is read newest first.
    assert ranking(engine.similar("активировать карту"))[0] == topic(corpus["card_activate"])
    assert set(ranking(engine.similar("карта", limit=10))) == {
        topic(corpus["card_not_arrived"]),
        topic(corpus["card_activate"]),
        article(corpus["article"]),
    }


def test_only_cheap_clauses_are_ranked_by_the_database(monkeypatch):
    calls = []

    def candidates(clauses, *, filters, limit, ranked=True):
        calls.append((clauses, ranked, limit))
        return []

    monkeypatch.setattr(engine.backends, "candidates", candidates)
    monkeypatch.setattr(engine, "CANDIDATE_POSTINGS", 100)
    monkeypatch.setattr(engine, "UNRANKED_POSTINGS", 500)
    monkeypatch.setattr(engine, "RANK_WHOLE_INDEX", 1000)

    def concept(term, df):
        return engine.Concept((((term,), 1.0),), df)

    rare, common, other = concept("rare", 50), concept("common", 9000), concept("other", 8000)
    engine._candidates([common, rare, other], filters={}, limit=10, documents=100_000)
    # "rare" alone is ranked; the pair of two common words only fills in with the newest.
    assert calls == [
        ([[[("rare",)]]], True, 10),
        ([[[("other",)], [("common",)]]], False, 10),
    ]
    calls.clear()
    # An index this small is ranked whole, in one query, whatever the words.
    engine._candidates([common, rare, other], filters={}, limit=10, documents=1000)
    assert calls == [([[[("rare",)]], [[("other",)], [("common",)]]], True, 10)]


@pytest.mark.parametrize("windows", [(1,), (1, 2), (1_000_000,)])
def test_unranked_candidates_are_the_newest_matches_whatever_the_windows(
    corpus, monkeypatch, windows
):
    newest = sorted(
        (
            doc.id
            for doc in SearchDocument.objects.all()
            if "карт" in f"{doc.title_terms} {doc.body_terms}".split()
        ),
        reverse=True,
    )
    assert len(newest) >= 3
    monkeypatch.setattr(engine.backends, "NEWEST_WINDOWS", windows)

    def ids(limit):
        docs = engine.backends.candidates([[[("карт",)]]], filters={}, limit=limit, ranked=False)
        return [doc.id for doc in docs]

    for limit in (1, 2, len(newest), 8):
        found = ids(limit)
        # Newest first, with no gap; a window may stop early once it has a quarter of limit.
        assert found == newest[: len(found)]
        assert min(limit, len(newest)) >= len(found) >= min(len(newest), max(1, limit // 4))
    if windows == (1,):
        # A window of one id holds at most one match, less than a quarter of 8: all are read.
        assert ids(8) == newest[:8]


def test_clauses_pair_common_words_and_keep_rare_ones_alone():
    def concept(term, df, selects=True):
        return engine.Concept((((term,), 1.0),), df, selects=selects)

    rare, common, other, stop = (
        concept("rare", 10),
        concept("common", 9000),
        concept("other", 8000),
        concept("the", 50000, selects=False),
    )
    assert engine._clauses([common, rare, stop, other]) == [
        [[("rare",)]],
        [[("other",)], [("common",)]],
    ]
    assert engine._clauses([stop]) == [[[("the",)]]]
