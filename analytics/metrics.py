"""Every report figure, computed from the daily rollups and the per-topic fact table that
`manage.py rollup_metrics` fills (analytics/rollup.py). The formulas are written out with worked
examples in docs/metrics.md; each Figure's `anchor` is its section there.

A figure without data is None ("нет данных"), never zero or a guess: a ratio with a zero
denominator, a median of nothing, ROI without the manager's inputs."""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from analytics.models import DailyCount, ParticipantDay, TopicFact
from community.models import Category
from knowledge_base.models import Article

Number = Decimal | int | float


@dataclass(frozen=True)
class Period:
    """Inclusive local days (settings.TIME_ZONE, Europe/Moscow by default)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    @classmethod
    def day(cls, day: date) -> "Period":
        return cls(day, day)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def week(cls, day: date) -> "Period":
        """The ISO week, Monday to Sunday, that contains the day."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one. A calendar month's previous is
        the previous calendar month, so October compares with September, not with 31 days."""
        if self.is_calendar_month:
            before = self.start - timedelta(days=1)
            return Period.month(before.year, before.month)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def is_calendar_month(self) -> bool:
        return self == Period.month(self.start.year, self.start.month)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnight of the first day to local midnight
        after the last, so a period is exactly its local days whatever the UTC offset."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


@dataclass(frozen=True)
class Costs:
    """The manager's ROI inputs: cost of one call-centre contact, of one e-mail contact, and the
    community's monthly cost (licences, hosting, the staff hours spent answering)."""

    call: Decimal
    email: Decimal
    monthly: Decimal


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Number | None
    unit: str  # "count" | "percent" | "hours" | "money" | "ratio" | "score" | "seconds"
    numerator: Number | None
    denominator: Number | None
    anchor: str
    group: str


# Rounding of reported values; numerators and denominators stay exact.
PLACES = {
    "percent": Decimal("0.1"),
    "hours": Decimal("0.1"),
    "score": Decimal("0.1"),
    "ratio": Decimal("0.01"),
    "money": Decimal("0.01"),
    "seconds": Decimal("1"),
}


def rounded(value: Number | None, unit: str) -> Number | None:
    if value is None or unit == "count":
        return value
    return Decimal(value).quantize(PLACES[unit], rounding=ROUND_HALF_UP)


def ratio(numerator: Number | None, denominator: Number | None, scale: int = 100) -> Decimal | None:
    """numerator / denominator × scale, or None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * scale / Decimal(denominator)


def sla_hours() -> int:
    return int(getattr(settings, "ANALYTICS_SLA_HOURS", 24))


def call_share() -> Decimal:
    """Of the contacts the community saves, the share that would have been calls (the rest
    e-mails). The bank's contact-centre statistics give it; see docs/metrics.md, "ROI"."""
    return Decimal(str(getattr(settings, "ANALYTICS_ROI_CALL_SHARE", "0.5")))


def months_in(period: Period) -> Decimal:
    """How many months of the community's monthly cost a period carries: each calendar month
    counts in full, a part of a month by its share of that month's days."""
    months = Decimal(0)
    day = period.start
    while day <= period.end:
        month_days = calendar.monthrange(day.year, day.month)[1]
        last = min(period.end, date(day.year, day.month, month_days))
        months += Decimal((last - day).days + 1) / Decimal(month_days)
        day = last + timedelta(days=1)
    return months


# ---------------------------------------------------------------------------------------------
# Inputs: everything the formulas need for one period (or one day), read from the rollups.

# Daily-count properties split by category. The others are community-wide (category 0).
CATEGORY_PROPERTIES = [
    "topics_created",
    "ideas_taken",
    "ideas_done",
    "representative_replies",
    "csat_answers",
]
COMMUNITY_PROPERTIES = [
    "nps_answers",
    "nps_shown",
    "nps_shown_answered",
    "searches",
    "searches_clicked",
    "searches_zero",
    "attempts",
    "attempts_deflected",
    "attempts_posted",
    "attempts_potential",
    "kb_feedback_yes",
    "kb_feedback_no",
    "page_views",
    "unique_visitors",
    "sessions",
    "bounces",
    "session_seconds",
    "search_engine_sessions",
    "self_service_sessions",
    "kb_article_views",
]
# Properties whose subgroup the formulas read (topic kind, survey score).
SUBGROUPED = {"topics_created", "csat_answers", "nps_answers"}


