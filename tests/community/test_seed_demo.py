"""`manage.py seed_demo`: the demo community is complete, consistent, dated in the past, and a
second run leaves it alone."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Department, User
from community.demo import DEMO_PASSWORD, SITE_URL
from community.models import (
    STATUSES_BY_KIND,
    Category,
    Event,
    EventKind,
    Reply,
    ReplyVote,
    Topic,
    TopicKind,
    TopicVote,
    initial_status,
)
from community.services import counters_rebuild
from knowledge_base.models import Article, ArticleFeedback, Section

DEMO_CATEGORY_SLUGS = {
    "cards",
    "deposits",
    "loans",
    "mortgage",
    "transfers",
    "mobile-app",
    "online-banking",
    "service",
}
MODELS = [User, Department, Category, Topic, Reply, TopicVote, ReplyVote, Event]
MODELS += [Section, Article, ArticleFeedback]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (a few seconds), then remove everything so other modules start
    from the empty database they expect."""
    output = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=output)
    yield output.getvalue()
    with django_db_blocker.unblock():
        # The demo knowledge base is built from the demo's threads (knowledge_base/demo.py).
        Article.objects.all().delete()
        while Section.objects.exists():
            Section.objects.filter(children__isnull=True).delete()
        Event.objects.all().delete()
        Topic.objects.all().delete()
        User.objects.all().delete()
        Category.objects.all().delete()
        Department.objects.all().delete()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_prints_logins_password_and_url(seeded):
    assert DEMO_PASSWORD in seeded
    assert SITE_URL in seeded
    for username in ["yana.gannik", "i.semenov", "d.samoylova", "ivan.petrov", "admin"]:
        assert username in seeded


def test_topics_cover_every_kind_status_and_category():
    assert Topic.objects.count() >= 150
    for kind, statuses in STATUSES_BY_KIND.items():
        found = set(Topic.objects.filter(kind=kind).values_list("status", flat=True))
        assert found == set(statuses), kind
    counts = Topic.objects.counts_by_kind()
    assert counts[TopicKind.QUESTION] == max(counts[kind] for kind in TopicKind.values)
    used = set(Topic.objects.values_list("category__slug", flat=True))
    assert used >= DEMO_CATEGORY_SLUGS
    assert set(Category.objects.values_list("slug", flat=True)) == DEMO_CATEGORY_SLUGS
    titles = list(Topic.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))


def test_people_roles_and_shared_password():
    representatives = User.objects.filter(is_representative=True)
    assert representatives.count() == 10
    assert representatives.exclude(title="").count() == 10
    assert representatives.values("department").distinct().count() == 5
    assert Department.objects.count() == 5

    owner = User.objects.get(is_community_owner=True)
    assert owner.is_representative
    assert User.objects.filter(is_moderator=True).exists()

    assert User.objects.filter(is_manager=True, is_representative=False).count() == 1
    customers = User.objects.filter(
        is_representative=False,
        is_moderator=False,
        is_community_owner=False,
        is_manager=False,
        is_superuser=False,
    )
    assert customers.count() == 50
    assert not customers.filter(display_name="").exists()

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    for user in [owner, customers.first(), admin]:
        assert user.check_password(DEMO_PASSWORD)


def test_answers_statuses_and_moderation():
    official = Reply.objects.filter(is_official=True)
    assert official.filter(topic__kind=TopicKind.QUESTION).count() >= 20
    assert official.filter(topic__kind=TopicKind.IDEA).exists()
    assert official.filter(topic__kind=TopicKind.PROBLEM).exists()
    assert not official.filter(marked_official_by__is_representative=False).exists()

    accepted = Reply.objects.filter(is_accepted=True)
    assert accepted.exists()
    assert not accepted.exclude(topic__kind=TopicKind.QUESTION).exists()
    assert not accepted.filter(author=F("topic__author")).exists()

    changes = Event.objects.filter(kind=EventKind.STATUS_CHANGED)
    assert changes.filter(topic__kind=TopicKind.IDEA, actor__is_representative=True).exists()
    assert changes.filter(topic__kind=TopicKind.PROBLEM, actor__is_representative=True).exists()
    # Every status a topic holds beyond the initial one was reached through a recorded change.
    for topic in Topic.objects.all():
        if topic.status != initial_status(topic.kind):
            assert changes.filter(topic=topic, data__to=topic.status).exists(), topic.title

    assert Topic.objects.filter(is_pinned=True).count() == 2
    assert Topic.objects.filter(is_locked=True).count() == 1
    assert not Topic.objects.filter(view_count=0).exists()


def test_replies_and_votes_respect_limits_and_permissions():
    assert Reply.objects.exists()
    assert not Topic.objects.filter(reply_count__gt=15).exists()
    assert not TopicVote.objects.filter(user=F("topic__author")).exists()
    assert not ReplyVote.objects.filter(user=F("reply__author")).exists()
    assert TopicVote.objects.count() > Topic.objects.count()
    assert ReplyVote.objects.exists()


def test_counters_are_consistent():
    fixed = counters_rebuild()
    assert fixed == {"score": 0, "reply_count": 0, "helpful_count": 0}


def test_everything_happened_in_the_last_six_months_in_order():
    now = timezone.now()
    start = now - timedelta(days=184)
    for model in [Topic, Reply, TopicVote, ReplyVote, Event]:
        assert not model.objects.filter(created_at__lt=start).exists(), model
        assert not model.objects.filter(created_at__gt=now).exists(), model
    assert Topic.objects.filter(created_at__lt=now - timedelta(days=150)).exists()
    assert Topic.objects.filter(created_at__gt=now - timedelta(days=14)).exists()

    assert not Reply.objects.filter(created_at__lte=F("topic__created_at")).exists()
    assert not Reply.objects.filter(marked_official_at__lt=F("created_at")).exists()
    assert not TopicVote.objects.filter(created_at__lt=F("topic__created_at")).exists()
    assert not ReplyVote.objects.filter(created_at__lt=F("reply__created_at")).exists()
    assert not Event.objects.filter(created_at__lt=F("topic__created_at")).exists()
    assert not Topic.objects.filter(last_activity_at__lt=F("created_at")).exists()

    # The decision comes with or after the official answer, never before it.
    last_change = {
        row["topic"]: row["at"]
        for row in Event.objects.filter(kind=EventKind.STATUS_CHANGED)
        .values("topic")
        .annotate(at=Max("created_at"))
    }
    for reply in Reply.objects.filter(is_official=True):
        if reply.topic_id in last_change:
            assert last_change[reply.topic_id] >= reply.marked_official_at


def test_second_run_changes_nothing():
    before = {model: model.objects.count() for model in MODELS}
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert {model: model.objects.count() for model in MODELS} == before
    assert "already" in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()
