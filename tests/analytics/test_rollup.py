"""rollup_metrics: idempotent, resumable, picks up late events, fills local days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from analytics import rollup as rollup_module
from analytics.models import DailyCount, FillState, ParticipantDay, TopicFact
from analytics.rollup import rollup
from community import services
from tests.analytics.metrics_helpers import msk, roll, values
from tests.conftest import make_reply, make_topic


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
