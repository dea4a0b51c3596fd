"""Helpers shared by the report tests (dashboard, report pages, exports, API, e-mail).

`fake_metrics` replaces analytics.metrics' three reads with fixed figures, for the tests of how
pages, files and the API present figures; those tests must not depend on the formulas, which
tests/analytics/test_metrics*.py cover. The tests that go through the real formulas build
events with the community services and run the rollup instead."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from analytics import metrics
from analytics.metrics import Figure, Period
from analytics.rollup import rollup
from community import services
from search.models import SearchAttempt
from tests.conftest import make_reply, make_topic


def figure(key: str, value, *, unit="count", numerator=None, denominator=None, group="topics"):
    return Figure(
        key=key,
        label=f"Метрика {key}",
        value=value,
        unit=unit,
        numerator=numerator,
        denominator=denominator,
        anchor=key.replace("_", "-"),
        group=group,
    )


class FakeMetrics:
    """Figures keyed by period start, and a record of what the pages asked for."""

    def __init__(self) -> None:
        self.by_start: dict[date, list[Figure]] = {}
        self.default: list[Figure] = []
        self.calls: list[tuple[Period, object, object]] = []

    def report(self, period: Period, *, costs=None, category_id=None) -> list[Figure]:
        self.calls.append((period, costs, category_id))
        figures = self.by_start.get(period.start, self.default)
        if costs is None:
            return figures
        # ROI moves with the inputs, as the real formula does, so pages can show the change.
        return [
            f
            if f.key != "roi"
            else Figure(
                **{
                    **f.__dict__,
                    "value": (Decimal(10) * costs.call - costs.monthly) / costs.monthly * 100,
                }
            )
            for f in figures
        ]

    def series(self, key: str, period: Period):
        return [
            (period.start + timedelta(days=n), n if n % 3 else None) for n in range(period.days)
        ]

    def series_many(self, keys, period: Period, *, category_id=None):
        return {key: self.series(key, period) for key in keys}

    def top_lists(self, period: Period, *, limit: int = 10):
        return {"zero_result_queries": [("кэшбэк такси", 7), ("овердрафт", 3)], "articles": []}


@pytest.fixture
def fake_metrics(monkeypatch) -> FakeMetrics:
    fake = FakeMetrics()
    fake.default = [
        figure("topics_created", 12),
        figure(
            "answered_rate",
            Decimal("75.0"),
            unit="percent",
            numerator=9,
            denominator=12,
            group="questions",
        ),
        figure("nps", None, unit="score", group="satisfaction"),
        figure("roi", None, unit="percent", numerator=None, denominator=None, group="roi"),
    ]
    monkeypatch.setattr(metrics, "report", fake.report)
    monkeypatch.setattr(metrics, "series", fake.series)
    monkeypatch.setattr(metrics, "series_many", fake.series_many)
    monkeypatch.setattr(metrics, "top_lists", fake.top_lists)
    return fake


# Real data: topics, official answers and deflected attempts written through the services (or,
# for attempts, as the search app stores them), then rolled up as cron would.

MOSCOW = ZoneInfo("Europe/Moscow")


def moscow(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


def answered_question(*, author, representative, category=None, asked: datetime, hours: int):
    """A question with an official answer `hours` after it was asked."""
    topic = make_topic(author=author, category=category, at=asked)
    reply = make_reply(topic, author=representative, at=asked + timedelta(hours=hours))
    services.answer_mark_official(
        reply=reply, actor=representative, at=asked + timedelta(hours=hours)
    )
    return topic


def deflected_attempt(*, at: datetime, text: str = "как активировать карту") -> SearchAttempt:
    """A new-topic attempt that ended with "this answered my question"."""
    return SearchAttempt.objects.create(
        visitor_key=f"v-{at.timestamp()}-{text}",
        text=text,
        suggestion_count=3,
        started_at=at,
        last_activity_at=at + timedelta(minutes=1),
        opened_at=at + timedelta(seconds=30),
        opened="topic:1",
        deflected_at=at + timedelta(minutes=1),
    )


def roll(start: date, end: date) -> None:
    """The daily rollup over these days, run the day after (as the nightly cron would)."""
    rollup(
        start=start, end=end, at=moscow(end.year, end.month, end.day, 23, 59) + timedelta(days=1)
    )
