"""Forms of the report pages: the period picker (shared by the dashboard and the API) and the ROI
inputs. They validate only; the views and services act."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.metrics import Period
from analytics.models import ReportCosts
from community.models import Category

# A longer range would be a different kind of report (and a heavier one): a year is enough to
# compare seasons, and the API and the dashboard answer within the report budget.
MAX_PERIOD_DAYS = 366


class PeriodKind:
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"

    CHOICES = [
        (WEEK, gettext_lazy("Week")),
        (MONTH, gettext_lazy("Month")),
        (QUARTER, gettext_lazy("Quarter")),
        (CUSTOM, gettext_lazy("Custom dates")),
    ]


def month_period(year: int, month: int) -> Period:
    return Period.month(year, month)


def week_period(day: date) -> Period:
    """The ISO week (Monday to Sunday) that contains day."""
    return Period.week(day)


def quarter_period(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    last_month = first_month + 2
    return Period(
        date(day.year, first_month, 1),
        date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
    )


@dataclass(frozen=True)
class SelectedPeriod:
    """A period the way a manager picked it: its kind decides what "previous" and "next" mean
    (the previous calendar month, not the 31 days before)."""

    kind: str
    period: Period

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def days(self) -> int:
        return (self.period.end - self.period.start).days + 1

    def _shifted(self, direction: int) -> SelectedPeriod:
        if self.kind == PeriodKind.WEEK:
            day = self.start + timedelta(days=7 * direction)
            return SelectedPeriod(self.kind, week_period(day))
        if self.kind == PeriodKind.MONTH:
            day = self.start - timedelta(days=1) if direction < 0 else self.end + timedelta(days=1)
            return SelectedPeriod(self.kind, month_period(day.year, day.month))
        if self.kind == PeriodKind.QUARTER:
            day = self.start - timedelta(days=1) if direction < 0 else self.end + timedelta(days=1)
            return SelectedPeriod(self.kind, quarter_period(day))
        shift = timedelta(days=self.days * direction)
        return SelectedPeriod(self.kind, Period(self.start + shift, self.end + shift))

    def previous(self) -> SelectedPeriod:
        return self._shifted(-1)

    def next(self) -> SelectedPeriod:
        return self._shifted(1)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return date_format(self.start, "F Y").capitalize()
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.start.isocalendar()
            return _("Week %(week)s of %(year)s (%(start)s – %(end)s)") % {
                "week": week,
                "year": year,
                "start": date_format(self.start, "j E"),
                "end": date_format(self.end, "j E"),
            }
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return f"{date_format(self.start, 'j E Y')} – {date_format(self.end, 'j E Y')}"

    @property
    def slug(self) -> str:
        """The period in report URLs and file names: 2026-10, 2026-W43, 2026-07-01--2026-09-30."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}--{self.end.isoformat()}"

    def query(self) -> dict[str, str]:
        """GET parameters that select this period on the dashboard."""
        if self.kind == PeriodKind.CUSTOM:
            return {
                "period": self.kind,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        return {"period": self.kind, "date": self.start.isoformat()}


class DateRangeForm(forms.Form):
    """start ≤ end, at most MAX_PERIOD_DAYS days. The API uses it as it is; the dashboard adds
    the calendar periods below."""

    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)

    range_required = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name].error_messages["invalid"] = _(
                "Enter a date as YYYY-MM-DD, for example 2026-10-31."
            )

    def clean_range(self) -> None:
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if self.errors.get("start") or self.errors.get("end"):
            return
        if start is None:
            self.add_error("start", _("Enter the first day of the period."))
        if end is None:
            self.add_error("end", _("Enter the last day of the period."))
        if start is None or end is None:
            return
        if start > end:
            self.add_error("end", _("The last day cannot be earlier than the first day."))
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error(
                "end",
                _("The period is too long: at most %(days)s days.") % {"days": MAX_PERIOD_DAYS},
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.range_required:
            self.clean_range()
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class PeriodForm(DateRangeForm):
    """The dashboard's period picker: a week, month or quarter around a day, or custom dates."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PeriodKind.CHOICES, initial=PeriodKind.MONTH
    )
    date = forms.DateField(
        label=gettext_lazy("Containing the day"),
        required=False,
        help_text=gettext_lazy("For a week, month or quarter: any day in it."),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.order_by("position", "name"),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )

    field_order = ["period", "date", "start", "end", "category"]

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["date"].error_messages["invalid"] = self.fields["start"].error_messages[
            "invalid"
        ]

    @property
    def range_required(self) -> bool:  # type: ignore[override]
        return self.cleaned_data.get("period") == PeriodKind.CUSTOM

    @property
    def selected(self) -> SelectedPeriod:
        kind = self.cleaned_data["period"]
        if kind == PeriodKind.CUSTOM:
            return SelectedPeriod(kind, self.period)
        day = self.cleaned_data.get("date") or self.today
        if kind == PeriodKind.WEEK:
            return SelectedPeriod(kind, week_period(day))
        if kind == PeriodKind.QUARTER:
            return SelectedPeriod(kind, quarter_period(day))
        return SelectedPeriod(kind, month_period(day.year, day.month))


class ReportCostsForm(forms.ModelForm):
    """The manager's estimates that turn deflected contacts into money (ROI)."""

    class Meta:
        model = ReportCosts
        fields = ["call", "email", "monthly"]
        labels = {
            "call": gettext_lazy("Cost of one call-centre contact, ₽"),
            "email": gettext_lazy("Cost of one e-mail contact, ₽"),
            "monthly": gettext_lazy("The community's monthly cost, ₽"),
        }
        help_texts = {
            "call": gettext_lazy("What one call to the contact centre costs the bank."),
            "email": gettext_lazy("What answering one written request costs the bank."),
            "monthly": gettext_lazy(
                "Licence, hosting and the staff time spent answering in the community."
            ),
        }

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None:
            # People type amounts the Russian way too: "1 500,50". The number input sends a
            # point, but the form must also work where the browser sends the text as typed.
            data = data.copy()
            for name in self.Meta.fields:
                if isinstance(data.get(name), str):
                    data[name] = "".join(data[name].split()).replace(",", ".")
        super().__init__(data, *args, **kwargs)
        for name in self.Meta.fields:
            field = self.fields[name]
            field.required = True
            field.min_value = Decimal("0")
            field.widget.attrs.update({"min": "0", "step": "0.01", "inputmode": "decimal"})
            field.error_messages["invalid"] = _("Enter an amount in roubles, for example 350.50.")
            field.error_messages["required"] = _("Enter an amount (0 if there is none).")

    def clean_call(self) -> Decimal:
        return self._not_negative("call")

    def clean_email(self) -> Decimal:
        return self._not_negative("email")

    def clean_monthly(self) -> Decimal:
        value = self._not_negative("monthly")
        if value == 0:
            raise forms.ValidationError(
                _("ROI is the saving divided by this cost, so it must be more than zero.")
            )
        return value

    def _not_negative(self, name: str) -> Decimal:
        value = self.cleaned_data[name]
        if value < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return value
