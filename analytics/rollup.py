"""The daily rollup behind every report (`manage.py rollup_metrics`), after Zulip's
analytics/lib/counts.py: a fill-state row says how far it got, each local day is rewritten whole
in one transaction, and the last few days are rolled again on every run so late events (a
reopen, a survey answered tomorrow about today's prompt) are picked up. Running it twice over
the same data writes the same rows.

Two steps:
1. Topic facts: one TopicFact row per topic touched since the first day to roll, derived from
   the topic's events (first official response, resolution, reopen, FCR…).
2. Daily counts: for each local day, DailyCount and ParticipantDay rows from the facts, events,
   page views, searches, attempts, article feedback and surveys of that day."""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Count, F, Max, Min, Q, Value
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from analytics.metrics import local_day, local_midnight, local_zone
from analytics.models import (
    DailyCount,
    FillState,
    PageKind,
    PageView,
    ParticipantDay,
    ReferrerClass,
    SurveyKind,
    SurveyResponse,
    TopicFact,
)
from community.models import Event, EventKind, Topic, TopicKind, TopicStatus
from knowledge_base.models import ArticleFeedback
from search.models import SearchAttempt, SearchQuery, SearchSource

logger = logging.getLogger(__name__)

FILL_STATE_NAME = "daily"

# A question is resolved once answered, a problem once solved (DESIGN.md, FCR).
RESOLVED_STATUSES = {TopicStatus.ANSWERED, TopicStatus.SOLVED}
# An idea is taken into work when it is planned or in progress (or done straight away).
IDEA_TAKEN_STATUSES = {TopicStatus.PLANNED, TopicStatus.IN_PROGRESS, TopicStatus.DONE}
REOPEN_WINDOW = timedelta(days=7)
SESSION_GAP = timedelta(minutes=30)

FACT_EVENT_KINDS = [
    EventKind.REPLY_CREATED,
    EventKind.OFFICIAL_ANSWERED,
    EventKind.OFFICIAL_UNMARKED,
    EventKind.ANSWER_ACCEPTED,
    EventKind.ANSWER_UNACCEPTED,
    EventKind.STATUS_CHANGED,
]
CONTRIBUTION_EVENT_KINDS = [
    EventKind.TOPIC_CREATED,
    EventKind.REPLY_CREATED,
    EventKind.TOPIC_VOTED,
    EventKind.REPLY_VOTED,
]
# Searches people typed; API calls may come from integrations.
COUNTED_SEARCH_SOURCES = [SearchSource.PAGE, SearchSource.ASK]
FACT_BATCH = 5000
DAYS_PER_CHUNK = 31


def staff_filter(prefix: str = "") -> Q:
    """Members who work for the bank: their activity is not the customers' engagement."""
    return (
        Q(**{f"{prefix}is_representative": True})
        | Q(**{f"{prefix}is_community_owner": True})
        | Q(**{f"{prefix}is_moderator": True})
        | Q(**{f"{prefix}is_manager": True})
        | Q(**{f"{prefix}is_staff": True})
    )


# ---------------------------------------------------------------------------------------------
# Topic facts


@dataclass(frozen=True)
class TopicEvent:
    kind: str
    actor_id: int | None
    created_at: datetime
    data: dict


