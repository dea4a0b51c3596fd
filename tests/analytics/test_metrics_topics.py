"""Topic metrics from events built through the community services, with exact numbers (the
worked example of docs/metrics.md, "Questions and answers")."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from analytics import metrics
from analytics.metrics import Period
from community import services
from community.models import TopicKind, TopicStatus
from tests.analytics.metrics_helpers import NOVEMBER, OCTOBER, figures, msk, roll, values
from tests.conftest import make_category, make_reply, make_topic, make_user


def _official(topic, rep, at, body="Официальный ответ банка."):
    reply = make_reply(topic, author=rep, body=body, at=at)
    services.answer_mark_official(reply=reply, actor=rep, at=at)
    return reply


@pytest.fixture
def october(customer, other_customer, representative, category):
    """Six topics of October 2025 (Moscow time):

    Q1 answered officially after 2 h — FCR.
    Q2 first response after 24 h (on the SLA), the author wrote again — not FCR.
    Q3 answered after 10 h, then the answer was withdrawn 3 days later (reopened) — not FCR.
    Q4 no response.
    P1 (problem) response after 50 h, solved at 60 h, reopened 10 days later — still FCR.
    R1 (idea) by a representative who replies in it himself — no official response.
    """
    q1 = make_topic(author=customer, category=category, at=msk(2025, 10, 1, 10, 0))
    _official(q1, representative, msk(2025, 10, 1, 12, 0))

    q2 = make_topic(author=other_customer, category=category, at=msk(2025, 10, 2, 10, 0))
    make_reply(q2, author=representative, at=msk(2025, 10, 3, 10, 0))
    make_reply(q2, author=other_customer, body="Не помогло.", at=msk(2025, 10, 3, 11, 0))
    _official(q2, representative, msk(2025, 10, 3, 12, 0))

    q3 = make_topic(author=customer, at=msk(2025, 10, 5, 10, 0))
    reply = _official(q3, representative, msk(2025, 10, 5, 20, 0))
    services.answer_unmark_official(reply=reply, actor=representative, at=msk(2025, 10, 8, 9, 0))

    make_topic(author=customer, at=msk(2025, 10, 10, 10, 0))

    p1 = make_topic(
        author=other_customer,
        kind=TopicKind.PROBLEM,
        category=category,
        at=msk(2025, 10, 12, 10, 0),
    )
    make_reply(p1, author=representative, at=msk(2025, 10, 14, 12, 0))
    services.topic_status_set(
        topic=p1, actor=representative, status=TopicStatus.SOLVED, at=msk(2025, 10, 14, 22, 0)
    )
    services.topic_status_set(
        topic=p1, actor=representative, status=TopicStatus.OPEN, at=msk(2025, 10, 24, 22, 0)
    )

    r1 = make_topic(author=representative, kind=TopicKind.IDEA, at=msk(2025, 10, 15, 10, 0))
    make_reply(r1, author=representative, at=msk(2025, 10, 15, 11, 0))
    roll()


def test_topics_created_by_kind(october):
    got = values()
    assert (got["topics_created"], got["topics_questions"], got["topics_ideas"]) == (6, 4, 1)
    assert (got["topics_problems"], got["topics_thanks"]) == (1, 0)


def test_answered_rate_counts_official_or_accepted_answers_that_stand(october):
    # Q1 and Q2; Q3's official answer was withdrawn.
    figure = figures()["answered_rate"]
    assert (figure.numerator, figure.denominator, figure.value) == (2, 6, Decimal("33.3"))
    assert figure.unit == "percent"


def test_time_to_first_official_response_median_p90_and_sla(october):
    got = figures()
    # Responses: 2 h, 10 h, 24 h, 50 h. Median (10 + 24) / 2 = 17 h;
    # p90 at rank 0.9 × 3 = 2.7: 24 + 0.7 × (50 − 24) = 42.2 h.
    assert got["first_response_median"].value == Decimal("17.0")
    assert got["first_response_p90"].value == Decimal("42.2")
    assert got["first_response_median"].denominator == 4
    # Within 24 h: Q1, Q2 (exactly 24 h) and Q3, of the 6 topics created.
    sla = got["first_response_within_sla"]
    assert (sla.numerator, sla.denominator, sla.value) == (3, 6, Decimal("50.0"))


def test_sla_hours_come_from_settings(october, settings):
    settings.ANALYTICS_SLA_HOURS = 12
    assert figures()["first_response_within_sla"].numerator == 2


def test_time_to_resolution(october):
    got = figures()
    # Resolved after 2 h, 10 h, 26 h and 60 h: median 18 h, p90 26 + 0.7 × 34 = 49.8 h.
    assert got["resolution_median"].value == Decimal("18.0")
    assert got["resolution_p90"].value == Decimal("49.8")
    assert got["resolution_median"].denominator == 4


def test_fcr_excludes_follow_ups_and_reopens_within_seven_days(october):
    # Of the 4 topics with an official response: Q1 and P1 (reopened after 10 days, too late).
    fcr = figures()["fcr"]
    assert (fcr.numerator, fcr.denominator, fcr.value) == (2, 4, Decimal("50.0"))
    assert figures()["reopened_topics"].value == 2


def test_a_representative_replying_in_their_own_topic_is_not_an_official_response(
    representative,
):
    idea = make_topic(author=representative, kind=TopicKind.IDEA, at=msk(2025, 10, 15, 10, 0))
    make_reply(idea, author=representative, at=msk(2025, 10, 15, 11, 0))
    roll()
    got = figures()
    assert got["first_response_median"].value is None
    assert got["fcr"].value is None
    assert got["representative_replies"].value == 0


def test_sentiment_shares(october):
    got = figures()
    assert (got["negative_share"].numerator, got["negative_share"].value) == (1, Decimal("16.7"))
    assert (got["positive_share"].numerator, got["positive_share"].value) == (0, Decimal("0.0"))


def test_a_period_without_data_has_no_made_up_numbers(db):
    roll()
    got = values()
    assert got["topics_created"] == 0
    for key in [
        "answered_rate",
        "first_response_median",
        "first_response_p90",
        "first_response_within_sla",
        "resolution_median",
        "fcr",
        "deflection_rate",
        "nps",
        "csat",
        "csat_response_rate",
        "bounce_rate",
        "time_on_site",
        "kb_helpfulness",
        "engaged_share",
        "contributions_per_participant",
        "negative_share",
        "roi",
        "savings",
    ]:
        assert got[key] is None, key


def test_days_are_moscow_days_not_utc_days(customer):
    # 21:30 UTC on 31 October is 00:30 on 1 November in Moscow.
    make_topic(author=customer, at=msk(2025, 10, 31, 23, 59, 59))
    make_topic(author=customer, at=msk(2025, 11, 1, 0, 0, 0))
    make_topic(author=customer, at=msk(2025, 11, 1, 0, 30))
    roll()
    assert values(OCTOBER)["topics_created"] == 1
    assert values(NOVEMBER)["topics_created"] == 2
    assert values(Period.day(date(2025, 10, 31)))["topics_created"] == 1


def test_hidden_topics_do_not_count(customer, moderator):
    spam = make_topic(author=customer, at=msk(2025, 10, 3, 10, 0))
    make_topic(author=customer, at=msk(2025, 10, 3, 11, 0))
    services.topic_moderate(topic=spam, actor=moderator, action="hide", at=msk(2025, 10, 3, 12, 0))
    roll()
    assert values()["topics_created"] == 1


def test_ideas_taken_into_work_and_done_count_once_in_the_period_of_the_change(
    customer, representative
):
    idea = make_topic(author=customer, kind=TopicKind.IDEA, at=msk(2025, 10, 1, 10, 0))
    for status, day in [
        (TopicStatus.PLANNED, msk(2025, 10, 20, 10, 0)),
        (TopicStatus.IN_PROGRESS, msk(2025, 10, 22, 10, 0)),
        (TopicStatus.DONE, msk(2025, 11, 2, 10, 0)),
    ]:
        services.topic_status_set(topic=idea, actor=representative, status=status, at=day)
    roll()
    assert (values(OCTOBER)["ideas_taken"], values(OCTOBER)["ideas_done"]) == (1, 0)
    assert (values(NOVEMBER)["ideas_taken"], values(NOVEMBER)["ideas_done"]) == (0, 1)


def test_category_filter_keeps_only_topic_figures_of_that_category(october, category):
    got = figures(category_id=category.pk)
    # Q1, Q2 and P1 are in the category.
    assert got["topics_created"].value == 3
    assert (got["answered_rate"].numerator, got["answered_rate"].denominator) == (2, 3)
    assert "unique_visitors" not in got and "nps" not in got and "roi" not in got
    other = make_category()
    assert figures(category_id=other.pk)["topics_created"].value == 0


def test_representatives_replies_and_median_first_response(october, representative):
    other_rep = make_user(is_representative=True)
    topic = make_topic(at=msk(2025, 10, 20, 10, 0))
    make_reply(topic, author=other_rep, at=msk(2025, 10, 20, 11, 0))
    roll()
    rows = {row.name: row for row in metrics.representatives(OCTOBER)}
    mine = rows[representative.name]
    # Replies in Q1, Q2 (two), Q3 and P1, not in the representative's own idea; first
    # responses in Q1, Q2, Q3 and P1.
    assert (mine.replies, mine.first_responses) == (5, 4)
    assert mine.response_median_hours == Decimal("17.0")
    theirs = rows[other_rep.name]
    assert (theirs.replies, theirs.first_responses, theirs.response_median_hours) == (
        1,
        1,
        Decimal("1.0"),
    )
    assert metrics.top_lists(OCTOBER)["representatives"][0] == (representative.name, 5)


def test_series_gives_each_day_its_own_value(october):
    week = Period(date(2025, 10, 1), date(2025, 10, 3))
    assert metrics.series("topics_created", week) == [
        (date(2025, 10, 1), 1),
        (date(2025, 10, 2), 1),
        (date(2025, 10, 3), 0),
    ]
    assert metrics.series("first_response_median", week) == [
        (date(2025, 10, 1), Decimal("2.0")),
        (date(2025, 10, 2), Decimal("24.0")),
        (date(2025, 10, 3), None),
    ]
    assert metrics.series("answered_rate", week)[2] == (date(2025, 10, 3), None)


def test_series_value_of_a_day_equals_the_one_day_report(october):
    day = date(2025, 10, 5)
    for key in ["answered_rate", "fcr", "resolution_p90", "topics_created"]:
        assert metrics.series(key, Period.day(day)) == [(day, values(Period.day(day))[key])]


def test_series_many_gives_each_key_what_series_gives(october):
    month = Period(date(2025, 10, 1), date(2025, 10, 31))
    keys = ["topics_created", "first_response_median", "answered_rate", "resolution_p90", "nope"]

    many = metrics.series_many(keys, month)

    assert list(many) == keys
    for key in keys:
        assert many[key] == metrics.series(key, month)
    assert [day for day, _value in many["topics_created"]] == month.each_day()
    assert all(value is None for _day, value in many["nope"])


def test_series_many_reads_the_rollups_once_for_all_keys(october):
    month = Period(date(2025, 10, 1), date(2025, 10, 31))
    with CaptureQueriesContext(connection) as one:
        metrics.series("first_response_median", month)
    with CaptureQueriesContext(connection) as four:
        metrics.series_many(
            ["topics_created", "unique_visitors", "first_response_median", "answered_rate"], month
        )

    assert len(four) == len(one)


def test_top_categories(october, category):
    # Q1, Q2 and P1; the other three have no category.
    with translation.override("en"):
        top = metrics.top_lists(OCTOBER)["categories"]
    assert top == [("No category", 3), (category.name, 3)]


def test_periods():
    assert Period.month(2024, 2) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert Period.week(date(2025, 10, 15)) == Period(date(2025, 10, 13), date(2025, 10, 19))
    assert OCTOBER.previous() == Period.month(2025, 9)
    assert Period(date(2025, 10, 8), date(2025, 10, 14)).previous() == Period(
        date(2025, 10, 1), date(2025, 10, 7)
    )
    start, end = OCTOBER.bounds()
    assert end - start == timedelta(days=31)
    assert start.utcoffset() == timedelta(hours=3)
    with pytest.raises(ValueError):
        Period(date(2025, 10, 2), date(2025, 10, 1))
