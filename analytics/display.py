"""How report figures read on a page, in a PDF and in an e-mail: one formatter per unit, the
change against the previous period, and the cards the dashboard leads with. The numbers
themselves come from analytics.metrics; nothing here computes a metric."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Number = Decimal | int | float

NO_DATA = gettext_lazy("no data")

# The dashboard's cards, in this order, when the report has them: the figures DESIGN.md says
# prove that the community pays off. The rest of the figures are on the report pages.
KPI_KEYS = [
    "answered_rate",
    "first_response_median",
    "fcr",
    "deflection_rate",
    "nps",
    "csat",
    "unique_visitors",
    "roi",
]

# Figures where a fall is the good news. Everything else is better when it grows, except the
# ROI inputs, which are the manager's estimates and neither good nor bad.
LOWER_IS_BETTER = {
    "first_response_median",
    "first_response_p90",
    "resolution_median",
    "resolution_p90",
    "reopened_topics",
    "deflection_failed",
    "searches_zero_result",
    "bounce_rate",
    "negative_share",
}
NEUTRAL = {"cost_call", "cost_email", "calls_share", "cost_per_contact", "community_cost"}

# Charts on the dashboard: daily series of these keys, where the report has them.
CHART_KEYS = ["topics_created", "unique_visitors", "first_response_median", "answered_rate"]


def _decimal_places(value: Number, places: int) -> int:
    """Whole numbers without a decimal tail (12, not 12,0)."""
    return 0 if Decimal(str(value)) == Decimal(str(value)).to_integral_value() else places


def format_number(value: Number, places: int = 1) -> str:
    return number_format(
        value, decimal_pos=_decimal_places(value, places), use_l10n=True, force_grouping=True
    )


def format_duration(seconds: Number) -> str:
    seconds = int(round(float(seconds)))
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min") % {"hours": format_number(hours), "minutes": minutes}


def format_value(value: Number | None, unit: str) -> str:
    """A figure's value as people read it, in the active language."""
    if value is None:
        return str(NO_DATA)
    if unit == "percent":
        return _("%(value)s %%") % {"value": format_number(value, 1)}
    if unit == "hours":
        return _("%(value)s h") % {"value": format_number(value, 1)}
    if unit == "money":
        return _("%(value)s ₽") % {"value": format_number(value, 2)}
    if unit == "seconds":
        return format_duration(value)
    if unit == "ratio":
        return format_number(value, 2)
    if unit == "score":
        return format_number(value, 1)
    return format_number(value, 0)


def format_axis(value: Number, unit: str) -> str:
    """A gridline of a chart: like the value, but a count's half-way line may be 2,5."""
    if unit == "count":
        return format_number(value, 1)
    return format_value(value, unit)


def format_input(value: Number | None) -> str:
    """A numerator or denominator: a plain number, or a dash where the formula has none."""
    if value is None:
        return "—"
    return format_number(value, 2)


@dataclass(frozen=True)
class Change:
    """A figure against the same figure in the previous period."""

    text: str  # "+2,5 п. п.", "−12 %"
    direction: str  # "up" | "down" | "flat"
    is_good: bool | None  # None when neither direction is better (no change)

    @property
    def css_class(self) -> str:
        if self.is_good is None:
            return "change-flat"
        return "change-good" if self.is_good else "change-bad"


def _signed(value: Decimal, places: int) -> str:
    text = format_number(abs(value), places)
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text  # a real minus sign, not a hyphen
    return text


def change(key: str, unit: str, current: Number | None, previous: Number | None) -> Change | None:
    """None when either period has no figure: a change from or to "no data" is not a number.
    Percentages change by percentage points, everything else relatively, in per cent of the
    previous value (none when the previous value was zero)."""
    if current is None or previous is None:
        return None
    now, before = Decimal(str(current)), Decimal(str(previous))
    delta = now - before
    if unit in ("percent", "score"):
        places = 1
        amount = delta
        template = _("%(change)s pp") if unit == "percent" else "%(change)s"
    else:
        if before == 0:
            return None
        places = 0
        amount = (delta / abs(before) * 100).quantize(Decimal("1"))
        template = _("%(change)s %%")
    if amount == 0:
        return Change(text=template % {"change": "0"}, direction="flat", is_good=None)
    direction = "up" if amount > 0 else "down"
    is_good = None if key in NEUTRAL else (direction == "up") != (key in LOWER_IS_BETTER)
    return Change(
        text=template % {"change": _signed(amount, places)}, direction=direction, is_good=is_good
    )


@dataclass(frozen=True)
class Row:
    """A figure ready for a template: the metrics.Figure plus its text and its change."""

    figure: object
    text: str
    numerator: str
    denominator: str
    change: Change | None
    previous_text: str | None

    def __getattr__(self, name: str):
        # key, label, unit, group, anchor… come from the figure itself.
        return getattr(self.figure, name)


def rows(figures, previous=None) -> list[Row]:
    """Figures of a period, each with the change against `previous` (the same keys one period
    earlier), if given."""
    before = {figure.key: figure for figure in previous or []}
    result = []
    for figure in figures:
        earlier = before.get(figure.key)
        result.append(
            Row(
                figure=figure,
                text=format_value(figure.value, figure.unit),
                numerator=format_input(figure.numerator),
                denominator=format_input(figure.denominator),
                change=change(
                    figure.key, figure.unit, figure.value, earlier.value if earlier else None
                ),
                previous_text=format_value(earlier.value, earlier.unit) if earlier else None,
            )
        )
    return result


def kpi_rows(all_rows: list[Row]) -> list[Row]:
    by_key = {row.key: row for row in all_rows}
    return [by_key[key] for key in KPI_KEYS if key in by_key]


# Section headings of the report, by Figure.group. A group missing here is shown by its key, so a
# new metric group never hides its figures.
GROUP_LABELS = {
    "questions": gettext_lazy("Questions and answers"),
    "deflection": gettext_lazy("Deflection and self-service"),
    "kb": gettext_lazy("Knowledge base and search"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "traffic": gettext_lazy("Traffic"),
    "engagement": gettext_lazy("Engagement"),
    "sentiment": gettext_lazy("Sentiment"),
    "representatives": gettext_lazy("Representatives"),
    "roi": gettext_lazy("Return on investment"),
}


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group.replace("_", " ").capitalize()))


def grouped(all_rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """Rows by their group, groups in the order the report lists them."""
    groups: dict[str, list[Row]] = {}
    for row in all_rows:
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())