def derive_fact(
    *,
    topic_id: int,
    kind: str,
    category_id: int | None,
    author_id: int,
    author_is_staff: bool,
    is_hidden: bool,
    created_at: datetime,
    events: Iterable[TopicEvent],
    csat_score: int | None = None,
) -> TopicFact:
    """The fact row of one topic from its events in time order (docs/metrics.md explains each
    field's rule)."""
    first_response: TopicEvent | None = None
    resolved_at = reopened_at = idea_taken_at = idea_done_at = None
    has_official = has_accepted = False
    author_replies: list[datetime] = []

    for event in events:
        if event.kind == EventKind.REPLY_CREATED:
            if event.actor_id == author_id:
                author_replies.append(event.created_at)
            # A representative replying in their own topic is not responding to anyone.
            elif event.data.get("by_representative") and first_response is None:
                first_response = event
        elif event.kind in (EventKind.OFFICIAL_ANSWERED, EventKind.OFFICIAL_UNMARKED):
            has_official = event.kind == EventKind.OFFICIAL_ANSWERED
        elif event.kind in (EventKind.ANSWER_ACCEPTED, EventKind.ANSWER_UNACCEPTED):
            has_accepted = event.kind == EventKind.ANSWER_ACCEPTED

        resolves = event.kind in (EventKind.OFFICIAL_ANSWERED, EventKind.ANSWER_ACCEPTED) or (
            event.kind == EventKind.STATUS_CHANGED and event.data.get("to") in RESOLVED_STATUSES
        )
        if resolves and resolved_at is None:
            resolved_at = event.created_at
        if event.kind == EventKind.STATUS_CHANGED:
            before, after = event.data.get("from"), event.data.get("to")
            # "Reopened" is not an event of its own: it is a status moving back from resolved.
            if (
                resolved_at is not None
                and reopened_at is None
                and before in RESOLVED_STATUSES
                and after not in RESOLVED_STATUSES
            ):
                reopened_at = event.created_at
            if kind == TopicKind.IDEA:
                if after in IDEA_TAKEN_STATUSES and idea_taken_at is None:
                    idea_taken_at = event.created_at
                if after == TopicStatus.DONE and idea_done_at is None:
                    idea_done_at = event.created_at

    fact = TopicFact(
        topic_id=topic_id,
        kind=kind,
        category_id=category_id,
        author_id=author_id,
        author_is_staff=author_is_staff,
        is_hidden=is_hidden,
        created_at=created_at,
        created_day=local_day(created_at),
        is_answered=has_official or has_accepted,
        resolved_at=resolved_at,
        resolved_day=local_day(resolved_at) if resolved_at else None,
        resolution_seconds=_seconds_between(created_at, resolved_at),
        reopened_at=reopened_at,
        idea_taken_at=idea_taken_at,
        idea_done_at=idea_done_at,
        csat_score=csat_score,
    )
    if first_response is not None:
        fact.first_response_at = first_response.created_at
        fact.first_response_by_id = first_response.actor_id
        fact.response_seconds = _seconds_between(created_at, first_response.created_at)
        fact.author_followed_up = any(at > first_response.created_at for at in author_replies)
        reopened_soon = reopened_at is not None and reopened_at <= resolved_at + REOPEN_WINDOW
        fact.is_fcr = resolved_at is not None and not fact.author_followed_up and not reopened_soon
    return fact


def _seconds_between(start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    # Clocks and imports can put an answer a moment before its topic; that is zero, not negative.
    return max(0, int((end - start).total_seconds()))


FACT_FIELDS = [
    field.name
    for field in TopicFact._meta.concrete_fields
    if field.name not in ("topic",) and not field.primary_key
]


def refresh_facts(topic_ids: Iterable[int]) -> int:
    """Rewrite the fact rows of these topics from their events; returns how many were written.
    Topics are read in batches so a full rebuild of a million topics runs in bounded memory."""
    written = 0
    for batch in _batched(sorted(set(topic_ids)), FACT_BATCH):
        first, last = batch[0], batch[-1]
        # A dense batch (a full rebuild) is read as an id range: cheaper to send and to plan
        # than thousands of ids. Refreshing the few untouched topics in between is harmless:
        # a fact derived again is the same fact.
        dense = last - first + 1 <= 2 * len(batch)
        written += _refresh_fact_batch(TopicIds(first, last, None if dense else batch))
    return written


def _batched(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class TopicIds:
    """The topics first..last, or only `ids` among them."""

    first: int
    last: int
    ids: list[int] | None

    def on(self, field: str) -> Q:
        if self.ids is not None:
            return Q(**{f"{field}__in": self.ids})
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})


