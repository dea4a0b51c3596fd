"""Charts drawn on the server as inline SVG: no chart library, no script, nothing downloaded, and
they print. Colours come from classes in site.css (the CSP forbids inline styles, and the dark
scheme needs its own colours). Every chart has a <title> and a <desc> for screen readers; pages
show the same numbers in a table beside it."""

import math
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import count

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Number = Decimal | int | float

WIDTH = 640
HEIGHT = 200
# Room for the value labels on the left and the dates under the axis.
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28

# Ids inside one page must be unique; several charts share a page.
_ids = count(1)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above value, so the top gridline reads well."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value * (1 - 1e-12):
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns at step 10


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points: a day without data is a gap, never a zero."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def line_chart(
    series: Sequence[tuple[date, Number | None]],
    *,
    title: str,
    description: str,
    format_axis: Callable[[Number], str] = str,
) -> SafeString:
    """A daily series as a line (dots where a day stands alone). Days with value None are left
    out of the line; the y axis starts at zero so that changes are not exaggerated."""
    chart_id = f"chart-{next(_ids)}"
    known = [float(value) for _, value in series if value is not None]
    top = nice_ceiling(max(known)) if known else 1.0
    bottom = min(0.0, min(known)) if known else 0.0
    span = top - bottom or 1.0
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = len(series)

    def x(i: int) -> float:
        return PAD_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(value: float) -> float:
        return PAD_TOP + plot_h * (1 - (value - bottom) / span)

    points = [
        None if value is None else (round(x(i), 1), round(y(float(value)), 1))
        for i, (_, value) in enumerate(series)
    ]
    runs = _segments(points)
    lines = format_html_join(
        "",
        '<polyline class="chart-line" points="{}"/>',
        ((" ".join(f"{px},{py}" for px, py in run),) for run in runs if len(run) > 1),
    )
    dots = format_html_join(
        "",
        '<circle class="chart-dot" cx="{}" cy="{}" r="3"/>',
        (run[0] for run in runs if len(run) == 1),
    )
    grid = format_html_join(
        "",
        '<line class="chart-rule" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (PAD_LEFT, WIDTH - PAD_RIGHT, round(y(v), 1), round(y(v), 1))
            + (PAD_LEFT - 6, round(y(v), 1) + 4, format_axis(_as_number(v)))
            for v in ([bottom, top] if bottom < 0 else [0.0, top / 2, top])
        ),
    )
    dates = ""
    if series:
        first, last = series[0][0], series[-1][0]
        dates = format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="start">{}</text>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
            PAD_LEFT,
            HEIGHT - 8,
            date_format(first, "SHORT_DATE_FORMAT"),
            WIDTH - PAD_RIGHT,
            HEIGHT - 8,
            date_format(last, "SHORT_DATE_FORMAT"),
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' preserveAspectRatio="xMidYMid meet" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        grid,
        dates,
        lines,
        dots,
    )


def _as_number(value: float) -> Number:
    """Gridline values without a spurious ".0": 50 rather than 50.0."""
    return int(value) if float(value).is_integer() else value
