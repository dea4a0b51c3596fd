"""Deflection, search, knowledge base, surveys, traffic, engagement and ROI from hand-built
rows, with exact numbers (docs/metrics.md)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics import metrics, surveys
from analytics.metrics import Costs, Period
from analytics.models import PageKind, PageView, ReferrerClass, SurveyKind, SurveyResponse
from community import services
from knowledge_base.models import Article, ArticleFeedback, Section
from search.models import SearchAttempt, SearchQuery, SearchSource
from tests.analytics.metrics_helpers import LATER, OCTOBER, figures, msk, roll, values
from tests.conftest import make_reply, make_topic, make_user


def _attempt(n: int, **fields) -> SearchAttempt:
    started = fields.pop("started_at", None) or msk(2025, 10, 6, 10, n)
    return SearchAttempt.objects.create(
        visitor_key=f"visitor-{n}",
        text="как активировать карту",
        suggestion_count=3,
        started_at=started,
        last_activity_at=fields.pop("last_activity_at", started + timedelta(minutes=1)),
        **fields,
    )


def test_deflection_successful_failed_potential_and_rate(customer):
    topic = make_topic(author=customer, at=msk(2025, 10, 6, 10, 30))
    at = msk(2025, 10, 6, 11, 0)
    _attempt(1, opened_at=at, opened="topic:1", deflected_at=at)
    _attempt(2, topic=topic, posted_at=at)
    _attempt(3, opened_at=at, opened="article:3")  # left: potential
    recent = msk(2025, 10, 6, 23, 50)
    _attempt(4, opened_at=recent, started_at=recent, last_activity_at=recent)  # still browsing
    _attempt(5)  # typed, saw suggestions, nothing else
    roll(at=msk(2025, 10, 7, 0, 0))  # 10 minutes after attempt 4: its session is not over
    got = figures()
    assert got["deflection_attempts"].value == 5
    assert (got["deflection_successful"].numerator, got["deflection_successful"].value) == (
        1,
        Decimal("20.0"),
    )
    assert got["deflection_failed"].numerator == 1
    assert got["deflection_potential"].numerator == 1
    rate = got["deflection_rate"]
    assert (rate.numerator, rate.denominator, rate.value) == (2, 5, Decimal("40.0"))

    # The next run, after the session is over, counts attempt 4 as potential too.
    roll(at=LATER)
    assert figures()["deflection_potential"].numerator == 2


def test_searches_successful_and_zero_result_with_top_queries(db):
    def search(text, results, *, clicked=False, source=SearchSource.PAGE, minute=0):
        at = msk(2025, 10, 7, 12, minute)
        SearchQuery.objects.create(
            text=text,
            source=source,
            result_count=results,
            created_at=at,
            clicked_at=at if clicked else None,
        )

    search("кредит", 5, clicked=True, minute=1)
    search("вклад", 3, clicked=True, source=SearchSource.ASK, minute=2)
    search("кридит", 0, minute=3)
    search(" Кридит ", 0, minute=4)
    search("x", 0, source=SearchSource.API, minute=5)  # integrations do not count
    roll()
    got = figures()
    assert got["searches"].value == 4
    assert (got["searches_successful"].numerator, got["searches_successful"].value) == (
        2,
        Decimal("50.0"),
    )
    assert got["searches_zero_result"].value == Decimal("50.0")
    assert metrics.top_lists(OCTOBER)["zero_result_queries"] == [("кридит", 2)]


@pytest.fixture
def article(db) -> Article:
    section = Section.objects.create(name="Карты", slug="cards")
    at = msk(2025, 9, 1, 10, 0)
    return Article.objects.create(
        title="Как активировать карту",
        slug="kak-aktivirovat-kartu",
        body="…",
        section=section,
        status="published",
        created_at=at,
        updated_at=at,
        published_at=at,
    )


def _view(visitor, at, kind=PageKind.HOME, object_id=None, referrer=ReferrerClass.INTERNAL):
    return PageView.objects.create(
        created_at=at,
        visitor=visitor,
        path="/",
        kind=kind,
        object_id=object_id,
        referrer=referrer,
    )


def test_kb_views_and_helpfulness(article):
    for n, helpful in enumerate([True, True, True, False]):
        ArticleFeedback.objects.create(
            article=article,
            visitor_key=f"v{n}",
            is_helpful=helpful,
            created_at=msk(2025, 10, 9, 10, n),
        )
    for n in range(3):
        _view(f"v{n}", msk(2025, 10, 9, 11, n), PageKind.ARTICLE, article.pk)
    roll()
    got = figures()
    assert got["kb_article_views"].value == 3
    helpful = got["kb_helpfulness"]
    assert (helpful.numerator, helpful.denominator, helpful.value) == (3, 4, Decimal("75.0"))
    assert metrics.top_lists(OCTOBER)["articles"] == [(article.title, 3)]


def test_traffic_sessions_bounces_time_on_site_and_self_service(customer, representative):
    answered = make_topic(author=customer, at=msk(2025, 10, 10, 9, 0))
    reply = make_reply(answered, author=representative, at=msk(2025, 10, 10, 9, 30))
    services.answer_mark_official(reply=reply, actor=representative, at=msk(2025, 10, 10, 9, 30))
    open_topic = make_topic(author=customer, at=msk(2025, 10, 10, 9, 0))

    # Visitor a: a 20-minute visit from a search engine reading the answered topic, then,
    # 40 minutes later, a second visit of one page.
    _view("a", msk(2025, 10, 10, 10, 0), PageKind.TOPIC, answered.pk, ReferrerClass.SEARCH_ENGINE)
    _view("a", msk(2025, 10, 10, 10, 5))
    _view("a", msk(2025, 10, 10, 10, 20))
    _view("a", msk(2025, 10, 10, 11, 0), referrer=ReferrerClass.DIRECT)
    # Visitor b: one article from a social network.
    _view("b", msk(2025, 10, 10, 12, 0), PageKind.ARTICLE, 1, ReferrerClass.SOCIAL)
    # Visitor c: home, posts, reads the open topic: 15 minutes, not self-service.
    _view("c", msk(2025, 10, 10, 13, 0), referrer=ReferrerClass.DIRECT)
    _view("c", msk(2025, 10, 10, 13, 10), PageKind.CONTRIBUTION)
    _view("c", msk(2025, 10, 10, 13, 15), PageKind.TOPIC, open_topic.pk)
    roll()
    got = figures()
    assert got["unique_visitors"].value == 3
    assert got["page_views"].value == 7
    assert got["sessions"].value == 4
    assert (got["bounce_rate"].numerator, got["bounce_rate"].value) == (2, Decimal("50.0"))
    # (1200 + 0 + 0 + 900) seconds / 4 visits.
    time_on_site = got["time_on_site"]
    assert (time_on_site.numerator, time_on_site.value) == (2100, Decimal("525"))
    assert got["search_engine_visits"].value == Decimal("25.0")
    self_service = got["self_service_sessions"]
    assert (self_service.numerator, self_service.denominator) == (2, 4)


def test_unique_visitors_of_a_period_add_up_the_days(db):
    # Hashes change daily, so the same person on two days is two daily visitors.
    _view("a", msk(2025, 10, 11, 10, 0))
    _view("a", msk(2025, 10, 11, 23, 59))
    _view("z", msk(2025, 10, 12, 0, 1))
    roll()
    assert values()["unique_visitors"] == 2
    # a's two views are hours apart: two visits.
    assert values()["sessions"] == 3


def test_nps_and_its_response_rate(db):
    for n, score in enumerate([10, 9, 9, 7, 3, None]):
        at = msk(2025, 10, 13, 10, n)
        SurveyResponse.objects.create(
            kind=SurveyKind.NPS,
            user=make_user(),
            shown_at=at,
            score=score,
            answered_at=at if score is not None else None,
        )
    roll()
    got = figures()
    # 3 promoters, 1 detractor of 5: (3 − 1) / 5 = 40.
    nps = got["nps"]
    assert (nps.numerator, nps.denominator, nps.value) == (2, 5, Decimal("40.0"))
    assert nps.unit == "score"
    assert got["nps_response_rate"].value == Decimal("83.3")


def test_csat_and_response_rate_over_resolved_customer_topics(representative):
    authors = [make_user() for _ in range(4)]
    topics = []
    for n, author in enumerate(authors):
        topic = make_topic(author=author, at=msk(2025, 10, 14, 10, n))
        reply = make_reply(topic, author=representative, at=msk(2025, 10, 14, 12, n))
        services.answer_mark_official(
            reply=reply, actor=representative, at=msk(2025, 10, 14, 12, n)
        )
        topics.append(topic)
    for topic, author, score in zip(topics, authors, [5, 4, 2], strict=False):
        topic.refresh_from_db()
        surveys.csat_answer(user=author, topic=topic, score=score, at=msk(2025, 10, 15, 9, 0))
    # A representative's own resolved topic is offered no rating: not in the denominator.
    own = make_topic(author=representative, at=msk(2025, 10, 14, 15, 0))
    services.topic_status_set(
        topic=own, actor=representative, status="answered", at=msk(2025, 10, 14, 16, 0)
    )
    roll()
    got = figures()
    csat = got["csat"]
    assert (csat.numerator, csat.denominator, csat.value) == (2, 3, Decimal("66.7"))
    rate = got["csat_response_rate"]
    assert (rate.numerator, rate.denominator, rate.value) == (3, 4, Decimal("75.0"))


def test_participants_engaged_share_and_contributions(customer, other_customer, representative):
    topic = make_topic(author=customer, at=msk(2025, 10, 16, 10, 0))
    make_reply(topic, author=other_customer, at=msk(2025, 10, 16, 11, 0))
    services.topic_vote_toggle(topic=topic, user=other_customer, at=msk(2025, 10, 17, 11, 0))
    make_reply(topic, author=representative, at=msk(2025, 10, 16, 12, 0))  # staff: not counted
    for n in range(4):
        _view(f"v{n}", msk(2025, 10, 16, 9, n))
    roll()
    got = figures()
    assert got["active_participants"].value == 2
    per = got["contributions_per_participant"]
    assert (per.numerator, per.denominator, per.value) == (3, 2, Decimal("1.50"))
    assert got["engaged_share"].value == Decimal("50.0")


def _deflected(count: int) -> None:
    at = msk(2025, 10, 20, 10, 0)
    for n in range(count):
        _attempt(100 + n, started_at=at, deflected_at=at)


def test_roi_with_the_managers_inputs(db, settings):
    _deflected(10)
    roll()
    costs = Costs(call=Decimal("300"), email=Decimal("100"), monthly=Decimal("1000"))
    got = figures(costs=costs)
    assert got["contacts_saved"].value == 10
    # 0.5 × 300 + 0.5 × 100 = 200 per contact; 10 × 200 = 2000 saved; (2000 − 1000) / 1000.
    assert got["cost_per_contact"].value == Decimal("200.00")
    assert got["savings"].value == Decimal("2000.00")
    assert got["community_cost"].value == Decimal("1000.00")
    roi = got["roi"]
    assert (roi.value, roi.numerator, roi.denominator) == (Decimal("100.0"), 1000, 1000)
    assert got["cost_call"].value == Decimal("300.00")

    # A dearer call makes the community pay off more.
    dearer = figures(
        costs=Costs(call=Decimal("500"), email=Decimal("100"), monthly=Decimal("1000"))
    )
    assert dearer["roi"].value == Decimal("200.0")
    settings.ANALYTICS_ROI_CALL_SHARE = "1"
    assert figures(costs=costs)["roi"].value == Decimal("200.0")


def test_roi_without_inputs_is_no_data_but_contacts_saved_are_counted(db):
    _deflected(3)
    roll()
    got = figures()
    assert got["contacts_saved"].value == 3
    assert got["roi"].value is None and got["savings"].value is None


def test_the_monthly_cost_is_prorated_for_a_week():
    week = Period(date(2025, 10, 6), date(2025, 10, 12))
    assert metrics.months_in(week) == Decimal(7) / Decimal(31)
    across = Period(date(2025, 10, 30), date(2025, 11, 2))
    assert metrics.months_in(across) == Decimal(2) / Decimal(31) + Decimal(2) / Decimal(30)
    assert metrics.months_in(OCTOBER) == 1


def test_roi_of_a_week_uses_a_week_of_the_monthly_cost(db):
    _deflected(2)
    roll()
    week = Period(date(2025, 10, 20), date(2025, 10, 26))
    got = figures(
        week, costs=Costs(call=Decimal("310"), email=Decimal("310"), monthly=Decimal("3100"))
    )
    # 3100 × 7 / 31 = 700; (620 − 700) / 700 = −11.4 %.
    assert got["community_cost"].value == Decimal("700.00")
    assert got["roi"].value == Decimal("-11.4")