@transaction.atomic
def _refresh_fact_batch(topic_ids: TopicIds) -> int:
    topics = list(
        Topic.objects.filter(topic_ids.on("pk"))
        .annotate(author_is_staff=Count("pk", filter=staff_filter("author__")))
        .values_list(
            "pk", "kind", "category_id", "author_id", "author_is_staff", "is_hidden", "created_at"
        )
    )
    # Most topics' events reduce to a few firsts and lasts the database can aggregate; only
    # topics with an undo (unmarked, unaccepted, moved back from resolved) need every event in
    # order. Both go through derive_fact, so the rule lives in one place.
    events = _summary_events(topic_ids.on("topic_id"))
    tangled = [pk for pk, summary in events.items() if summary is None]
    rows = (
        Event.objects.filter(topic_id__in=tangled, kind__in=FACT_EVENT_KINDS)
        .order_by("topic_id", "created_at", "pk")
        .values_list("topic_id", "kind", "actor_id", "created_at", "data")
    )
    for pk in tangled:
        events[pk] = []
    for topic_id, kind, actor_id, created_at, data in rows.iterator(chunk_size=5000):
        events[topic_id].append(TopicEvent(kind, actor_id, created_at, data or {}))
    csat = dict(
        SurveyResponse.objects.filter(topic_ids.on("topic_id"), kind=SurveyKind.CSAT)
        .answered()
        .order_by("answered_at", "pk")
        .values_list("topic_id", "score")
    )
    facts = [
        derive_fact(
            topic_id=pk,
            kind=kind,
            category_id=category_id,
            author_id=author_id,
            author_is_staff=bool(author_is_staff),
            is_hidden=is_hidden,
            created_at=created_at,
            events=events.get(pk) or [],
            csat_score=csat.get(pk),
        )
        for pk, kind, category_id, author_id, author_is_staff, is_hidden, created_at in topics
    ]
    _upsert_facts(facts)
    return len(facts)


def _values(statuses: Iterable[str]) -> list[str]:
    return [str(status) for status in statuses]


def _summary_events(topics: Q) -> dict[int, list[TopicEvent] | None]:
    """For each topic with fact events, the few events derive_fact needs to reach the same
    result as from all of them, aggregated in two grouped queries: the first representative
    reply, the author's last reply, the first official answer, acceptance, resolving status,
    idea status. None for a topic with an undo, whose order matters."""
    reply = Q(kind=EventKind.REPLY_CREATED)
    status = Q(kind=EventKind.STATUS_CHANGED)
    summaries = (
        Event.objects.filter(topics, kind__in=FACT_EVENT_KINDS)
        .values("topic_id", "topic__author_id")
        .annotate(
            author_last_reply=Max("created_at", filter=reply & Q(actor_id=F("topic__author_id"))),
            official=Min("created_at", filter=Q(kind=EventKind.OFFICIAL_ANSWERED)),
            accepted=Min("created_at", filter=Q(kind=EventKind.ANSWER_ACCEPTED)),
            resolving=Min("created_at", filter=status & Q(data__to__in=_values(RESOLVED_STATUSES))),
            taken=Min("created_at", filter=status & Q(data__to__in=_values(IDEA_TAKEN_STATUSES))),
            done=Min("created_at", filter=status & Q(data__to=TopicStatus.DONE.value)),
            undone=Count(
                "pk",
                filter=Q(kind__in=[EventKind.OFFICIAL_UNMARKED, EventKind.ANSWER_UNACCEPTED])
                | (status & Q(data__from__in=_values(RESOLVED_STATUSES))),
            ),
        )
        .order_by()
    )
    result: dict[int, list[TopicEvent] | None] = {}
    for row in summaries:
        if row["undone"]:
            result[row["topic_id"]] = None
            continue
        events = []
        if row["author_last_reply"]:
            events.append(
                _event(
                    EventKind.REPLY_CREATED, row["author_last_reply"], actor=row["topic__author_id"]
                )
            )
        for kind, moment in [
            (EventKind.OFFICIAL_ANSWERED, row["official"]),
            (EventKind.ANSWER_ACCEPTED, row["accepted"]),
        ]:
            if moment:
                events.append(_event(kind, moment))
        for to, moment in [
            (TopicStatus.ANSWERED, row["resolving"]),
            (TopicStatus.PLANNED, row["taken"]),
            (TopicStatus.DONE, row["done"]),
        ]:
            if moment:
                events.append(_event(EventKind.STATUS_CHANGED, moment, data={"to": str(to)}))
        result[row["topic_id"]] = events

    # The first representative reply by someone other than the author, ties broken by id as
    # in derive_fact: one row per answered topic, few beside the events they stand for.
    first_replies = (
        Event.objects.filter(
            topics,
            kind=EventKind.REPLY_CREATED,
            data__by_representative=True,
        )
        .exclude(actor_id=F("topic__author_id"))
        .order_by("topic_id", "created_at", "pk")
        .values_list("topic_id", "actor_id", "created_at")
    )
    seen: set[int] = set()
    for topic_id, actor_id, created_at in first_replies.iterator(chunk_size=5000):
        if topic_id not in seen and result[topic_id] is not None:
            seen.add(topic_id)
            result[topic_id].append(
                _event(
                    EventKind.REPLY_CREATED,
                    created_at,
                    actor=actor_id,
                    data={"by_representative": True},
                )
            )
    for events in result.values():
        if events:
            events.sort(key=lambda event: event.created_at)
    return result


