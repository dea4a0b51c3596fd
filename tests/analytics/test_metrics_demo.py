"""Demo analytics (`manage.py seed_demo_analytics`): seeded once around the community's topics,
rolled up, and the headline figures have data."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics import metrics
from analytics.demo import seed_demo_analytics
from analytics.metrics import Period
from analytics.models import PageView, ReportCosts
from community import services
from tests.conftest import make_reply, make_topic, make_user

# Three weeks keep the test fast; `manage.py seed_demo_analytics` seeds six months.
DAYS = 20


@pytest.fixture
def community(representative):
    now = timezone.now()
    customers = [make_user() for _ in range(8)]
    for n in range(12):
        at = now - timedelta(days=3 + n, hours=5)
        topic = make_topic(author=customers[n % 8], at=at)
        if n % 3:
            reply = make_reply(topic, author=representative, at=at + timedelta(hours=2))
            services.answer_mark_official(
                reply=reply, actor=representative, at=at + timedelta(hours=2)
            )
    return now


def test_the_demo_dashboard_has_every_headline_figure(community):
    result = seed_demo_analytics(now=community, days=DAYS)
    assert result.created and result.page_views > 500
    costs = ReportCosts.objects.current().as_costs()
    today = metrics.local_day(community)
    period = Period(today - timedelta(days=DAYS), today)
    figures = {f.key: f for f in metrics.report(period, costs=costs)}
    for key in [
        "topics_created",
        "answered_rate",
        "first_response_median",
        "deflection_rate",
        "nps",
        "csat",
        "unique_visitors",
        "bounce_rate",
        "search_engine_visits",
        "roi",
        "searches_zero_result",
        "self_service_sessions",
    ]:
        assert figures[key].value is not None, key
    assert figures["topics_created"].value == 12


def test_seeding_the_demo_analytics_twice_changes_nothing(community):
    seed_demo_analytics(now=community, days=DAYS)
    views = PageView.objects.count()
    call_command("seed_demo_analytics")
    assert PageView.objects.count() == views


def test_without_a_community_there_is_nothing_to_seed(db):
    assert not seed_demo_analytics().created
    assert not PageView.objects.exists()