@dataclass
class Inputs:
    counts: dict[str, int]
    by_subgroup: dict[tuple[str, str], int]
    cohort: dict[str, int]
    resolved_cohort: dict[str, int]
    participants: int
    contributions: int
    response_p50: float | None = None
    response_p90: float | None = None
    resolution_p50: float | None = None
    resolution_p90: float | None = None

    def count(self, property: str) -> int:
        return self.counts.get(property, 0)

    def sub(self, property: str, subgroup: str) -> int:
        return self.by_subgroup.get((property, subgroup), 0)

    def sub_sum(self, property: str, subgroups: range) -> int:
        return sum(self.sub(property, str(n)) for n in subgroups)


def _cohort_aggregates() -> dict:
    return {
        "created": Count("pk"),
        "answered": Count("pk", filter=Q(is_answered=True)),
        "responded": Count("pk", filter=Q(first_response_at__isnull=False)),
        "within_sla": Count("pk", filter=Q(response_seconds__lte=sla_hours() * 3600)),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "fcr": Count("pk", filter=Q(is_fcr=True)),
        "reopened": Count("pk", filter=Q(reopened_at__isnull=False)),
    }


def _resolved_aggregates() -> dict:
    return {
        "offered": Count("pk"),
        "rated": Count("pk", filter=Q(csat_score__isnull=False)),
    }


def _facts(category_id: int | None):
    facts = TopicFact.objects.filter(is_hidden=False)
    return facts.filter(category_id=category_id) if category_id else facts


def _daily_counts(period: Period, category_id: int | None):
    rows = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if category_id:
        return rows.filter(property__in=CATEGORY_PROPERTIES, category_id=category_id)
    return rows.filter(property__in=CATEGORY_PROPERTIES + COMMUNITY_PROPERTIES)


def _split_counts(rows) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    counts: dict[str, int] = {}
    by_subgroup: dict[tuple[str, str], int] = {}
    for property, subgroup, value in rows:
        counts[property] = counts.get(property, 0) + value
        if property in SUBGROUPED:
            key = (property, subgroup)
            by_subgroup[key] = by_subgroup.get(key, 0) + value
    return counts, by_subgroup


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression); nulls are
    left out, as percentile() leaves them out."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, *, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def _percentile_in_sql(queryset, field: str, n: int, fraction: float) -> float | None:
    """The percentile of a column over n rows, reading only the two rows around its rank."""
    if not n:
        return None
    position = (n - 1) * fraction
    low = int(position)
    rows = list(
        queryset.filter(**{f"{field}__isnull": False})
        .order_by(field)
        .values_list(field, flat=True)[low : low + 2]
    )
    return percentile([float(value) for value in rows], 0.0 if len(rows) == 1 else position - low)


