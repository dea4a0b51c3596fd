"""Analytics for the demo community (`manage.py seed_demo_analytics`, after seed_demo): six
months of synthetic page views, searches, new-topic attempts, article feedback and survey
answers around the demo's real topics, ROI inputs, and a rollup, so the managers' dashboard shows
real numbers. Deterministic (a fixed random seed) and run once: a second call changes nothing."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from analytics.metrics import local_day, local_midnight
from analytics.models import (
    PageKind,
    PageView,
    ReferrerClass,
    ReportCosts,
    SurveyKind,
    SurveyResponse,
    TopicFact,
)
from analytics.rollup import rollup
from analytics.surveys import is_customer
from community.models import Topic
from knowledge_base.models import Article, ArticleFeedback
from search.models import SearchAttempt, SearchQuery, SearchSource

DAYS = 182
SEED = 2025
# UBRR's community: up to 28 % of visits from search engines.
REFERRERS = [
    (ReferrerClass.SEARCH_ENGINE, 28),
    (ReferrerClass.DIRECT, 40),
    (ReferrerClass.SOCIAL, 12),
    (ReferrerClass.OTHER, 5),
    (ReferrerClass.INTERNAL, 15),
]
QUERIES = [
    "как активировать карту",
    "перевод по номеру телефона",
    "лимит снятия наличных",
    "досрочное погашение кредита",
    "кэшбэк не начислен",
    "заблокировали карту",
    "вклад пополняемый",
    "смс не приходят",
    "сбп комиссия",
    "курс валют в приложении",
]
ZERO_RESULT_QUERIES = ["кридитка", "ипотка для ип", "apple pay", "перевыпуск стикера", "nfc кольцо"]


@dataclass
class DemoAnalytics:
    created: bool
    page_views: int = 0
    attempts: int = 0
    surveys: int = 0


def analytics_demo_exists() -> bool:
    return PageView.objects.exists() or SurveyResponse.objects.exists()


def seed_demo_analytics(*, now: datetime | None = None, days: int = DAYS) -> DemoAnalytics:
    if analytics_demo_exists() or not Topic.objects.exists():
        return DemoAnalytics(created=False)
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        # The facts tell which topics were answered when, for surveys and self-service reads.
        rollup(at=now)
        result = DemoAnalytics(created=True)
        result.page_views = _page_views(rng, now, days)
        result.attempts = _searches_and_attempts(rng, now, days)
        result.surveys = _surveys(rng, now, days) + _article_feedback(rng, now)
        if not ReportCosts.objects.exists():
            ReportCosts.objects.create(
                call=Decimal("180.00"),
                email=Decimal("95.00"),
                monthly=Decimal("120000.00"),
                updated_at=now,
            )
    rollup(start=local_day(now - timedelta(days=days)), at=now)
    return result


def _days(now: datetime, days: int) -> list[datetime]:
    today = local_day(now)
    return [local_midnight(today - timedelta(days=n)) for n in range(days, -1, -1)]


def _moment(rng: random.Random, midnight: datetime, now: datetime) -> datetime:
    # Customers write in the daytime and evening, Moscow time.
    at = midnight + timedelta(hours=rng.triangular(7, 23.9, 14), seconds=rng.randint(0, 59))
    return min(at, now)


def _page_views(rng: random.Random, now: datetime, days: int) -> int:
    topics = list(Topic.objects.filter(is_hidden=False).values_list("pk", "created_at"))
    articles = list(Article.objects.filter(status="published").values_list("pk", flat=True))
    rows = []
    first = _days(now, days)[0]
    for midnight in _days(now, days):
        weekday = midnight.weekday()
        visitors = int(
            rng.gauss(70 if weekday < 5 else 45, 10) * (1 + (midnight - first).days / 365)
        )
        visible = [pk for pk, created in topics if created < midnight + timedelta(days=1)]
        for _ in range(max(visitors, 5)):
            visitor = f"{rng.getrandbits(64):016x}"
            at = _moment(rng, midnight, now)
            referrer = rng.choices([r for r, _w in REFERRERS], [w for _r, w in REFERRERS])[0]
            for n in range(rng.choices([1, 2, 3, 4, 6, 9], [38, 20, 15, 12, 10, 5])[0]):
                kind, object_id = _page(rng, visible, articles, first=n == 0, referrer=referrer)
                rows.append(
                    PageView(
                        created_at=at,
                        visitor=visitor,
                        path="/",
                        kind=kind,
                        object_id=object_id,
                        referrer=referrer if n == 0 else ReferrerClass.INTERNAL,
                    )
                )
                at += timedelta(seconds=rng.randint(20, 400))
            if rng.random() < 0.06:
                rows.append(
                    PageView(
                        created_at=at,
                        visitor=visitor,
                        path="/new/",
                        kind=PageKind.CONTRIBUTION,
                        referrer=ReferrerClass.INTERNAL,
                    )
                )
    PageView.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _page(rng, topics, articles, *, first: bool, referrer: str) -> tuple[str, int | None]:
    # Visitors from search engines land on a topic or an article.
    if first and referrer == ReferrerClass.SEARCH_ENGINE and topics:
        if articles and rng.random() < 0.35:
            return PageKind.ARTICLE, rng.choice(articles)
        return PageKind.TOPIC, rng.choice(topics)
    kind = rng.choices(
        [PageKind.HOME, PageKind.LIST, PageKind.TOPIC, PageKind.ARTICLE, PageKind.SEARCH],
        [25, 20, 35, 12, 8],
    )[0]
    if kind == PageKind.TOPIC and topics:
        return kind, rng.choice(topics)
    if kind == PageKind.ARTICLE and articles:
        return kind, rng.choice(articles)
    if kind in (PageKind.TOPIC, PageKind.ARTICLE):
        return PageKind.HOME, None
    return kind, None


def _searches_and_attempts(rng: random.Random, now: datetime, days: int) -> int:
    by_day: dict = {}
    for pk, created in Topic.objects.values_list("pk", "created_at"):
        by_day.setdefault(local_day(created), []).append((pk, created))
    queries, attempts = [], []
    for midnight in _days(now, days):
        for _ in range(rng.randint(15, 35)):
            at = _moment(rng, midnight, now)
            zero = rng.random() < 0.08
            results = 0 if zero else rng.randint(1, 12)
            clicked = not zero and rng.random() < 0.62
            queries.append(
                SearchQuery(
                    text=rng.choice(ZERO_RESULT_QUERIES if zero else QUERIES),
                    source=rng.choice([SearchSource.PAGE, SearchSource.ASK]),
                    result_count=results,
                    created_at=at,
                    clicked_at=at + timedelta(seconds=15) if clicked else None,
                )
            )
        posted_today = list(by_day.get(local_day(midnight), []))
        for n in range(rng.randint(6, 16)):
            at = _moment(rng, midnight, now)
            attempt = SearchAttempt(
                visitor_key=f"demo-{rng.getrandbits(64):016x}",
                text=rng.choice(QUERIES),
                suggestion_count=rng.randint(1, 5),
                started_at=at,
                last_activity_at=at + timedelta(minutes=2),
            )
            outcome = rng.choices(["deflected", "posted", "opened", "left"], [38, 22, 22, 18])[0]
            if outcome in ("deflected", "opened"):
                attempt.opened_at = at + timedelta(seconds=40)
                attempt.opened = f"topic:{n + 1}"
            if outcome == "deflected":
                attempt.deflected_at = at + timedelta(minutes=2)
            if outcome == "posted" and posted_today:
                topic_id, created = posted_today.pop()
                attempt.topic_id = topic_id
                attempt.started_at = created - timedelta(minutes=3)
                attempt.posted_at = attempt.last_activity_at = created
            attempts.append(attempt)
    SearchQuery.objects.bulk_create(queries, batch_size=2000)
    SearchAttempt.objects.bulk_create(attempts, batch_size=2000)
    return len(attempts)


def _surveys(rng: random.Random, now: datetime, days: int) -> int:
    rows = []
    resolved = TopicFact.objects.filter(
        resolved_at__isnull=False, author_is_staff=False, is_hidden=False
    ).select_related("topic__author")
    for fact in resolved:
        if rng.random() > 0.45 or not is_customer(fact.topic.author):
            continue
        at = min(fact.resolved_at + timedelta(hours=rng.uniform(1, 30)), now)
        rows.append(
            SurveyResponse(
                kind=SurveyKind.CSAT,
                user=fact.topic.author,
                topic=fact.topic,
                score=rng.choices([5, 4, 3, 2, 1], [48, 27, 12, 7, 6])[0],
                shown_at=at,
                answered_at=at,
            )
        )
    customers = [
        user for user in User.objects.filter(topics__isnull=False).distinct() if is_customer(user)
    ]
    for user in customers:
        at = now - timedelta(days=rng.uniform(1, max(days - 1, 2)))
        score = rng.choices(list(range(11)), [2, 1, 1, 2, 2, 4, 6, 10, 18, 24, 30])[0]
        answered = rng.random() < 0.55
        rows.append(
            SurveyResponse(
                kind=SurveyKind.NPS,
                user=user,
                score=score if answered else None,
                shown_at=at,
                answered_at=at + timedelta(minutes=1) if answered else None,
                dismissed_at=None if answered else at + timedelta(minutes=1),
            )
        )
    SurveyResponse.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _article_feedback(rng: random.Random, now: datetime) -> int:
    rows = []
    for article in Article.objects.filter(status="published", published_at__isnull=False):
        for n in range(rng.randint(3, 25)):
            rows.append(
                ArticleFeedback(
                    article=article,
                    visitor_key=f"demo-{article.pk}-{n}",
                    is_helpful=rng.random() < 0.8,
                    created_at=article.published_at + (now - article.published_at) * rng.random(),
                )
            )
    ArticleFeedback.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    # The counters on the article agree with its feedback rows.
    Article.objects.update(
        helpful_yes=Coalesce(_feedback_count(True), 0),
        helpful_no=Coalesce(_feedback_count(False), 0),
    )
    return len(rows)


def _feedback_count(is_helpful: bool) -> Subquery:
    rows = (
        ArticleFeedback.objects.filter(article=OuterRef("pk"), is_helpful=is_helpful)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows)
