"""Builders for the metric tests: Moscow times, a rollup over a fixed window, figures by key."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from analytics import metrics
from analytics.metrics import Figure, Period
from analytics.rollup import rollup

MSK = ZoneInfo("Europe/Moscow")
OCTOBER = Period.month(2025, 10)
NOVEMBER = Period.month(2025, 11)
# Long after the test data: every session is over, every 7-day reopen window has closed.
LATER = datetime(2025, 12, 20, 12, 0, tzinfo=MSK)


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)


def roll(*, start: date = date(2025, 9, 25), end: date = date(2025, 12, 5), at=LATER):
    return rollup(start=start, end=end, at=at)


def figures(period: Period = OCTOBER, **kwargs) -> dict[str, Figure]:
    return {figure.key: figure for figure in metrics.report(period, **kwargs)}


def values(period: Period = OCTOBER, **kwargs) -> dict[str, object]:
    return {key: figure.value for key, figure in figures(period, **kwargs).items()}