def _inputs(period: Period, category_id: int | None) -> Inputs:
    counts, by_subgroup = _split_counts(
        _daily_counts(period, category_id)
        .values("property", "subgroup")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("property", "subgroup", "total")
    )
    cohort_rows = _facts(category_id).filter(
        created_day__gte=period.start, created_day__lte=period.end
    )
    in_database = connection.vendor == "postgresql"
    cohort = cohort_rows.aggregate(
        **_cohort_aggregates(),
        # In the same pass over the period's topics where the database can rank them.
        **(_percentile_aggregates() if in_database else {}),
    )
    resolved_cohort = (
        _facts(category_id)
        .filter(resolved_day__gte=period.start, resolved_day__lte=period.end, author_is_staff=False)
        .aggregate(**_resolved_aggregates())
    )
    participants = ParticipantDay.objects.filter(day__gte=period.start, day__lte=period.end)
    if category_id:
        participants = participants.filter(category_id=category_id)
    people = participants.aggregate(
        users=Count("user_id", distinct=True), contributions=Sum("contributions")
    )
    inputs = Inputs(
        counts=counts,
        by_subgroup=by_subgroup,
        cohort=cohort,
        resolved_cohort=resolved_cohort,
        participants=people["users"] or 0,
        contributions=people["contributions"] or 0,
    )
    if in_database:
        for name in PERCENTILE_FIELDS:
            setattr(inputs, name, cohort.pop(name))
        return inputs
    return replace(
        inputs,
        response_p50=_percentile_in_sql(cohort_rows, "response_seconds", cohort["responded"], 0.5),
        response_p90=_percentile_in_sql(cohort_rows, "response_seconds", cohort["responded"], 0.9),
        resolution_p50=_percentile_in_sql(
            cohort_rows, "resolution_seconds", cohort["resolved"], 0.5
        ),
        resolution_p90=_percentile_in_sql(
            cohort_rows, "resolution_seconds", cohort["resolved"], 0.9
        ),
    )


PERCENTILE_FIELDS = ["response_p50", "response_p90", "resolution_p50", "resolution_p90"]


def _percentile_aggregates() -> dict:
    return {
        "response_p50": PercentileCont("response_seconds", fraction=0.5),
        "response_p90": PercentileCont("response_seconds", fraction=0.9),
        "resolution_p50": PercentileCont("resolution_seconds", fraction=0.5),
        "resolution_p90": PercentileCont("resolution_seconds", fraction=0.9),
    }


def _daily_inputs(period: Period, category_id: int | None, *, percentiles: bool) -> dict:
    """The inputs of each day of the period, in a handful of grouped queries."""
    days = {day: Inputs({}, {}, {}, {}, 0, 0) for day in period.each_day()}
    grouped: dict[date, list] = {day: [] for day in days}
    for day, property, subgroup, total in (
        _daily_counts(period, category_id)
        .values("day", "property", "subgroup")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("day", "property", "subgroup", "total")
    ):
        grouped[day].append((property, subgroup, total))
    for day, rows in grouped.items():
        days[day].counts, days[day].by_subgroup = _split_counts(rows)

    facts = _facts(category_id)
    for row in (
        facts.filter(created_day__gte=period.start, created_day__lte=period.end)
        .values("created_day")
        .annotate(**_cohort_aggregates())
        .order_by()
    ):
        days[row.pop("created_day")].cohort = row
    for row in (
        facts.filter(
            resolved_day__gte=period.start, resolved_day__lte=period.end, author_is_staff=False
        )
        .values("resolved_day")
        .annotate(**_resolved_aggregates())
        .order_by()
    ):
        days[row.pop("resolved_day")].resolved_cohort = row
    participants = ParticipantDay.objects.filter(day__gte=period.start, day__lte=period.end)
    if category_id:
        participants = participants.filter(category_id=category_id)
    for row in (
        participants.values("day")
        .annotate(users=Count("user_id", distinct=True), contributions=Sum("contributions"))
        .order_by()
    ):
        days[row["day"]].participants = row["users"]
        days[row["day"]].contributions = row["contributions"]

    if percentiles and connection.vendor == "postgresql":
        # The database ranks each day's rows itself (percentile_cont, the same interpolation
        # as percentile() below) instead of sending every topic of the period here.
        for row in (
            facts.filter(created_day__gte=period.start, created_day__lte=period.end)
            .values("created_day")
            .annotate(**_percentile_aggregates())
            .order_by()
        ):
            inputs = days[row.pop("created_day")]
            for name, value in row.items():
                setattr(inputs, name, value)
    elif percentiles:
        samples: dict[date, tuple[list, list]] = {day: ([], []) for day in days}
        for day, response, resolution in (
            facts.filter(created_day__gte=period.start, created_day__lte=period.end)
            .order_by()
            .values_list("created_day", "response_seconds", "resolution_seconds")
        ):
            if response is not None:
                samples[day][0].append(float(response))
            if resolution is not None:
                samples[day][1].append(float(resolution))
        for day, (responses, resolutions) in samples.items():
            responses.sort()
            resolutions.sort()
            days[day].response_p50 = percentile(responses, 0.5)
            days[day].response_p90 = percentile(responses, 0.9)
            days[day].resolution_p50 = percentile(resolutions, 0.5)
            days[day].resolution_p90 = percentile(resolutions, 0.9)
    return days


