"""Monthly, weekly and other report pages; the ROI inputs; the metric definitions."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from analytics import metrics
from analytics.models import ReportCosts
from analytics.views import DEFINITIONS_PATH
from tests.analytics import reports_helpers
from tests.analytics.reports_helpers import answered_question, deflected_attempt, moscow, roll
from tests.conftest import _client_for, make_category
from tests.pages import html_of, in_russian

fake_metrics = reports_helpers.fake_metrics


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


def _row(html: str, key: str) -> list[str]:
    """The cells of a figure's row: label, value, numerator, denominator, previous, change."""
    row = re.search(rf'<tr id="figure-{key}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def _english(client: Client, url: str) -> str:
    with translation.override("en"):
        return html_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))


@pytest.fixture
def october(customer, representative, category):
    """October 2026: three answered questions (1, 3 and 5 hours), one unanswered; two
    deflected attempts. September: one answered question."""
    for day, hours in [(3, 1), (10, 3), (20, 5)]:
        answered_question(
            author=customer,
            representative=representative,
            category=category,
            asked=moscow(2026, 10, day),
            hours=hours,
        )
    reports_helpers.make_topic(author=customer, category=category, at=moscow(2026, 10, 25))
    answered_question(
        author=customer, representative=representative, asked=moscow(2026, 9, 15), hours=2
    )
    deflected_attempt(at=moscow(2026, 10, 5))
    deflected_attempt(at=moscow(2026, 10, 6), text="лимит по карте")
    roll(date(2026, 9, 1), date(2026, 10, 31))


# Report pages ----------------------------------------------------------------------------------


def test_the_monthly_report_shows_every_metric_with_its_inputs(manager_client, october):
    html = _english(manager_client, "/reports/month/2026-10/")

    figures = metrics.report(metrics.Period.month(2026, 10))
    keys = re.findall(r'<tr id="figure-([a-z0-9_]+)"', html)
    assert keys == [figure.key for figure in figures]
    assert _row(html, "topics_created")[:4] == ["Topics created", "4", "4", "—"]
    assert _row(html, "answered_rate")[:6] == [
        "Answered rate",
        "75 %",
        "3",
        "4",
        "100 %",
        "▼ −25 pp (worse)",
    ]
    assert _row(html, "first_response_median")[1] == "3 h"


def test_the_weekly_report_covers_monday_to_sunday(manager_client, october):
    html = _english(manager_client, "/reports/week/2026-W41/")  # 5–11 October

    assert "5 October 2026 – 11 October 2026" in html
    assert _row(html, "topics_created")[1] == "1"  # the question of 10 October
    assert _row(html, "deflection_successful")[1:4] == ["100 %", "2", "2"]


def test_a_quarter_report_is_a_range_page(manager_client, october):
    html = _english(manager_client, "/reports/range/2026-07-01--2026-09-30/")

    assert "Q3 2026" in html
    assert _row(html, "topics_created")[1] == "1"


def test_the_report_page_shows_answers_by_representative(manager_client, october, representative):
    html = _english(manager_client, "/reports/month/2026-10/")

    table = re.search(
        r'<section class="report-group" aria-labelledby="people-heading">.*?</section>', html, re.S
    ).group(0)
    assert representative.name in table
    assert re.search(
        r"<td class=\"num\">3</td><td class=\"num\">3</td><td class=\"num\">3 h</td>", table
    )


@pytest.mark.parametrize(
    "url",
    [
        "/reports/month/2026-13/",
        "/reports/month/2026-00.csv",
        "/reports/week/2026-W54/",
        "/reports/week/2026-W00.pdf",
        "/reports/range/2026-10-31--2026-10-01/",
        "/reports/range/2024-01-01--2026-01-01/",
        "/reports/range/2026-02-30--2026-03-01/",
    ],
)
def test_impossible_periods_are_404(manager_client, fake_metrics, url):
    assert manager_client.get(url).status_code == 404


def test_report_pages_have_previous_and_next_and_their_files(manager_client, fake_metrics):
    html = html_of(manager_client.get("/reports/week/2026-W01/"))

    assert 'href="/reports/week/2025-W52/" rel="prev"' in html
    assert 'href="/reports/week/2026-W02/" rel="next"' in html
    assert 'href="/reports/week/2026-W01.csv"' in html
    assert 'href="/reports/week/2026-W01.pdf"' in html


def _report_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/month/2026-10/")
    assert response.status_code == 200
    return len(queries)


def test_the_report_page_query_count_does_not_grow_with_the_data(
    manager_client, customer, representative, other_customer
):
    def build(topics: int) -> None:
        category = make_category()
        for n in range(topics):
            answered_question(
                author=customer,
                representative=representative,
                category=category,
                asked=moscow(2026, 10, 1 + n % 28),
                hours=1 + n % 4,
            )
            deflected_attempt(at=moscow(2026, 10, 1 + n % 28, 15, n))
        roll(date(2026, 9, 1), date(2026, 10, 31))

    build(2)
    few = _report_queries(manager_client)
    build(12)
    many = _report_queries(manager_client)

    assert few == many


# ROI inputs ------------------------------------------------------------------------------------