def _event(kind: str, at: datetime, *, actor: int | None = None, data=None) -> TopicEvent:
    return TopicEvent(kind, actor, at, data or {})


FACT_COLUMNS = list(TopicFact._meta.concrete_fields)


def _upsert_facts(facts: list[TopicFact]) -> None:
    """Insert or overwrite the fact rows without the ORM's per-value machinery: a full rebuild
    writes a million of these. PostgreSQL gets one array per column (a statement of a few
    parameters, however many rows); SQLite, in process, one prepared row statement many times."""
    if not facts:
        return
    ops = connection.ops
    quote = ops.quote_name
    columns = [quote(fact_field.column) for fact_field in FACT_COLUMNS]
    key = quote(TopicFact._meta.pk.column)
    upsert = f"ON CONFLICT ({key}) DO UPDATE SET " + ", ".join(
        f"{column} = excluded.{column}" for column in columns if column != key
    )
    table = quote(TopicFact._meta.db_table)
    names = [fact_field.attname for fact_field in FACT_COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(
                f"%s::{fact_field.db_type(connection)}[]" for fact_field in FACT_COLUMNS
            )
            # Only the model's own table, column and type names are interpolated.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) {upsert}",
                [[getattr(fact, name) for fact in facts] for name in names],
            )
            return
        adapt = []
        for fact_field in FACT_COLUMNS:
            internal = fact_field.get_internal_type()
            if internal == "DateTimeField":
                adapt.append(ops.adapt_datetimefield_value)
            elif internal == "DateField":
                adapt.append(ops.adapt_datefield_value)
            else:
                adapt.append(None)
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))}) {upsert}",
            [
                [
                    value if adapter is None or value is None else adapter(value)
                    for adapter, value in zip(
                        adapt, (getattr(fact, name) for name in names), strict=True
                    )
                ]
                for fact in facts
            ],
        )