# ---------------------------------------------------------------------------------------------
# The formulas (docs/metrics.md)


def _hours(seconds: float | None) -> Decimal | None:
    return None if seconds is None else Decimal(str(seconds)) / 3600


def _figures(
    i: Inputs, *, period: Period, costs: Costs | None, category_id: int | None
) -> list[Figure]:
    figures: list[Figure] = []
    community_wide = category_id is None

    def add(key, label, value, unit, numerator, denominator, anchor, group, *, everywhere=False):
        if community_wide or everywhere:
            figures.append(
                Figure(
                    key,
                    str(label),
                    rounded(value, unit),
                    unit,
                    numerator,
                    denominator,
                    anchor,
                    group,
                )
            )

    def count(key, label, value, anchor, group, *, everywhere=False):
        add(key, label, value, "count", value, None, anchor, group, everywhere=everywhere)

    def share(key, label, numerator, denominator, anchor, group, *, everywhere=False):
        add(
            key,
            label,
            ratio(numerator, denominator),
            "percent",
            numerator,
            denominator,
            anchor,
            group,
            everywhere=everywhere,
        )

    # Questions and answers: topics created in the period (a cohort), whatever happened later.
    c = i.cohort
    created = c.get("created", 0)
    kinds = {
        kind: i.sub("topics_created", kind) for kind in ("question", "idea", "problem", "thanks")
    }
    g = "questions"
    count("topics_created", _("Topics created"), created, "topics-created", g, everywhere=True)
    count(
        "topics_questions", _("Questions"), kinds["question"], "topics-created", g, everywhere=True
    )
    count("topics_ideas", _("Ideas"), kinds["idea"], "topics-created", g, everywhere=True)
    count("topics_problems", _("Problems"), kinds["problem"], "topics-created", g, everywhere=True)
    count("topics_thanks", _("Thanks"), kinds["thanks"], "topics-created", g, everywhere=True)
    share(
        "answered_rate",
        _("Answered rate"),
        c.get("answered", 0),
        created,
        "answered-rate",
        g,
        everywhere=True,
    )
    responded = c.get("responded", 0)
    add(
        "first_response_median",
        _("Time to first official response, median"),
        _hours(i.response_p50),
        "hours",
        None,
        responded,
        "first-response",
        g,
        everywhere=True,
    )
    add(
        "first_response_p90",
        _("Time to first official response, 90th percentile"),
        _hours(i.response_p90),
        "hours",
        None,
        responded,
        "first-response",
        g,
        everywhere=True,
    )
    share(
        "first_response_within_sla",
        _("First official response within the SLA"),
        c.get("within_sla", 0),
        created,
        "first-response-sla",
        g,
        everywhere=True,
    )
    resolved = c.get("resolved", 0)
    add(
        "resolution_median",
        _("Time to resolution, median"),
        _hours(i.resolution_p50),
        "hours",
        None,
        resolved,
        "resolution-time",
        g,
        everywhere=True,
    )
    add(
        "resolution_p90",
        _("Time to resolution, 90th percentile"),
        _hours(i.resolution_p90),
        "hours",
        None,
        resolved,
        "resolution-time",
        g,
        everywhere=True,
    )
    share(
        "fcr",
        _("First-contact resolution (FCR)"),
        c.get("fcr", 0),
        responded,
        "fcr",
        g,
        everywhere=True,
    )
    count(
        "reopened_topics",
        _("Reopened topics"),
        c.get("reopened", 0),
        "reopened",
        g,
        everywhere=True,
    )

    # Deflection: new-topic attempts started in the period.
    g = "deflection"
    attempts = i.count("attempts")
    deflected, potential = i.count("attempts_deflected"), i.count("attempts_potential")
    count("deflection_attempts", _("New-topic attempts"), attempts, "deflection", g)
    share("deflection_rate", _("Deflection rate"), deflected + potential, attempts, "deflection", g)
    share("deflection_successful", _("Successful deflection"), deflected, attempts, "deflection", g)
    share(
        "deflection_failed",
        _("Failed deflection (posted anyway)"),
        i.count("attempts_posted"),
        attempts,
        "deflection",
        g,
    )
    share("deflection_potential", _("Potential deflection"), potential, attempts, "deflection", g)
    share(
        "self_service_sessions",
        _("Self-service sessions"),
        i.count("self_service_sessions"),
        i.count("sessions"),
        "self-service",
        g,
    )

    # Knowledge base and search.
    g = "kb"
    searches = i.count("searches")
    count(
        "kb_article_views",
        _("Knowledge-base article views"),
        i.count("kb_article_views"),
        "kb-views",
        g,
    )
    yes, no = i.count("kb_feedback_yes"), i.count("kb_feedback_no")
    share("kb_helpfulness", _("Articles found helpful"), yes, yes + no, "kb-helpfulness", g)
    count("searches", _("Searches"), searches, "searches", g)
    share(
        "searches_successful",
        _("Successful searches"),
        i.count("searches_clicked"),
        searches,
        "searches",
        g,
    )
    share(
        "searches_zero_result",
        _("Zero-result searches"),
        i.count("searches_zero"),
        searches,
        "zero-result-searches",
        g,
    )

    # Satisfaction.
    g = "satisfaction"
    nps_answers = i.count("nps_answers")
    promoters = i.sub_sum("nps_answers", range(9, 11))
    detractors = i.sub_sum("nps_answers", range(0, 7))
    add(
        "nps",
        _("NPS"),
        ratio(promoters - detractors, nps_answers),
        "score",
        promoters - detractors,
        nps_answers,
        "nps",
        g,
    )
    share(
        "nps_response_rate",
        _("NPS response rate"),
        i.count("nps_shown_answered"),
        i.count("nps_shown"),
        "nps",
        g,
    )
    csat_answers = i.count("csat_answers")
    share(
        "csat",
        _("CSAT"),
        i.sub_sum("csat_answers", range(4, 6)),
        csat_answers,
        "csat",
        g,
        everywhere=True,
    )
    r = i.resolved_cohort
    share(
        "csat_response_rate",
        _("CSAT response rate"),
        r.get("rated", 0),
        r.get("offered", 0),
        "csat",
        g,
        everywhere=True,
    )

    # Traffic: page views and sessions (community-wide).
    g = "traffic"
    sessions = i.count("sessions")
    visitors = i.count("unique_visitors")
    count("unique_visitors", _("Unique visitors"), visitors, "unique-visitors", g)
    count("page_views", _("Page views"), i.count("page_views"), "page-views", g)
    count("sessions", _("Visits"), sessions, "sessions", g)
    share("bounce_rate", _("Bounce rate"), i.count("bounces"), sessions, "bounce-rate", g)
    add(
        "time_on_site",
        _("Time on site, average per visit"),
        ratio(i.count("session_seconds"), sessions, scale=1),
        "seconds",
        i.count("session_seconds"),
        sessions,
        "time-on-site",
        g,
    )
    share(
        "search_engine_visits",
        _("Visits from search engines"),
        i.count("search_engine_sessions"),
        sessions,
        "search-engine-visits",
        g,
    )

    # Engagement.
    g = "engagement"
    count(
        "active_participants",
        _("Active participants"),
        i.participants,
        "active-participants",
        g,
        everywhere=True,
    )
    share(
        "engaged_share",
        _("Engaged share of visitors"),
        i.participants,
        visitors,
        "engaged-share",
        g,
    )
    add(
        "contributions_per_participant",
        _("Contributions per participant"),
        ratio(i.contributions, i.participants, scale=1),
        "ratio",
        i.contributions,
        i.participants,
        "contributions-per-participant",
        g,
        everywhere=True,
    )
    count(
        "ideas_taken",
        _("Ideas taken into work"),
        i.count("ideas_taken"),
        "ideas",
        g,
        everywhere=True,
    )
    count("ideas_done", _("Ideas implemented"), i.count("ideas_done"), "ideas", g, everywhere=True)

    # Sentiment: what kind of topics customers bring.
    g = "sentiment"
    share(
        "negative_share",
        _("Share of negative topics (problems)"),
        kinds["problem"],
        created,
        "negative-share",
        g,
        everywhere=True,
    )
    share(
        "positive_share",
        _("Share of positive topics (thanks)"),
        kinds["thanks"],
        created,
        "negative-share",
        g,
        everywhere=True,
    )

    # Representatives (per person: representatives()).
    g = "representatives"
    count(
        "representative_replies",
        _("Replies by representatives"),
        i.count("representative_replies"),
        "representatives",
        g,
        everywhere=True,
    )

    # ROI: the manager's inputs beside the result.
    g = "roi"
    saved = deflected
    count("contacts_saved", _("Contacts saved"), saved, "roi", g)
    share_of_calls = call_share()
    if costs is None:
        per_contact = period_cost = savings = None
    else:
        per_contact = costs.call * share_of_calls + costs.email * (1 - share_of_calls)
        period_cost = costs.monthly * months_in(period)
        savings = per_contact * saved
    add(
        "cost_call",
        _("Cost of a call-centre contact"),
        costs.call if costs else None,
        "money",
        None,
        None,
        "roi",
        g,
    )
    add(
        "cost_email",
        _("Cost of an e-mail contact"),
        costs.email if costs else None,
        "money",
        None,
        None,
        "roi",
        g,
    )
    add(
        "calls_share",
        _("Share of saved contacts that would have been calls"),
        share_of_calls * 100,
        "percent",
        None,
        None,
        "roi",
        g,
    )
    add(
        "cost_per_contact",
        _("Cost of one assisted contact"),
        per_contact,
        "money",
        None,
        None,
        "roi",
        g,
    )
    add("savings", _("Saved on contacts"), savings, "money", saved, per_contact, "roi", g)
    add(
        "community_cost",
        _("Cost of the community in the period"),
        period_cost,
        "money",
        costs.monthly if costs else None,
        months_in(period),
        "roi",
        g,
    )
    net = None if savings is None else savings - period_cost
    add("roi", _("ROI"), ratio(net, period_cost), "percent", net, period_cost, "roi", g)
    return figures


