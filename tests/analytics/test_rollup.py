"""rollup_metrics: idempotent, resumable, picks up late events, fills local days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from analytics import rollup as rollup_module
from analytics.models import DailyCount, FillState, ParticipantDay, TopicFact
from analytics.rollup import rollup
from community import services
from community.models import TopicKind, TopicStatus
from tests.analytics.metrics_helpers import msk, roll, values
from tests.conftest import make_reply, make_topic, make_user


def _snapshot() -> list[tuple]:
    return sorted(
        DailyCount.objects.values_list("property", "day", "category_id", "subgroup", "value")
    ) + sorted(ParticipantDay.objects.values_list("day", "user_id", "category_id", "contributions"))


@pytest.fixture
def activity(customer, representative, category):
    topic = make_topic(author=customer, category=category, at=msk(2025, 10, 1, 10, 0))
    reply = make_reply(topic, author=representative, at=msk(2025, 10, 1, 12, 0))
    services.answer_mark_official(reply=reply, actor=representative, at=msk(2025, 10, 1, 12, 0))
    make_topic(author=customer, at=msk(2025, 10, 2, 23, 30))
    return topic


def test_rolling_the_same_days_twice_writes_identical_rows(activity):
    roll()
    first = _snapshot()
    facts = list(TopicFact.objects.order_by("pk").values())
    assert first
    roll()
    assert _snapshot() == first
    assert list(TopicFact.objects.order_by("pk").values()) == facts


def test_the_first_run_starts_at_the_first_day_with_data_and_ends_today(activity):
    result = rollup(at=msk(2025, 10, 5, 9, 0))
    assert (result.start, result.end) == (date(2025, 10, 1), date(2025, 10, 5))
    state = FillState.objects.get()
    assert (state.last_day, state.state) == (date(2025, 10, 5), FillState.DONE)


def test_a_later_run_rolls_the_last_days_again_and_picks_up_late_events(
    activity, customer, settings
):
    settings.ANALYTICS_REROLL_DAYS = 3
    rollup(at=msk(2025, 10, 5, 9, 0))
    assert values()["answered_rate"] == 50
    # A topic dated 4 October is imported late and the topic of 2 October is answered on
    # 6 October: both are inside the re-rolled window.
    late = make_topic(author=customer, at=msk(2025, 10, 4, 10, 0))
    other = activity.__class__.objects.exclude(pk__in=[activity.pk, late.pk]).get()
    reply = make_reply(other, author=activity.replies.get().author, at=msk(2025, 10, 6, 10, 0))
    services.answer_mark_official(reply=reply, actor=reply.author, at=msk(2025, 10, 6, 10, 0))
    result = rollup(at=msk(2025, 10, 6, 12, 0))
    assert result.start == date(2025, 10, 3)
    got = values()
    assert got["topics_created"] == 3
    assert got["answered_rate"] == Decimal("66.7")


def test_an_interrupted_run_is_redone_from_where_it_stopped(activity, monkeypatch):
    calls = []
    real = rollup_module.roll_days

    def failing(days, *, at):
        calls.append(days)
        if len(calls) == 2:
            raise RuntimeError("the server went away")
        return real(days, at=at)

    monkeypatch.setattr(rollup_module, "DAYS_PER_CHUNK", 2)
    monkeypatch.setattr(rollup_module, "roll_days", failing)
    with pytest.raises(RuntimeError):
        rollup(start=date(2025, 10, 1), end=date(2025, 10, 4), at=msk(2025, 10, 5, 0, 0))
    state = FillState.objects.get()
    # Days 1–2 were done; 3–4 were started and rolled back with their transaction.
    assert (state.last_day, state.state) == (date(2025, 10, 4), FillState.STARTED)
    assert not DailyCount.objects.filter(day__gte=date(2025, 10, 3)).exists()

    monkeypatch.setattr(rollup_module, "roll_days", real)
    result = rollup(at=msk(2025, 10, 5, 0, 0))
    assert result.start <= date(2025, 10, 3)
    assert values()["topics_created"] == 2
    assert FillState.objects.get().state == FillState.DONE


def test_rolling_old_days_again_never_moves_the_fill_state_back(activity):
    rollup(at=msk(2025, 10, 10, 9, 0))
    rollup(start=date(2025, 10, 1), end=date(2025, 10, 2), at=msk(2025, 10, 10, 9, 5))
    assert FillState.objects.get().last_day == date(2025, 10, 10)


def test_a_topic_late_in_the_moscow_evening_belongs_to_that_moscow_day(activity):
    roll()
    fact = TopicFact.objects.exclude(pk=activity.pk).get()
    # 23:30 in Moscow is 20:30 UTC: the same date either way; 00:30 would not be.
    assert fact.created_day == date(2025, 10, 2)
    assert DailyCount.objects.get(property="topics_created", day=date(2025, 10, 2)).value == 1


def test_the_command_rolls_the_given_days(activity, capsys):
    call_command("rollup_metrics", "--start", "2025-10-01", "--end", "2025-10-03")
    assert "2025-10-01" in capsys.readouterr().out
    assert DailyCount.objects.filter(day=date(2025, 10, 1)).exists()
    with pytest.raises(CommandError):
        call_command("rollup_metrics", "--start", "2025-10-03", "--end", "2025-10-01")
    with pytest.raises(CommandError):
        call_command("rollup_metrics", "--start", "yesterday")


def test_rolling_with_nothing_to_do_is_harmless(db):
    result = rollup(start=date(2025, 10, 2), end=date(2025, 10, 1))
    assert result.rows == 0
    assert rollup(at=msk(2025, 10, 1, 0, 0) + timedelta(hours=1)).rows == 0


# Topic facts: most topics are summarised in SQL, the rest replayed event by event ----------


def _fact_from_every_event(topic) -> dict:
    """The reference: derive_fact over all of the topic's events, in order."""
    events = [
        rollup_module.TopicEvent(event.kind, event.actor_id, event.created_at, event.data or {})
        for event in topic.events.filter(kind__in=rollup_module.FACT_EVENT_KINDS).order_by(
            "created_at", "pk"
        )
    ]
    fact = rollup_module.derive_fact(
        topic_id=topic.pk,
        kind=topic.kind,
        category_id=topic.category_id,
        author_id=topic.author_id,
        author_is_staff=False,
        is_hidden=topic.is_hidden,
        created_at=topic.created_at,
        events=events,
    )
    return {name: getattr(fact, name) for name in rollup_module.FACT_FIELDS if name != "category"}


