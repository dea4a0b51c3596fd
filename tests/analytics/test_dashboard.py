"""The manager dashboard, /reports/: who gets in, what it shows, the period picker and its
errors, and a query count that does not grow with the data.

Presentation tests use `fake_metrics` (fixed figures); the query-count and end-to-end tests go
through the real formulas over rolled-up events."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from analytics.metrics import Period
from tests.analytics import reports_helpers
from tests.analytics.reports_helpers import answered_question, figure, moscow, roll
from tests.conftest import _client_for, make_category, make_user
from tests.pages import html_of, in_russian, login_next
from tests.test_security_headers import _InlineCode

fake_metrics = reports_helpers.fake_metrics


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


REPORT_URLS = [
    "/reports/",
    "/reports/definitions/",
    "/reports/costs/",
    "/reports/api-token/",
    "/reports/month/2026-10/",
    "/reports/month/2026-10.csv",
    "/reports/month/2026-10.pdf",
    "/reports/week/2026-W43/",
    "/reports/week/2026-W43.csv",
    "/reports/range/2026-07-01--2026-09-30/",
    "/reports/range/2026-07-01--2026-09-30.pdf",
]


# Who gets in -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REPORT_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, fake_metrics, url):
    response = client.get(url)

    assert response.status_code == 302
    assert login_next(response) == url


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator"])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_customers_representatives_and_moderators_get_403(request, fake_metrics, persona, url):
    response = request.getfixturevalue(f"{persona}_client").get(url)

    assert response.status_code == 403
    assert fake_metrics.calls == []


@pytest.mark.parametrize("persona", ["manager", "owner"])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_managers_and_the_owner_open_every_report_page(db, request, fake_metrics, persona, url):
    response = request.getfixturevalue(f"{persona}_client").get(url)

    assert response.status_code == 200


def test_a_manager_who_left_the_bank_is_refused(db, fake_metrics):
    manager = make_user(is_manager=True)
    client = _client_for(manager)
    manager.is_active = False
    manager.save()

    response = client.get("/reports/")

    # Django signs an inactive user out; either way, no report.
    assert response.status_code in (302, 403)
    assert fake_metrics.calls == []


@pytest.mark.parametrize(
    ("persona", "sees_link"),
    [("customer", False), ("representative", False), ("moderator", False), ("manager", True)],
)
def test_only_report_readers_see_the_reports_link(db, request, persona, sees_link):
    response = request.getfixturevalue(f"{persona}_client").get("/")

    assert ('href="/reports/"' in html_of(response)) is sees_link


# What it shows ---------------------------------------------------------------------------------


def test_the_default_period_is_the_current_month_against_the_previous_one(
    manager_client, fake_metrics
):
    manager_client.get("/reports/")

    today = timezone.localdate()
    this_month = Period.month(today.year, today.month)
    asked = [period for period, _costs, _category in fake_metrics.calls]
    assert asked[:2] == [this_month, this_month.previous()]


def test_a_figure_without_data_reads_no_data_in_russian(manager_client, fake_metrics):
    response = manager_client.get("/reports/?period=month&date=2026-10-15")

    html = html_of(response)
    kpi = re.search(r'<li class="kpi no-data">.*?</li>', html, re.S).group(0)
    assert "Метрика nps" in kpi
    assert in_russian("no data") in kpi


def test_kpi_cards_show_the_value_the_change_and_the_inputs(manager_client, fake_metrics):
    fake_metrics.by_start[date(2026, 9, 1)] = [
        figure("answered_rate", Decimal("60.0"), unit="percent", numerator=6, denominator=10)
    ]

    with translation.override("en"):
        response = manager_client.get(
            "/reports/?period=month&date=2026-10-15", HTTP_ACCEPT_LANGUAGE="en"
        )

    html = html_of(response)
    cards = re.findall(r'<li class="kpi">.*?</li>', html, re.S)
    card = next(card for card in cards if "#answered-rate" in card)
    assert "75 %" in card  # the value
    assert "+15 pp" in card  # against September's 60 %
    assert "change-good" in card
    assert "60 %" in card  # what it was
    assert "9 / 12" in card  # numerator / denominator


def test_every_figure_links_to_its_definition(manager_client, fake_metrics):
    html = html_of(manager_client.get("/reports/?period=month&date=2026-10-15"))

    for anchor in ["topics-created", "answered-rate", "nps", "roi"]:
        assert f'href="/reports/definitions/#{anchor}"' in html


def test_charts_are_accessible_svg_with_the_numbers_in_a_table(manager_client, fake_metrics):
    fake_metrics.default.append(figure("unique_visitors", 40, group="traffic"))

    html = html_of(manager_client.get("/reports/?period=week&date=2026-10-21"))

    charts = re.findall(
        r'<svg class="chart"[^>]*role="img"[^>]*>\s*<title id="[^"]+">([^<]+)</title>', html
    )
    assert charts == [
        "Метрика topics_created",
        "Метрика unique_visitors",
        "Метрика answered_rate",
    ]
    # The fake series has a value on two days of three; the table lists all seven days.
    table = re.search(r'<details class="chart-data">.*?</details>', html, re.S).group(0)
    assert len(re.findall(r"<tr><th scope=\"row\">", table)) == 7


def test_top_lists_are_shown(manager_client, fake_metrics):
    html = html_of(manager_client.get("/reports/?period=month&date=2026-10-15"))

    assert "кэшбэк такси" in html
    assert re.search(r"овердрафт</span> <span class=\"count\">3</span>", html)


def test_the_page_contains_no_inline_code(manager_client, fake_metrics):
    for url in ["/reports/", "/reports/month/2026-10/", "/reports/costs/", "/reports/api-token/"]:
        parser = _InlineCode()
        parser.feed(html_of(manager_client.get(url)))
        assert parser.problems == [], url


# The period picker -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "period", "previous"),
    [
        (
            "period=week&date=2026-10-21",
            Period(date(2026, 10, 19), date(2026, 10, 25)),
            Period(date(2026, 10, 12), date(2026, 10, 18)),
        ),
        (
            "period=month&date=2026-03-31",
            Period(date(2026, 3, 1), date(2026, 3, 31)),
            Period(date(2026, 2, 1), date(2026, 2, 28)),
        ),
        (
            "period=quarter&date=2026-11-02",
            Period(date(2026, 10, 1), date(2026, 12, 31)),
            Period(date(2026, 7, 1), date(2026, 9, 30)),
        ),
        (
            "period=custom&start=2026-10-05&end=2026-10-14",
            Period(date(2026, 10, 5), date(2026, 10, 14)),
            Period(date(2026, 9, 25), date(2026, 10, 4)),
        ),
    ],
)
def test_the_picker_selects_a_period_and_compares_it_with_the_one_before(
    manager_client, fake_metrics, query, period, previous
):
    response = manager_client.get(f"/reports/?{query}")

    assert response.status_code == 200
    asked = [p for p, _costs, _category in fake_metrics.calls]
    assert asked[:2] == [period, previous]


def test_previous_and_next_links_step_by_the_chosen_kind(manager_client, fake_metrics):
    html = html_of(manager_client.get("/reports/?period=quarter&date=2026-11-02"))

    assert 'href="/reports/?period=quarter&amp;date=2026-07-01" rel="prev"' in html
    assert 'href="/reports/?period=quarter&amp;date=2027-01-01" rel="next"' in html
    assert 'href="/reports/range/2026-10-01--2026-12-31/"' in html  # the full report


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "period=custom&start=2026-10-20&end=2026-10-01",
            "end",
            "The last day cannot be earlier than the first day.",
        ),
        (
            "period=custom&start=2024-01-01&end=2026-01-01",
            "end",
            "The period is too long: at most %(days)s days.",
        ),
        ("period=custom&start=2026-10-01", "end", "Enter the last day of the period."),
        (
            "period=custom&start=2026-10-45&end=2026-10-31",
            "start",
            "Enter a date as YYYY-MM-DD, for example 2026-10-31.",
        ),
    ],
)
def test_bad_dates_get_a_translated_error_and_keep_what_was_typed(
    manager_client, fake_metrics, query, field, message
):
    response = manager_client.get(f"/reports/?{query}")

    assert response.status_code == 200
    html = html_of(response)
    errors = re.search(rf'<ul class="field-errors" id="id_{field}_error">(.*?)</ul>', html, re.S)
    expected = in_russian(message)
    if "%(days)s" in expected:
        expected = expected % {"days": 366}
    assert expected in errors.group(1)
    for typed in re.findall(r"(?:start|end)=([^&]+)", query):
        assert f'value="{typed}"' in html


def test_a_category_filters_the_figures(manager_client, fake_metrics):
    cards = make_category(name="Карты", slug="cards")

    html = html_of(
        manager_client.get(f"/reports/?period=month&date=2026-10-01&category={cards.pk}")
    )

    assert {category for _p, _c, category in fake_metrics.calls} == {cards.pk}
    assert "Карты" in html
    assert f'<option value="{cards.pk}" selected>' in html


# Real data: the whole chain, and a query count that does not grow with rows ------------------


def _build(customer, representative, category, topics: int) -> None:
    for n in range(topics):
        answered_question(
            author=customer,
            representative=representative,
            category=category,
            asked=moscow(2026, 10, 1 + n % 28, 10),
            hours=1 + n % 5,
        )
    roll(date(2026, 9, 1), date(2026, 10, 31))


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/?period=month&date=2026-10-01")
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_shows_real_figures(manager_client, customer, representative, category):
    _build(customer, representative, category, topics=4)

    with translation.override("en"):
        html = html_of(
            manager_client.get("/reports/?period=month&date=2026-10-01", HTTP_ACCEPT_LANGUAGE="en")
        )

    row = re.search(r'<tr id="figure-topics_created">.*?</tr>', html, re.S).group(0)
    assert '<td class="num value">4</td>' in row
    row = re.search(r'<tr id="figure-answered_rate">.*?</tr>', html, re.S).group(0)
    assert '<td class="num value">100 %</td>' in row


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    manager_client, customer, representative, category
):
    _build(customer, representative, category, topics=2)
    few = _dashboard_queries(manager_client)

    _build(customer, representative, make_category(), topics=12)
    many = _dashboard_queries(manager_client)

    print(f"dashboard queries: {few} with 2 topics, {many} with 14")
    assert few == many
    # Was 38 when each of the four charts read the rollups on its own; now one read for all.
    assert many <= 30
