"""Server-drawn SVG charts (analytics.charts) and the figure formatting (analytics.display)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from analytics import display
from analytics.charts import line_chart, nice_ceiling


def _days(values):
    return [(date(2026, 10, 1) + timedelta(days=n), value) for n, value in enumerate(values)]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.3, 0.5), (1, 1), (7, 10), (12, 20), (25, 25), (99, 100), (101, 200), (0.04, 0.05)],
)
def test_the_top_gridline_is_a_round_number(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_a_chart_has_a_title_a_description_and_the_img_role():
    svg = str(line_chart(_days([1, 2, 3]), title="Темы", description="Темы по дням"))

    opening = r'<svg class="chart" viewBox="0 0 640 200" role="img"'
    assert re.match(opening + r' aria-labelledby="(chart-\d+)-title \1-desc"', svg)
    assert re.search(
        r'<title id="chart-\d+-title">Темы</title><desc id="chart-\d+-desc">Темы по дням</desc>',
        svg,
    )


def test_text_in_a_chart_is_escaped():
    svg = str(line_chart(_days([1]), title="<script>alert(1)</script>", description='"x"'))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_days_without_data_are_gaps_not_zeros():
    svg = str(line_chart(_days([4, 2, None, None, 3, 1, None, 5]), title="t", description="d"))

    lines = re.findall(r'<polyline class="chart-line" points="([^"]+)"/>', svg)
    dots = re.findall(r'<circle class="chart-dot" cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert [len(points.split()) for points in lines] == [2, 2]  # days 1–2 and 5–6
    assert len(dots) == 1  # day 8 stands alone


def test_the_y_axis_starts_at_zero_and_the_highest_day_is_near_the_top():
    svg = str(line_chart(_days([10, 20]), title="t", description="d", format_axis=str))

    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    (_x1, y1), (_x2, y2) = (map(float, point.split(",")) for point in points)
    assert y2 == 12.0  # 20 is the top gridline: the plot's top edge
    assert y1 == pytest.approx(12 + 160 / 2)  # 10 is half-way down to zero
    assert re.findall(r'text-anchor="end">([^<]+)</text>', svg)[:3] == ["0", "10", "20"]


def test_an_empty_series_draws_an_empty_chart():
    svg = str(line_chart([], title="t", description="d"))

    assert "<polyline" not in svg
    assert "<circle" not in svg


@pytest.mark.parametrize(
    ("value", "unit", "english", "russian"),
    [
        (None, "percent", "no data", None),
        (1234567, "count", "1,234,567", "1\xa0234\xa0567"),
        (Decimal("66.7"), "percent", "66.7 %", "66,7 %"),
        (Decimal("50.0"), "percent", "50 %", "50 %"),
        (Decimal("3.5"), "hours", "3.5 h", None),
        (Decimal("150000.00"), "money", "150,000 ₽", "150\xa0000 ₽"),
        (Decimal("350.50"), "money", "350.50 ₽", "350,50 ₽"),
        (Decimal("-12.0"), "score", "-12", None),
        (Decimal("1.25"), "ratio", "1.25", "1,25"),
        (45, "seconds", "45 s", None),
        (125, "seconds", "2 min 5 s", None),
        (7380, "seconds", "2 h 3 min", None),
    ],
)
def test_values_read_naturally_in_both_languages(value, unit, english, russian):
    with translation.override("en"):
        assert display.format_value(value, unit) == english
    if russian:
        with translation.override("ru"):
            assert display.format_value(value, unit) == russian


@pytest.mark.parametrize(
    ("key", "unit", "now", "before", "text", "good"),
    [
        ("answered_rate", "percent", Decimal("75.0"), Decimal("60.0"), "+15 pp", True),
        ("first_response_median", "hours", Decimal("2.0"), Decimal("4.0"), "−50 %", True),
        ("negative_share", "percent", Decimal("30.5"), Decimal("20.0"), "+10.5 pp", False),
        ("topics_created", "count", 30, 30, "0 %", None),
        ("topics_created", "count", 5, 0, None, None),  # no per cent of zero
        ("nps", "score", None, Decimal("10"), None, None),  # no change from "no data"
        ("cost_call", "money", Decimal("400"), Decimal("350"), "+14 %", None),  # an input
    ],
)
def test_the_change_against_the_previous_period(key, unit, now, before, text, good):
    with translation.override("en"):
        change = display.change(key, unit, now, before)

    if text is None:
        assert change is None
    else:
        assert (change.text, change.is_good) == (text, good)