def report(
    period: Period, *, costs: Costs | None = None, category_id: int | None = None
) -> list[Figure]:
    """Every figure of the period, in the order of docs/metrics.md.

    With a category, only the figures that belong to topics (and so to a category) are
    returned: page views, searches, deflection, the knowledge base, NPS and ROI are
    community-wide and are left out rather than shown with the whole community's numbers."""
    return _figures(
        _inputs(period, category_id), period=period, costs=costs, category_id=category_id
    )


PERCENTILE_KEYS = {
    "first_response_median",
    "first_response_p90",
    "resolution_median",
    "resolution_p90",
}


def series_many(
    keys: Iterable[str], period: Period, *, category_id: int | None = None
) -> dict[str, list[tuple[date, Number | None]]]:
    """One value per local day of the period for each figure in `keys`, for the dashboard's
    charts: each computed exactly as a one-day report of that day (so ROI, which needs the
    inputs, is None). The daily inputs are read once, in a constant handful of grouped queries,
    and each day's figures are worked out once, however many keys are asked for."""
    keys = list(keys)
    result: dict[str, list[tuple[date, Number | None]]] = {key: [] for key in keys}
    daily = _daily_inputs(period, category_id, percentiles=not PERCENTILE_KEYS.isdisjoint(keys))
    for day, inputs in sorted(daily.items()):
        values = {
            f.key: f.value
            for f in _figures(inputs, period=Period.day(day), costs=None, category_id=category_id)
        }
        for key in keys:
            result[key].append((day, values.get(key)))
    return result