def topics_touched_since(since: datetime) -> set[int]:
    """Topics whose facts may have changed since `since`: new topics, topics with events, and
    topics whose author rated the answer."""
    touched = set(Topic.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    touched |= set(
        Event.objects.filter(created_at__gte=since, topic__isnull=False)
        .order_by()
        .values_list("topic_id", flat=True)
        .distinct()
    )
    touched |= set(
        SurveyResponse.objects.filter(kind=SurveyKind.CSAT, answered_at__gte=since).values_list(
            "topic_id", flat=True
        )
    )
    return touched


# ---------------------------------------------------------------------------------------------
# Daily counts


def _count(property: str, day: date, value: int, *, category_id=0, subgroup="") -> DailyCount:
    return DailyCount(
        property=property,
        day=day,
        category_id=category_id or 0,
        subgroup=str(subgroup),
        value=value,
    )


@dataclass(frozen=True)
class Days:
    """Local days first..last, and the instants that bound them."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def local_date(field: str) -> TruncDate:
    """The local (settings.TIME_ZONE) day of a timestamp, computed by the database."""
    return TruncDate(field, tzinfo=local_zone())


@transaction.atomic
def roll_days(days: Days, *, at: datetime) -> int:
    """Rewrite every count of these local days; returns how many rows it wrote. Each count is
    one INSERT … SELECT grouped by day in the database, however many days and rows there are;
    only what needs Python (Unicode case folding, visits) comes back to be written."""
    DailyCount.objects.filter(day__gte=days.first, day__lte=days.last).delete()
    ParticipantDay.objects.filter(day__gte=days.first, day__lte=days.last).delete()
    written = sum(
        [
            _topic_counts(days),
            _representative_counts(days),
            _survey_counts(days),
            _search_counts(days),
            _attempt_counts(days, at=at),
            _article_feedback_counts(days),
            _participants(days),
        ]
    )
    counts = [row for row in [*_zero_result_queries(days), *_page_view_counts(days)] if row.value]
    DailyCount.objects.bulk_create(counts, batch_size=1000)
    return written + len(counts)


def _grouped(queryset, day_field: str, **groups):
    """The rows of `queryset` grouped by local day (as "d") and `groups`; annotate the
    aggregates next."""
    return queryset.values(d=local_date(day_field), **groups)


def _insert_select(model, columns: list[str], select: list[str], grouped, params=()) -> int:
    """INSERT INTO model (columns) SELECT `select` FROM (grouped) AS g, leaving out rows whose
    last selected value is zero (a count of nothing is no row, as before); rows written."""
    inner, inner_params = grouped.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    # Only our own table, column and alias names are interpolated; values are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM ({inner}) g WHERE {select[-1]} <> 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        return max(cursor.rowcount, 0)


COUNT_COLUMNS = ["property", "day", "category_id", "subgroup", "value"]


def _insert_counts(property: str, grouped, value: str = "v") -> int:
    """DailyCount rows of one property from grouped rows with "d", the aggregate `value`, and
    optionally "c" (category) and "s" (subgroup)."""
    names = set(grouped.query.values_select) | set(grouped.query.annotation_select)
    select = [
        "%s",
        "g.d",
        "g.c" if "c" in names else "0",
        "g.s" if "s" in names else "''",
        # Quoted: "all" and the like are SQL keywords.
        f"g.{connection.ops.quote_name(value)}",
    ]
    return _insert_select(DailyCount, COUNT_COLUMNS, select, grouped, [property])


def _category(field: str) -> Coalesce:
    return Coalesce(F(field), Value(0), output_field=BigIntegerField())


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField(max_length=300))


def _topic_counts(days: Days) -> int:
    facts = TopicFact.objects.filter(is_hidden=False)
    written = _insert_counts(
        "topics_created",
        facts.filter(created_day__gte=days.first, created_day__lte=days.last)
        .values(d=F("created_day"), c=_category("category_id"), s=F("kind"))
        .annotate(v=Count("pk")),
    )
    for property, moment in [("ideas_taken", "idea_taken_at"), ("ideas_done", "idea_done_at")]:
        written += _insert_counts(
            property,
            _grouped(
                facts.filter(days.within(moment)), moment, c=_category("category_id")
            ).annotate(v=Count("pk")),
        )
    return written


def _representative_counts(days: Days) -> int:
    replies = (
        Event.objects.filter(
            days.within("created_at"),
            kind=EventKind.REPLY_CREATED,
            data__by_representative=True,
        )
        .exclude(actor_id=None)
        # A representative replying in their own topic is not answering anyone.
        .exclude(actor_id=F("topic__author_id"))
    )
    return _insert_counts(
        "representative_replies",
        _grouped(
            replies, "created_at", c=_category("topic__category_id"), s=_text("actor_id")
        ).annotate(v=Count("pk")),
    )


def _survey_counts(days: Days) -> int:
    answered = SurveyResponse.objects.answered().filter(days.within("answered_at"))
    written = _insert_counts(
        "csat_answers",
        _grouped(
            answered.filter(kind=SurveyKind.CSAT),
            "answered_at",
            c=_category("topic__category_id"),
            s=_text("score"),
        ).annotate(v=Count("pk")),
    )
    written += _insert_counts(
        "nps_answers",
        _grouped(answered.filter(kind=SurveyKind.NPS), "answered_at", s=_text("score")).annotate(
            v=Count("pk")
        ),
    )
    shown = _grouped(
        SurveyResponse.objects.filter(days.within("shown_at"), kind=SurveyKind.NPS), "shown_at"
    ).annotate(shown=Count("pk"), answered=Count("pk", filter=Q(score__isnull=False)))
    return written + _totals({"shown": "nps_shown", "answered": "nps_shown_answered"}, shown)


def _totals(property_of: dict[str, str], grouped) -> int:
    """One community-wide DailyCount property per aggregate of the grouped rows."""
    return sum(
        _insert_counts(property, grouped, value=name) for name, property in property_of.items()
    )


def _counted_searches(days: Days):
    return SearchQuery.objects.filter(days.within("created_at"), source__in=COUNTED_SEARCH_SOURCES)


def _search_counts(days: Days) -> int:
    return _totals(
        {"all": "searches", "clicked": "searches_clicked", "zero": "searches_zero"},
        _grouped(_counted_searches(days), "created_at").annotate(
            all=Count("pk"),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            zero=Count("pk", filter=Q(result_count=0)),
        ),
    )


def _zero_result_queries(days: Days) -> list[DailyCount]:
    # Normalised in Python: SQLite's LOWER() knows only ASCII, and "Кридит " is "кридит".
    zero_queries: Counter[tuple[date, str]] = Counter(
        (local_day(at), " ".join(text.split()).lower())
        for at, text in _counted_searches(days)
        .filter(result_count=0)
        .values_list("created_at", "text")
        .iterator(chunk_size=5000)
    )
    return [
        _count("zero_result_query", day, n, subgroup=query[:300])
        for (day, query), n in zero_queries.items()
    ]


def _attempt_counts(days: Days, *, at: datetime) -> int:
    attempts = SearchAttempt.objects.filter(days.within("started_at"))
    return _totals(
        {
            "all": "attempts",
            "deflected": "attempts_deflected",
            "posted": "attempts_posted",
            "potential": "attempts_potential",
        },
        _grouped(attempts, "started_at").annotate(
            all=Count("pk"),
            deflected=Count("pk", filter=Q(deflected_at__isnull=False)),
            posted=Count("pk", filter=Q(posted_at__isnull=False)),
            # Opened a suggestion, neither confirmed nor posted, and the session is over.
            potential=Count(
                "pk",
                filter=Q(
                    opened_at__isnull=False,
                    deflected_at__isnull=True,
                    posted_at__isnull=True,
                    last_activity_at__lte=at - SESSION_GAP,
                ),
            ),
        ),
    )


def _article_feedback_counts(days: Days) -> int:
    return _totals(
        {"yes": "kb_feedback_yes", "no": "kb_feedback_no"},
        _grouped(ArticleFeedback.objects.filter(days.within("created_at")), "created_at").annotate(
            yes=Count("pk", filter=Q(is_helpful=True)),
            no=Count("pk", filter=Q(is_helpful=False)),
        ),
    )


@dataclass
class Session:
    """Consecutive page views of one visitor hash with no gap over 30 minutes. Hashes change
    at local midnight, so a visit never spans two days."""

    first_at: datetime
    last_at: datetime
    referrer: str
    views: int = 0
    contributed: bool = False
    self_service_candidate: bool = False


@dataclass
class DayTraffic:
    page_views: int = 0
    article_views: int = 0
    visitors: set = field(default_factory=set)
    sessions: list = field(default_factory=list)
    per_article: Counter = field(default_factory=Counter)


def _page_view_counts(days: Days) -> list[DailyCount]:
    # One day at a time: a busy month of page views would not fit in memory at once.
    # Days without a single view (most of a long history being rolled for the first time)
    # cost one grouped query in all, not one each.
    viewed = (
        PageView.objects.filter(days.within("created_at"))
        .values_list(local_date("created_at"), flat=True)
        .distinct()
        .order_by()
    )
    result = []
    for day in sorted(viewed):
        result += _page_view_counts_of(Days(day, day))
    return result


def _page_view_counts_of(days: Days) -> list[DailyCount]:
    rows = [
        (local_day(at), visitor, at, kind, object_id, ref)
        for visitor, at, kind, object_id, ref in PageView.objects.filter(days.within("created_at"))
        .order_by("visitor", "created_at", "pk")
        .values_list("visitor", "created_at", "kind", "object_id", "referrer")
        .iterator(chunk_size=10000)
    ]
    answered_topics = _answered_topics_at(
        {(object_id, at) for _d, _v, at, kind, object_id, _r in rows if kind == PageKind.TOPIC}
    )

    traffic: dict[date, DayTraffic] = defaultdict(DayTraffic)
    previous = None
    session: Session | None = None
    for day, visitor, at, kind, object_id, referrer in rows:
        today = traffic[day]
        if (day, visitor) != previous or at - session.last_at > SESSION_GAP:
            session = Session(first_at=at, last_at=at, referrer=referrer)
            today.sessions.append(session)
            previous = (day, visitor)
        session.last_at = at
        if kind == PageKind.CONTRIBUTION:
            session.contributed = True
            continue
        today.visitors.add(visitor)
        today.page_views += 1
        session.views += 1
        if kind == PageKind.ARTICLE:
            today.article_views += 1
            if object_id:
                today.per_article[object_id] += 1
            session.self_service_candidate = True
        elif kind == PageKind.TOPIC and (object_id, at) in answered_topics:
            session.self_service_candidate = True

    result = []
    for day, today in traffic.items():
        # A "visit" of nothing but a post (its pages were in an earlier visit) is not a visit.
        sessions = [s for s in today.sessions if s.views]
        result += [
            _count("page_views", day, today.page_views),
            _count("unique_visitors", day, len(today.visitors)),
            _count("sessions", day, len(sessions)),
            _count("bounces", day, sum(1 for s in sessions if s.views == 1)),
            _count(
                "session_seconds",
                day,
                sum(int((s.last_at - s.first_at).total_seconds()) for s in sessions),
            ),
            _count(
                "search_engine_sessions",
                day,
                sum(1 for s in sessions if s.referrer == ReferrerClass.SEARCH_ENGINE),
            ),
            _count(
                "self_service_sessions",
                day,
                sum(1 for s in sessions if s.self_service_candidate and not s.contributed),
            ),
            _count("kb_article_views", day, today.article_views),
        ]
        result += [
            _count("article_views", day, n, subgroup=article_id)
            for article_id, n in today.per_article.items()
        ]
    return result


def _answered_topics_at(views: set[tuple[int, datetime]]) -> set[tuple[int, datetime]]:
    """Of these (topic, moment) views, the ones where the topic already had its resolution:
    reading an answered topic is self-service; reading an open one is not."""
    topic_ids = {topic_id for topic_id, _ in views if topic_id}
    resolved: dict[int, datetime] = {}
    for batch in _batched(sorted(topic_ids), FACT_BATCH):
        resolved.update(
            TopicFact.objects.filter(pk__in=batch, resolved_at__isnull=False).values_list(
                "topic_id", "resolved_at"
            )
        )
    return {
        (topic_id, at)
        for topic_id, at in views
        if topic_id in resolved and resolved[topic_id] <= at
    }


def _participants(days: Days) -> int:
    events = Event.objects.filter(
        days.within("created_at"), kind__in=CONTRIBUTION_EVENT_KINDS, actor__isnull=False
    ).exclude(staff_filter("actor__"))
    return _insert_select(
        ParticipantDay,
        ["day", "user_id", "category_id", "contributions"],
        ["g.d", "g.u", "g.c", "g.v"],
        _grouped(events, "created_at", u=F("actor_id"), c=_category("topic__category_id")).annotate(
            v=Count("pk")
        ),
    )


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class RollupResult:
    start: date
    end: date
    facts: int
    rows: int


def first_day_with_data() -> date | None:
    firsts = [
        Topic.objects.aggregate(at=Min("created_at"))["at"],
        Event.objects.aggregate(at=Min("created_at"))["at"],
        PageView.objects.aggregate(at=Min("created_at"))["at"],
        SearchQuery.objects.aggregate(at=Min("created_at"))["at"],
        SearchAttempt.objects.aggregate(at=Min("started_at"))["at"],
        SurveyResponse.objects.aggregate(at=Min("shown_at"))["at"],
        ArticleFeedback.objects.aggregate(at=Min("created_at"))["at"],
    ]
    firsts = [at for at in firsts if at is not None]
    return local_day(min(firsts)) if firsts else None


def rollup(
    *, start: date | None = None, end: date | None = None, at: datetime | None = None
) -> RollupResult:
    """Roll the days from start to end (inclusive, local). Without a start: from a few days
    before where the last run stopped (settings.ANALYTICS_REROLL_DAYS), or from the first day
    with data on the first run. Without an end: through today."""
    at = at or timezone.now()
    end = end or local_day(at)
    state = FillState.objects.filter(name=FILL_STATE_NAME).first()
    if start is None:
        if state is None:
            start = first_day_with_data() or end
        else:
            # A run that died mid-day left it "started"; that day is inside the window anyway.
            start = state.last_day - timedelta(days=settings.ANALYTICS_REROLL_DAYS - 1)
    if start > end:
        return RollupResult(start=start, end=end, facts=0, rows=0)

    since = local_midnight(start)
    touched = (
        set(Topic.objects.values_list("pk", flat=True))
        if state is None
        else topics_touched_since(since)
    )
    facts = refresh_facts(touched)
    logger.info("rollup: %d topic facts refreshed since %s", facts, start)

    rows = 0
    first = start
    while first <= end:
        # A month per transaction: fast, yet an interrupted run loses at most one chunk.
        last = min(end, first + timedelta(days=DAYS_PER_CHUNK - 1))
        state = _mark(state, last, FillState.STARTED, at=at)
        written = roll_days(Days(first, last), at=at)
        rows += written
        state = _mark(state, last, FillState.DONE, at=at)
        logger.debug("rollup: %s … %s done, %d rows", first, last, written)
        first = last + timedelta(days=1)
    return RollupResult(start=start, end=end, facts=facts, rows=rows)


def _mark(state: FillState | None, day: date, status: str, *, at: datetime) -> FillState:
    """Move the fill state forward; re-rolling old days never moves it back."""
    if state is None:
        return FillState.objects.create(
            name=FILL_STATE_NAME, last_day=day, state=status, updated_at=at
        )
    if day >= state.last_day:
        state.last_day = day
        state.state = status
        state.updated_at = at
        state.save(update_fields=["last_day", "state", "updated_at"])
    return state
