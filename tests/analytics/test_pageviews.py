"""First-party page views: what is recorded, what is not, and that nothing personal is."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics import pageviews
from analytics.models import DailySalt, PageKind, PageView, ReferrerClass
from tests.conftest import make_topic

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
ADDRESS = "203.0.113.77"


@pytest.fixture(autouse=True)
def _tracking(settings):
    settings.ANALYTICS_PAGE_VIEWS = True
    pageviews.forget_salts()
    yield
    pageviews.forget_salts()


def _get(client: Client, url: str, **headers):
    headers = {"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": ADDRESS, **headers}
    return client.get(url, **headers)


def test_a_page_view_records_the_page_and_nothing_personal(db):
    response = _get(Client(), "/", HTTP_REFERER="https://yandex.ru/search/?text=банк")
    assert response.status_code == 200
    view = PageView.objects.get()
    assert (view.path, view.kind, view.referrer) == (
        "/",
        PageKind.HOME,
        ReferrerClass.SEARCH_ENGINE,
    )
    assert len(view.visitor) == 16
    stored = " ".join(str(value) for value in PageView.objects.values_list().get())
    for personal in [ADDRESS, "Android", "Chrome", "yandex", "банк"]:
        assert personal not in stored


def test_a_topic_page_records_the_topic(customer):
    topic = make_topic(author=customer)
    _get(Client(), topic.get_absolute_url())
    view = PageView.objects.get()
    assert (view.kind, view.object_id) == (PageKind.TOPIC, topic.pk)


def test_the_same_browser_is_one_visitor_within_a_day_and_another_person_is_not(db):
    _get(Client(), "/")
    _get(Client(), "/questions/")
    _get(Client(), "/", REMOTE_ADDR="198.51.100.1")
    hashes = list(PageView.objects.order_by("pk").values_list("visitor", flat=True))
    assert hashes[0] == hashes[1] != hashes[2]


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 11; moto g power) Chrome-Lighthouse",
        "python-requests/2.32",
        "curl/8.5.0",
        "TelegramBot (like TwitterBot)",
    ],
)
def test_bots_are_not_counted(db, agent):
    _get(Client(), "/", HTTP_USER_AGENT=agent)
    assert not PageView.objects.exists()


def test_htmx_partials_errors_admin_api_and_writes_are_not_page_views(customer, customer_client):
    client = Client()
    _get(client, "/", HTTP_HX_REQUEST="true")
    _get(client, "/t/999999-net/")
    _get(client, "/admin/login/")
    _get(client, "/api/v1/search/?q=карта")
    _get(client, "/reports/")
    _get(client, "/", HTTP_SEC_PURPOSE="prefetch")
    customer_client.post("/t/999999/vote/", HTTP_USER_AGENT=BROWSER)
    assert not PageView.objects.exists()


def test_staff_reading_the_community_are_not_its_audience(representative_client, customer_client):
    _get(representative_client, "/")
    assert not PageView.objects.exists()
    _get(customer_client, "/")
    assert PageView.objects.count() == 1


def test_tracking_can_be_switched_off(db, settings):
    settings.ANALYTICS_PAGE_VIEWS = False
    _get(Client(), "/")
    assert not PageView.objects.exists()


def test_posting_a_topic_marks_the_visit_as_one_that_contributed(customer_client, category):
    customer_client.post(
        "/new/",
        {
            "kind": "question",
            "title": "Как закрыть вклад досрочно?",
            "body": "",
            "category": category.pk,
        },
        HTTP_USER_AGENT=BROWSER,
    )
    view = PageView.objects.get()
    assert view.kind == PageKind.CONTRIBUTION
    # A refused form (no title) posts nothing.
    customer_client.post("/new/", {"kind": "question", "title": ""}, HTTP_USER_AGENT=BROWSER)
    assert PageView.objects.count() == 1


def test_a_page_view_adds_exactly_one_query(db, settings):
    client = Client()
    _get(client, "/")  # the day's salt is read or created once per process
    settings.ANALYTICS_PAGE_VIEWS = False
    with CaptureQueriesContext(connection) as without:
        _get(client, "/")
    settings.ANALYTICS_PAGE_VIEWS = True
    with CaptureQueriesContext(connection) as with_tracking:
        _get(client, "/")
    assert len(with_tracking) == len(without) + 1
    assert with_tracking.captured_queries[-1]["sql"].startswith('INSERT INTO "analytics_pageview"')


def test_the_salt_changes_every_day_and_old_salts_are_deleted(db, rf):
    request = rf.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ADDRESS)
    monday = pageviews.visitor_hash(request, day=date(2025, 10, 6))
    assert pageviews.visitor_hash(request, day=date(2025, 10, 6)) == monday
    tuesday = pageviews.visitor_hash(request, day=date(2025, 10, 7))
    assert tuesday != monday
    assert list(DailySalt.objects.values_list("day", flat=True)) == [date(2025, 10, 7)]
    # Without Monday's salt, Monday's hash cannot be recomputed, even by this process.
    pageviews.forget_salts()
    assert pageviews.visitor_hash(request, day=date(2025, 10, 6)) != monday


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("", ReferrerClass.DIRECT),
        ("https://testserver/questions/", ReferrerClass.INTERNAL),
        ("https://www.google.ru/", ReferrerClass.SEARCH_ENGINE),
        ("https://yandex.ru/search/?text=x", ReferrerClass.SEARCH_ENGINE),
        ("https://ya.ru/", ReferrerClass.SEARCH_ENGINE),
        ("https://duckduckgo.com/", ReferrerClass.SEARCH_ENGINE),
        ("https://go.mail.ru/search?q=x", ReferrerClass.SEARCH_ENGINE),
        ("https://vk.com/wall-1", ReferrerClass.SOCIAL),
        ("https://t.me/bank", ReferrerClass.SOCIAL),
        ("https://dzen.ru/a/xyz", ReferrerClass.SOCIAL),
        ("https://www.banki.ru/forum/", ReferrerClass.OTHER),
        ("https://notgoogle.example/", ReferrerClass.OTHER),
        ("garbage", ReferrerClass.OTHER),
    ],
)
def test_referrer_classes(referrer, expected):
    assert pageviews.referrer_class(referrer, "testserver") == expected
