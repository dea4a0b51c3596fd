"""The CSV export: UTF-8 with a byte-order mark, one row per figure with its inputs, in the
dialect the downloader's Excel reads (";" and decimal commas in Russian, "," and points in
English). Expected rows are worked out by hand from the events below."""

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from analytics import metrics
from tests.analytics.reports_helpers import answered_question, deflected_attempt, moscow, roll
from tests.conftest import _client_for, make_topic


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def october(customer, representative, category):
    """Three questions in October 2026 (one answered after 2 hours, one after 5, one not) and a
    deflected attempt; nothing in September."""
    answered_question(
        author=customer,
        representative=representative,
        category=category,
        asked=moscow(2026, 10, 1, 0, 30),
        hours=2,
    )
    answered_question(
        author=customer,
        representative=representative,
        category=category,
        asked=moscow(2026, 10, 31, 12),
        hours=5,
    )
    make_topic(author=customer, category=category, at=moscow(2026, 10, 15))
    # Late on 30 September in Moscow, already 1 October in UTC: a September topic.
    make_topic(author=customer, category=category, at=moscow(2026, 9, 30, 23, 30))
    deflected_attempt(at=moscow(2026, 10, 7))
    roll(date(2026, 9, 1), date(2026, 10, 31))


def _download(client: Client, url: str, language: str) -> bytes:
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content


def test_the_csv_starts_with_a_bom_and_has_one_row_per_figure(manager_client, october):
    content = _download(manager_client, "/reports/month/2026-10.csv", "ru")

    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "key;label;value;numerator;denominator;unit;period"
    assert lines[-1] == ""
    assert len(lines) - 2 == len(metrics.report(metrics.Period.month(2026, 10)))


def test_russian_csv_rows_are_exact(manager_client, october):
    rows = _download(manager_client, "/reports/month/2026-10.csv", "ru").decode("utf-8-sig")
    by_key = {line.split(";")[0]: line for line in rows.split("\r\n")[1:] if line}

    period = "2026-10-01/2026-10-31"
    with translation.override("ru"):
        label = metrics.report(metrics.Period.month(2026, 10))[0].label
    assert by_key["topics_created"] == f"topics_created;{label};3;3;;count;{period}"
    assert by_key["answered_rate"].split(";")[2:] == ["66,7", "2", "3", "percent", period]
    # Median of 2 h and 5 h: 3.5 h over the two topics that got an official response.
    assert by_key["first_response_median"].split(";")[2:] == ["3,5", "", "2", "hours", period]
    assert by_key["deflection_successful"].split(";")[2:] == ["100,0", "1", "1", "percent", period]
    # No costs entered: ROI and its money inputs are empty cells, not zeros.
    assert by_key["roi"].split(";")[2:] == ["", "", "", "percent", period]
    assert by_key["nps"].split(";")[2] == ""


def test_english_csv_uses_commas_and_points(manager_client, october):
    text = _download(manager_client, "/reports/month/2026-10.csv", "en").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0] == ["key", "label", "value", "numerator", "denominator", "unit", "period"]
    answered = next(row for row in rows if row[0] == "answered_rate")
    assert answered == [
        "answered_rate",
        "Answered rate",
        "66.7",
        "2",
        "3",
        "percent",
        "2026-10-01/2026-10-31",
    ]


def test_labels_with_the_delimiter_are_quoted(manager_client, october):
    """ "Time to first official response, median" holds a comma: quoted in the English file."""
    text = _download(manager_client, "/reports/month/2026-10.csv", "en").decode("utf-8-sig")

    assert '"Time to first official response, median"' in text
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "first_response_median")
    assert row[1] == "Time to first official response, median"


def test_the_week_csv_is_named_after_the_week(manager_client, october):
    with translation.override("ru"):
        response = manager_client.get("/reports/week/2026-W40.csv")

    assert response["Content-Disposition"] == 'attachment; filename="report-2026-W40.csv"'
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[1].endswith(";2026-09-28/2026-10-04")