def series(
    key: str, period: Period, *, category_id: int | None = None
) -> list[tuple[date, Number | None]]:
    """One value per local day of the period, for a chart of one figure (see series_many)."""
    return series_many([key], period, category_id=category_id)[key]


def top_lists(period: Period, *, limit: int = 10) -> dict[str, list[tuple[str, int]]]:
    """Ranked lists for the period, each (label, count), largest first: "zero_result_queries",
    "articles" (most read), "categories" (most topics created) and "representatives" (most
    replies)."""
    rows = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end)

    def top(property: str, by: str) -> list[tuple[object, int]]:
        return list(
            rows.filter(property=property)
            .values(by)
            .annotate(total=Sum("value"))
            .order_by("-total", by)
            .values_list(by, "total")[:limit]
        )

    def named(pairs, names: dict) -> list[tuple[str, int]]:
        return [(names.get(int(key), "—"), total) for key, total in pairs]

    articles = top("article_views", "subgroup")
    categories = top("topics_created", "category_id")
    representatives = top("representative_replies", "subgroup")
    no_category = str(_("No category"))
    category_names = dict(
        Category.objects.filter(pk__in=[pk for pk, _n in categories]).values_list("pk", "name")
    )
    return {
        "zero_result_queries": [
            (query, total) for query, total in top("zero_result_query", "subgroup")
        ],
        "articles": named(
            articles,
            dict(
                Article.objects.filter(pk__in=[int(pk) for pk, _n in articles]).values_list(
                    "pk", "title"
                )
            ),
        ),
        "categories": [(category_names.get(pk, no_category), total) for pk, total in categories],
        "representatives": named(
            representatives,
            {
                user.pk: user.name
                for user in User.objects.filter(pk__in=[int(pk) for pk, _n in representatives])
            },
        ),
    }