def test_summarised_and_replayed_facts_agree_with_every_event(customer, representative, category):
    at = msk(2025, 10, 1, 9, 0)
    topics = []

    def ask(kind=TopicKind.QUESTION):
        topic = make_topic(author=customer, category=category, kind=kind, at=at)
        topics.append(topic)
        return topic

    def reply(topic, author, minutes):
        return make_reply(topic, author=author, at=at + timedelta(minutes=minutes))

    ask()  # nothing happens
    answered = ask()
    official = reply(answered, representative, 60)
    reply(answered, customer, 30)  # the author before the answer: not a follow-up
    services.answer_mark_official(reply=official, actor=representative, at=official.created_at)
    followed = ask()
    services.answer_mark_official(
        reply=reply(followed, representative, 10), actor=representative, at=at + timedelta(hours=1)
    )
    reply(followed, customer, 120)  # a follow-up after the first response
    reply(followed, representative, 130)
    unmarked = ask()  # an undo: replayed event by event
    first = reply(unmarked, representative, 15)
    services.answer_mark_official(reply=first, actor=representative, at=at + timedelta(hours=1))
    services.answer_unmark_official(reply=first, actor=representative, at=at + timedelta(hours=2))
    accepted = ask()
    helper = reply(accepted, make_user(), 20)
    services.answer_accept(reply=helper, user=customer, at=at + timedelta(hours=3))
    unaccepted = ask()
    helper = reply(unaccepted, make_user(), 20)
    services.answer_accept(reply=helper, user=customer, at=at + timedelta(hours=3))
    services.answer_unaccept(reply=helper, user=customer, at=at + timedelta(hours=4))
    problem = ask(TopicKind.PROBLEM)  # solved, reopened, solved again
    reply(problem, representative, 5)
    for hours, status in [(1, TopicStatus.SOLVED), (2, TopicStatus.OPEN), (5, TopicStatus.SOLVED)]:
        services.topic_status_set(
            topic=problem, status=status, actor=representative, at=at + timedelta(hours=hours)
        )
    idea = ask(TopicKind.IDEA)
    for hours, status in [
        (1, TopicStatus.UNDER_REVIEW),
        (2, TopicStatus.IN_PROGRESS),
        (3, TopicStatus.DONE),
    ]:
        services.topic_status_set(
            topic=idea, status=status, actor=representative, at=at + timedelta(hours=hours)
        )
    own = make_topic(author=representative, category=category, at=at)  # a representative's own
    topics.append(own)
    reply(own, representative, 5)

    assert rollup_module.refresh_facts([topic.pk for topic in topics]) == len(topics)

    for topic in topics:
        topic.refresh_from_db()
        stored = TopicFact.objects.filter(pk=topic.pk).values(*rollup_module.FACT_FIELDS).get()
        stored.pop("category")
        expected = _fact_from_every_event(topic)
        stored.pop("author_is_staff")
        expected.pop("author_is_staff")
        assert stored == expected, topic.pk
    # The cases above do reach both paths.
    facts = {fact.topic_id: fact for fact in TopicFact.objects.all()}
    assert facts[followed.pk].author_followed_up
    assert facts[problem.pk].reopened_at is not None
    assert facts[idea.pk].idea_done_at is not None
    assert facts[unmarked.pk].resolved_at is not None and not facts[unmarked.pk].is_answered
    assert not facts[unaccepted.pk].is_answered
    assert facts[own.pk].first_response_at is None
