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
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncDate
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
FACT_BATCH = 2000
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
        written += _refresh_fact_batch(batch)
    return written


def _batched(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def _refresh_fact_batch(topic_ids: list[int]) -> int:
    topics = list(
        Topic.objects.filter(pk__in=topic_ids)
        .annotate(author_is_staff=Count("pk", filter=staff_filter("author__")))
        .values_list(
            "pk", "kind", "category_id", "author_id", "author_is_staff", "is_hidden", "created_at"
        )
    )
    events: dict[int, list[TopicEvent]] = defaultdict(list)
    rows = (
        Event.objects.filter(topic_id__in=topic_ids, kind__in=FACT_EVENT_KINDS)
        .order_by("topic_id", "created_at", "pk")
        .values_list("topic_id", "kind", "actor_id", "created_at", "data")
    )
    for topic_id, kind, actor_id, created_at, data in rows.iterator(chunk_size=5000):
        events[topic_id].append(TopicEvent(kind, actor_id, created_at, data or {}))
    csat = dict(
        SurveyResponse.objects.filter(kind=SurveyKind.CSAT, topic_id__in=topic_ids)
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
            events=events.get(pk, []),
            csat_score=csat.get(pk),
        )
        for pk, kind, category_id, author_id, author_is_staff, is_hidden, created_at in topics
    ]
    TopicFact.objects.bulk_create(
        facts, update_conflicts=True, unique_fields=["topic"], update_fields=FACT_FIELDS
    )
    return len(facts)


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
    one query grouped by day, however many days there are."""
    DailyCount.objects.filter(day__gte=days.first, day__lte=days.last).delete()
    ParticipantDay.objects.filter(day__gte=days.first, day__lte=days.last).delete()
    counts = [
        *_topic_counts(days),
        *_representative_counts(days),
        *_survey_counts(days),
        *_search_counts(days),
        *_attempt_counts(days, at=at),
        *_article_feedback_counts(days),
        *_page_view_counts(days),
    ]
    counts = [row for row in counts if row.value]
    DailyCount.objects.bulk_create(counts, batch_size=1000)
    participants = _participants(days)
    ParticipantDay.objects.bulk_create(participants, batch_size=1000)
    return len(counts) + len(participants)


def _grouped(queryset, day_field: str, *fields: str, **aggregates):
    """Rows of `aggregates` per local day (as "day") and `fields`."""
    return (
        queryset.annotate(day=local_date(day_field))
        .values("day", *fields)
        .annotate(**aggregates)
        .order_by()
    )


def _totals(property_of: dict[str, str], rows) -> list[DailyCount]:
    """DailyCount rows from grouped rows, one property per aggregate name."""
    return [
        _count(property, row["day"], row[name])
        for row in rows
        for name, property in property_of.items()
    ]


def _topic_counts(days: Days) -> list[DailyCount]:
    facts = TopicFact.objects.filter(is_hidden=False)
    rows = [
        _count(
            "topics_created",
            row["created_day"],
            row["n"],
            category_id=row["category_id"],
            subgroup=row["kind"],
        )
        for row in facts.filter(created_day__gte=days.first, created_day__lte=days.last)
        .values("created_day", "category_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    for property, moment in [("ideas_taken", "idea_taken_at"), ("ideas_done", "idea_done_at")]:
        rows += [
            _count(property, row["day"], row["n"], category_id=row["category_id"])
            for row in _grouped(
                facts.filter(days.within(moment)), moment, "category_id", n=Count("pk")
            )
        ]
    return rows


def _representative_counts(days: Days) -> list[DailyCount]:
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
    return [
        _count(
            "representative_replies",
            row["day"],
            row["n"],
            category_id=row["topic__category_id"],
            subgroup=row["actor_id"],
        )
        for row in _grouped(replies, "created_at", "topic__category_id", "actor_id", n=Count("pk"))
    ]


def _survey_counts(days: Days) -> list[DailyCount]:
    answered = SurveyResponse.objects.answered().filter(days.within("answered_at"))
    rows = [
        _count(
            "csat_answers",
            row["day"],
            row["n"],
            category_id=row["topic__category_id"],
            subgroup=row["score"],
        )
        for row in _grouped(
            answered.filter(kind=SurveyKind.CSAT),
            "answered_at",
            "topic__category_id",
            "score",
            n=Count("pk"),
        )
    ]
    rows += [
        _count("nps_answers", row["day"], row["n"], subgroup=row["score"])
        for row in _grouped(
            answered.filter(kind=SurveyKind.NPS), "answered_at", "score", n=Count("pk")
        )
    ]
    shown = SurveyResponse.objects.filter(days.within("shown_at"), kind=SurveyKind.NPS)
    rows += _totals(
        {"shown": "nps_shown", "answered": "nps_shown_answered"},
        _grouped(
            shown,
            "shown_at",
            shown=Count("pk"),
            answered=Count("pk", filter=Q(score__isnull=False)),
        ),
    )
    return rows


def _search_counts(days: Days) -> list[DailyCount]:
    searches = SearchQuery.objects.filter(
        days.within("created_at"), source__in=COUNTED_SEARCH_SOURCES
    )
    rows = _totals(
        {"all": "searches", "clicked": "searches_clicked", "zero": "searches_zero"},
        _grouped(
            searches,
            "created_at",
            all=Count("pk"),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            zero=Count("pk", filter=Q(result_count=0)),
        ),
    )
    # Normalised in Python: SQLite's LOWER() knows only ASCII, and "Кридит " is "кридит".
    zero_queries: Counter[tuple[date, str]] = Counter(
        (local_day(at), " ".join(text.split()).lower())
        for at, text in searches.filter(result_count=0).values_list("created_at", "text")
    )
    rows += [
        _count("zero_result_query", day, n, subgroup=query[:300])
        for (day, query), n in zero_queries.items()
    ]
    return rows


def _attempt_counts(days: Days, *, at: datetime) -> list[DailyCount]:
    attempts = SearchAttempt.objects.filter(days.within("started_at"))
    return _totals(
        {
            "all": "attempts",
            "deflected": "attempts_deflected",
            "posted": "attempts_posted",
            "potential": "attempts_potential",
        },
        _grouped(
            attempts,
            "started_at",
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


def _article_feedback_counts(days: Days) -> list[DailyCount]:
    return _totals(
        {"yes": "kb_feedback_yes", "no": "kb_feedback_no"},
        _grouped(
            ArticleFeedback.objects.filter(days.within("created_at")),
            "created_at",
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
    result = []
    day = days.first
    while day <= days.last:
        result += _page_view_counts_of(Days(day, day))
        day += timedelta(days=1)
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


def _participants(days: Days) -> list[ParticipantDay]:
    events = Event.objects.filter(
        days.within("created_at"), kind__in=CONTRIBUTION_EVENT_KINDS, actor__isnull=False
    ).exclude(staff_filter("actor__"))
    return [
        ParticipantDay(
            day=row["day"],
            user_id=row["actor_id"],
            category_id=row["topic__category_id"] or 0,
            contributions=row["n"],
        )
        for row in _grouped(events, "created_at", "actor_id", "topic__category_id", n=Count("pk"))
    ]


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
