"""Manager reports: the dashboard, monthly / weekly / custom report pages with CSV and PDF, the
metric definitions, the ROI inputs and the API token. Only managers and the community owner get
in (analytics.permissions); anonymous visitors are sent to sign in, everyone else gets 403."""

import functools
import re
from datetime import date, timedelta
from pathlib import Path

import bleach
import markdown
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit
from rest_framework.authtoken.models import Token

from analytics import charts, display, exports, metrics, permissions, reporting
from analytics.forms import (
    PeriodForm,
    PeriodKind,
    ReportCostsForm,
    SelectedPeriod,
    month_period,
    quarter_period,
    week_period,
)
from analytics.pdf import report_pdf
from analytics.reporting import report_url
from community.markup import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS
from community.redirects import same_site_url

DEFINITIONS_PATH = Path(settings.BASE_DIR) / "docs" / "metrics.md"
# Writes on these pages are rare (a cost estimate, a token): a low limit costs nobody anything.
WRITE_RATE = "30/h"


def reports_access(view):
    """Sign-in first, then the role: a customer who follows a link gets a clear 403."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_read_reports(request.user):
            raise PermissionDenied(
                _("Reports are for the bank's managers and the community owner.")
            )
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return same_site_url(request, target) or fallback


def _dashboard_url(selected: SelectedPeriod, category_id: int | None = None) -> str:
    query = selected.query()
    if category_id:
        query["category"] = str(category_id)
    return f"{reverse('analytics:dashboard')}?{urlencode(query)}"


def _chart_context(report: reporting.Report) -> list[dict]:
    """Daily series of the chart keys the report has, each drawn and tabulated."""
    rows = {key: row for key in display.CHART_KEYS if (row := report.row(key)) is not None}
    # All the charts from one read of the daily rollups, not one read (and one pass over the
    # days' figures) per chart.
    all_points = metrics.series_many(rows, report.period) if rows else {}
    result = []
    for key, row in rows.items():
        points = all_points[key]
        fmt = functools.partial(display.format_value, unit=row.unit)
        result.append(
            {
                "row": row,
                "svg": charts.line_chart(
                    points,
                    title=str(row.label),
                    description=_("%(metric)s per day, %(period)s")
                    % {"metric": row.label, "period": report.selected.label},
                    format_axis=functools.partial(display.format_axis, unit=row.unit),
                ),
                "points": [(day, fmt(value)) for day, value in points],
            }
        )
    return result


def _top_lists(period: metrics.Period) -> list[tuple[str, list[tuple[str, int]]]]:
    titles = {
        "zero_result_queries": _("Searches that found nothing"),
        "articles": _("Most read articles"),
        "topics": _("Most viewed topics"),
        "categories": _("Categories with most new topics"),
        "representatives": _("Representatives with most answers"),
    }
    lists = metrics.top_lists(period)
    return [(titles.get(name, name), items) for name, items in lists.items()]


@require_safe
@reports_access
def report_dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        # Keep what the manager typed, show the errors, and the current month underneath.
        selected = SelectedPeriod(PeriodKind.MONTH, month_period(*_this_month()))
        category = None
    else:
        selected = form.selected if form.is_bound else _default_period()
        category = form.cleaned_data.get("category") if form.is_bound else None
    report = reporting.report_for(selected, category=category)
    category_id = category.pk if category else None
    ctx = {
        "form": form,
        "report": report,
        "kpis": report.kpis,
        "charts": _chart_context(report) if category is None else [],
        "top_lists": _top_lists(report.period) if category is None else [],
        "previous_url": _dashboard_url(selected.previous(), category_id),
        "next_url": _dashboard_url(selected.next(), category_id),
        "report_url": report_url(selected),
        "is_partial": selected.end >= timezone.localdate(),
        "csv_url": report_url(selected, "csv"),
        "pdf_url": report_url(selected, "pdf"),
        "recent_months": _recent(PeriodKind.MONTH),
        "recent_weeks": _recent(PeriodKind.WEEK),
    }
    return render(request, "analytics/dashboard.html", ctx)


def _this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def _default_period() -> SelectedPeriod:
    return SelectedPeriod(PeriodKind.MONTH, month_period(*_this_month()))


def _recent(kind: str, count: int = 6) -> list[tuple[str, str]]:
    """Links to the last complete periods, newest first."""
    today = timezone.localdate()
    if kind == PeriodKind.MONTH:
        current = SelectedPeriod(kind, month_period(today.year, today.month))
    else:
        current = SelectedPeriod(kind, week_period(today))
    result = []
    for _index in range(count):
        current = current.previous()
        result.append((current.label, report_url(current)))
    return result


def _render_report(request: HttpRequest, selected: SelectedPeriod, fmt: str) -> HttpResponse:
    report = reporting.report_for(selected)
    if fmt == ".csv":
        response = HttpResponse(exports.report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="report-{selected.slug}.csv"'
        return response
    if fmt == ".pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="report-{selected.slug}.pdf"'
        return response
    ctx = {
        "report": report,
        "previous_url": report_url(selected.previous()),
        "next_url": report_url(selected.next()),
        "csv_url": report_url(selected, "csv"),
        "pdf_url": report_url(selected, "pdf"),
        "dashboard_url": _dashboard_url(selected),
        "is_partial": selected.end >= timezone.localdate(),
        "costs_form_url": f"{reverse('analytics:costs')}?{urlencode({'next': request.path})}",
    }
    return render(request, "analytics/report_detail.html", ctx)


@require_safe
@reports_access
def report_month(request: HttpRequest, year: str, month: str, fmt: str = "") -> HttpResponse:
    try:
        period = month_period(int(year), int(month))
    except ValueError:
        raise Http404 from None
    return _render_report(request, SelectedPeriod(PeriodKind.MONTH, period), fmt)


@require_safe
@reports_access
def report_week(request: HttpRequest, year: str, week: str, fmt: str = "") -> HttpResponse:
    try:
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise Http404 from None
    return _render_report(request, SelectedPeriod(PeriodKind.WEEK, week_period(monday)), fmt)


@require_safe
@reports_access
def report_range(request: HttpRequest, start: str, end: str, fmt: str = "") -> HttpResponse:
    """Any other period (a quarter, custom dates), within the limits of the period picker."""
    form = PeriodForm({"period": PeriodKind.CUSTOM, "start": start, "end": end})
    if not form.is_valid():
        raise Http404
    period = form.period
    kind = PeriodKind.CUSTOM
    if quarter_period(period.start) == period:
        kind = PeriodKind.QUARTER
    return _render_report(request, SelectedPeriod(kind, period), fmt)


def _definitions_html() -> str:
    """docs/metrics.md as HTML, with an id on each heading so that figures can link to their
    definition (the Figure.anchor). The file is ours, not user text, but it still goes through
    the same sanitizer as everything else."""
    if not DEFINITIONS_PATH.exists():
        return ""
    source = DEFINITIONS_PATH.read_text(encoding="utf-8")
    html = markdown.markdown(
        source,
        extensions=["toc", "attr_list", "tables", "fenced_code", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},
    )
    # The page has its own h1: the document's headings move one level down.
    html = re.sub(r"<(/?)h([1-5])([ >])", lambda m: f"<{m[1]}h{int(m[2]) + 1}{m[3]}", html)
    return _definitions_cleaner.clean(html)


# The sanitizer of community.markup, plus the ids the links to each definition need.
_definitions_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS | {"h2"},
    attributes={
        **ALLOWED_ATTRIBUTES,
        **{f"h{level}": ["id"] for level in range(2, 7)},
        "a": ["href", "title", "id"],
    },
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
)


@require_safe
@reports_access
def report_definitions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "analytics/report_definitions.html", {"definitions": _definitions_html()}
    )


@reports_access
@ratelimit(key="user", rate=WRITE_RATE, method="POST", block=False)
def report_costs(request: HttpRequest) -> HttpResponse:
    """The ROI inputs. Each save is a new ReportCosts row; every report after it uses it."""
    current = reporting.current_costs()
    next_url = _safe_next(request, reverse("analytics:dashboard"))
    if request.method == "POST":
        form = ReportCostsForm(request.POST)
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many changes. Please wait a few minutes."))
        elif form.is_valid():
            reporting.report_costs_set(user=request.user, **form.cleaned_data)
            messages.success(request, _("ROI inputs saved. Reports now use them."))
            return redirect(next_url)
    else:
        form = ReportCostsForm(instance=current)
    ctx = {"form": form, "current": current, "next": next_url}
    return render(request, "analytics/report_costs.html", ctx)


@reports_access
@ratelimit(key="user", rate=WRITE_RATE, method="POST", block=False)
def report_api_token(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke the manager's token for /api/v1/reports/. The key is shown once,
    right after it is created: afterwards only its first characters."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if getattr(request, "limited", False):
            messages.error(request, _("Too many changes. Please wait a few minutes."))
            return redirect("analytics:api-token")
        if action == "revoke":
            Token.objects.filter(user=request.user).delete()
            messages.success(request, _("The token is revoked. Programs that used it lose access."))
            return redirect("analytics:api-token")
        if action != "create":
            return HttpResponse(_("Unknown action."), status=400)
        # A new token replaces the old one: one token per person, and the old one stops working.
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        new_key = token.key
    ctx = {
        "token": token,
        "new_key": new_key,
        "summary_url": request.build_absolute_uri(reverse("analytics-api:summary")),
        "example_start": (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1),
    }
    ctx["example_end"] = month_period(ctx["example_start"].year, ctx["example_start"].month).end
    response = render(request, "analytics/report_api_token.html", ctx)
    if new_key:
        # The page carries a secret: keep it out of every cache and of the browser's history.
        response["Cache-Control"] = "no-store"
    return response
