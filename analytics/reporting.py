"""Reads and writes behind the report pages, the exports and the scheduled e-mail: the ROI inputs
and a period's figures with the period before them. The formulas are in analytics.metrics."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from analytics import display, metrics
from analytics.exports import report_csv
from analytics.forms import PeriodKind, SelectedPeriod
from analytics.models import ReportCosts, ReportDelivery
from analytics.pdf import report_pdf
from analytics.permissions import can_edit_report_costs, can_receive_reports
from community.models import Category


def current_costs() -> ReportCosts | None:
    """The inputs saved last, or None while nobody has entered them (ROI then has no data)."""
    return ReportCosts.objects.select_related("updated_by").current()


@transaction.atomic
def report_costs_set(
    *, user: User, call: Decimal, email: Decimal, monthly: Decimal, at: datetime | None = None
) -> ReportCosts:
    """Saves new ROI inputs. Each save is a new row, so the history of the estimates (and who
    changed them) stays; reports use the latest."""
    if not can_edit_report_costs(user):
        raise PermissionDenied(_("Only managers and the community owner set the ROI inputs."))
    return ReportCosts.objects.create(
        call=call, email=email, monthly=monthly, updated_by=user, updated_at=at or timezone.now()
    )


def report_url(selected: SelectedPeriod, fmt: str = "") -> str:
    """The report page of a period, or with fmt "csv" / "pdf" its file."""
    if selected.kind == PeriodKind.MONTH:
        name = "analytics:report-month"
        kwargs = {"year": f"{selected.start:%Y}", "month": f"{selected.start:%m}"}
    elif selected.kind == PeriodKind.WEEK:
        year, week, _weekday = selected.start.isocalendar()
        name = "analytics:report-week"
        kwargs = {"year": str(year), "week": f"{week:02d}"}
    else:
        name = "analytics:report-range"
        kwargs = {"start": selected.start.isoformat(), "end": selected.end.isoformat()}
    if fmt:
        return reverse(f"{name}-file", kwargs={**kwargs, "fmt": f".{fmt}"})
    return reverse(name, kwargs=kwargs)


@dataclass
class Report:
    """One period's figures ready for any output: page, CSV, PDF or e-mail."""

    selected: SelectedPeriod
    rows: list[display.Row]
    costs: ReportCosts | None
    category: Category | None = None
    previous: SelectedPeriod | None = field(default=None)

    @property
    def period(self) -> metrics.Period:
        return self.selected.period

    @property
    def groups(self) -> list[tuple[str, str, list[display.Row]]]:
        return [
            (group, display.group_label(group), rows) for group, rows in display.grouped(self.rows)
        ]

    @property
    def kpis(self) -> list[display.Row]:
        return display.kpi_rows(self.rows)

    @property
    def costs_display(self) -> list[tuple[str, str]]:
        """The ROI inputs in force, as (label, amount) for pages, PDF and e-mail."""
        if self.costs is None:
            return []
        return [
            (_("Cost of one call-centre contact"), display.format_value(self.costs.call, "money")),
            (_("Cost of one e-mail contact"), display.format_value(self.costs.email, "money")),
            (_("The community's monthly cost"), display.format_value(self.costs.monthly, "money")),
        ]

    @cached_property
    def representatives(self) -> list[dict]:
        """Each representative's replies and median first response in the period."""
        return [
            {
                "name": row.name,
                "replies": row.replies,
                "first_responses": row.first_responses,
                "median": display.format_value(row.response_median_hours, "hours"),
            }
            for row in metrics.representatives(
                self.period, category_id=self.category.pk if self.category else None
            )
        ]

    def row(self, key: str) -> display.Row | None:
        return next((row for row in self.rows if row.key == key), None)


def report_for(selected: SelectedPeriod, *, category: Category | None = None) -> Report:
    """The figures of a period and, for the change columns, of the period before it, with the
    ROI inputs in force now (the manager's current estimate applies to every period shown)."""
    saved = current_costs()
    costs = saved.as_costs() if saved else None
    category_id = category.pk if category else None
    previous = selected.previous()
    figures = metrics.report(selected.period, costs=costs, category_id=category_id)
    before = metrics.report(previous.period, costs=costs, category_id=category_id)
    return Report(
        selected=selected,
        rows=display.rows(figures, before),
        costs=saved,
        category=category,
        previous=previous,
    )


def report_recipients():
    """Everyone who may read reports and has an address, in a stable order."""
    return (
        User.objects.filter(is_active=True, deleted_at__isnull=True)
        .filter(Q(is_manager=True) | Q(is_community_owner=True))
        .exclude(email="")
        .order_by("pk")
    )


def last_complete(kind: str, today: date) -> SelectedPeriod:
    """The latest week or month that ended before today."""
    if kind == PeriodKind.WEEK:
        return SelectedPeriod(kind, metrics.Period.week(today)).previous()
    return SelectedPeriod(kind, metrics.Period.month(today.year, today.month)).previous()


def _report_message(
    report: Report, *, recipient: User, site_url: str, csv_text: str, pdf: bytes
) -> EmailMultiAlternatives:
    ctx = {
        "report": report,
        "recipient": recipient,
        "COMMUNITY_NAME": settings.COMMUNITY_NAME,
        "LANGUAGE_CODE": translation.get_language(),
        "report_url": site_url + report_url(report.selected),
        "dashboard_url": site_url + reverse("analytics:dashboard"),
        "definitions_url": site_url + reverse("analytics:definitions"),
        "costs_url": site_url + reverse("analytics:costs"),
    }
    subject = _("%(community)s: community report, %(period)s") % {
        "community": settings.COMMUNITY_NAME,
        "period": report.selected.label,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/report.txt", ctx),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("email/report.html", ctx), "text/html")
    message.attach(f"report-{report.selected.slug}.csv", csv_text, "text/csv")
    message.attach(f"report-{report.selected.slug}.pdf", pdf, "application/pdf")
    return message


@transaction.atomic
def report_deliver(
    *, selected: SelectedPeriod, at: datetime, site_url: str = ""
) -> ReportDelivery | None:
    """E-mails the period's report to every reader, once per period: the delivery row is
    written first, under the unique constraint, and in the same transaction as the sending, so
    a second run (or a concurrent one) sends nothing and a failed run leaves no row and can be
    repeated. Returns None when the period was delivered before or nobody can receive it."""
    if selected.kind not in (PeriodKind.WEEK, PeriodKind.MONTH):
        raise ValueError("Only weekly and monthly reports are e-mailed.")
    recipients = [user for user in report_recipients() if can_receive_reports(user)]
    if not recipients:
        return None
    try:
        with transaction.atomic():
            delivery = ReportDelivery.objects.create(
                period_kind=selected.kind,
                period_start=selected.start,
                sent_at=at,
                recipient_count=len(recipients),
            )
    except IntegrityError:
        return None

    site_url = (site_url or settings.SITE_URL).rstrip("/")
    # One report per language: figures are the same, labels and number formats are not.
    rendered: dict[str, tuple[Report, str, bytes]] = {}
    messages = []
    for user in recipients:
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            if language not in rendered:
                report = report_for(selected)
                rendered[language] = (report, report_csv(report), report_pdf(report, at=at))
            report, csv_text, pdf = rendered[language]
            messages.append(
                _report_message(
                    report, recipient=user, site_url=site_url, csv_text=csv_text, pdf=pdf
                )
            )
    with get_connection() as connection:
        connection.send_messages(messages)
    return delivery