@dataclass(frozen=True)
class RepresentativeRow:
    user_id: int
    name: str
    replies: int
    first_responses: int
    response_median_hours: Decimal | None


def representatives(period: Period, *, category_id: int | None = None) -> list[RepresentativeRow]:
    """Each representative's replies in the period and, over the topics created in the period
    they responded to first, their median time to that first response. Most replies first."""
    replies = DailyCount.objects.filter(
        property="representative_replies", day__gte=period.start, day__lte=period.end
    )
    if category_id:
        replies = replies.filter(category_id=category_id)
    reply_counts = {
        int(subgroup): total
        for subgroup, total in replies.values("subgroup")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("subgroup", "total")
    }
    samples: dict[int, list[float]] = {}
    for user_id, seconds in (
        _facts(category_id)
        .filter(
            created_day__gte=period.start,
            created_day__lte=period.end,
            first_response_by_id__isnull=False,
        )
        .order_by("response_seconds")
        .values_list("first_response_by_id", "response_seconds")
    ):
        samples.setdefault(user_id, []).append(float(seconds))
    user_ids = set(reply_counts) | set(samples)
    names = {user.pk: user.name for user in User.objects.filter(pk__in=user_ids)}
    rows = [
        RepresentativeRow(
            user_id=user_id,
            name=names.get(user_id, "—"),
            replies=reply_counts.get(user_id, 0),
            first_responses=len(samples.get(user_id, [])),
            response_median_hours=rounded(
                _hours(percentile(samples.get(user_id, []), 0.5)), "hours"
            ),
        )
        for user_id in user_ids
    ]
    return sorted(rows, key=lambda row: (-row.replies, -row.first_responses, row.name))