def test_the_costs_form_shows_the_current_inputs(manager_client, manager):
    ReportCosts.objects.create(
        call=Decimal("350"),
        email=Decimal("120.50"),
        monthly=Decimal("150000"),
        updated_at=moscow(2026, 10, 1),
        updated_by=manager,
    )

    html = html_of(manager_client.get("/reports/costs/"))

    assert 'name="call" value="350.00"' in html
    assert 'name="email" value="120.50"' in html
    assert 'name="monthly" value="150000.00"' in html
    assert manager.name in html


def test_saving_costs_adds_a_row_and_returns_to_the_report(manager_client, manager):
    response = manager_client.post(
        "/reports/costs/",
        {"call": "350", "email": "120,50", "monthly": "150 000", "next": "/reports/month/2026-10/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/reports/month/2026-10/"
    saved = ReportCosts.objects.get()
    assert (saved.call, saved.email, saved.monthly) == (
        Decimal("350"),
        Decimal("120.50"),
        Decimal("150000"),
    )
    assert saved.updated_by == manager


def test_the_costs_form_does_not_redirect_off_the_site(manager_client):
    response = manager_client.post(
        "/reports/costs/",
        {"call": "1", "email": "1", "monthly": "1", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/reports/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"call": "-5", "email": "1", "monthly": "1"}, "call", "A cost cannot be negative."),
        (
            {"call": "5", "email": "1", "monthly": "0"},
            "monthly",
            "ROI is the saving divided by this cost, so it must be more than zero.",
        ),
        (
            {"call": "пятьсот", "email": "1", "monthly": "1"},
            "call",
            "Enter an amount in roubles, for example 350.50.",
        ),
        (
            {"call": "", "email": "1", "monthly": "1"},
            "call",
            "Enter an amount (0 if there is none).",
        ),
    ],
)
def test_bad_costs_get_a_translated_error_and_keep_what_was_typed(
    manager_client, data, field, message
):
    response = manager_client.post("/reports/costs/", data)

    assert response.status_code == 200
    assert ReportCosts.objects.count() == 0
    html = html_of(response)
    errors = re.search(rf'<ul class="field-errors" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert in_russian(message) in errors.group(1)
    for name, value in data.items():
        if value:
            assert f'name="{name}" value="{value}"' in html or value in html


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator"])
def test_only_report_readers_can_save_costs(request, persona):
    client = request.getfixturevalue(f"{persona}_client")

    response = client.post("/reports/costs/", {"call": "1", "email": "1", "monthly": "1"})

    assert response.status_code == 403
    assert ReportCosts.objects.count() == 0


def test_changing_the_call_cost_changes_roi_on_the_next_render(manager_client, october):
    """Two successful deflections in October: two contacts saved. Half would have been calls
    (ANALYTICS_ROI_CALL_SHARE 0.5): a saved contact is worth (call + e-mail) / 2."""
    manager_client.post("/reports/costs/", {"call": "1000", "email": "200", "monthly": "600"})
    before = _english(manager_client, "/reports/month/2026-10/")
    manager_client.post("/reports/costs/", {"call": "2000", "email": "200", "monthly": "600"})
    after = _english(manager_client, "/reports/month/2026-10/")

    # (2 × 600 − 600) / 600 = 100 %, then (2 × 1100 − 600) / 600 = 266.7 %.
    assert _row(before, "roi")[1:4] == ["100 %", "600", "600"]
    assert _row(after, "roi")[1:4] == ["266.7 %", "1,600", "600"]
    # The inputs are beside the result.
    assert _row(after, "cost_call")[1] == "2,000 ₽"
    costs = re.search(r'<div class="report-costs">.*?</div>\s*</section>', after, re.S).group(0)
    assert "2,000 ₽" in costs
    assert "200 ₽" in costs


def test_without_costs_roi_has_no_data_and_says_why(manager_client, october):
    html = html_of(manager_client.get("/reports/month/2026-10/"))

    assert _row(html, "roi")[1] == in_russian("no data")
    assert in_russian("Nobody has entered the costs yet, so ROI has no data.") in html


# Definitions -----------------------------------------------------------------------------------


@pytest.mark.skipif(not DEFINITIONS_PATH.exists(), reason="docs/metrics.md is not written yet")
def test_every_figure_has_its_definition_on_the_definitions_page(manager_client, db):
    html = html_of(manager_client.get("/reports/definitions/"))

    ids = set(re.findall(r'<h[2-6] id="([^"]+)"', html))
    anchors = {figure.anchor for figure in metrics.report(metrics.Period.month(2026, 10))}
    assert anchors - ids == set()


def test_the_definitions_page_cannot_run_script(manager_client, monkeypatch, tmp_path):
    doc = tmp_path / "metrics.md"
    doc.write_text(
        "# Metrics\n\n## Answered rate {#answered-rate}\n\n<script>alert(1)</script>"
        '<a href="javascript:alert(1)" onclick="x()">x</a>\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("analytics.views.DEFINITIONS_PATH", doc)

    html = html_of(manager_client.get("/reports/definitions/"))

    assert '<h3 id="answered-rate">Answered rate</h3>' in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onclick" not in html
