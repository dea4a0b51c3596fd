"""GET /api/v1/reports/summary/: the contract, token authentication, and translated errors;
and the page where a manager creates and revokes the token."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from analytics import metrics
from analytics.models import ReportCosts
from tests.analytics.reports_helpers import answered_question, moscow, roll
from tests.conftest import _client_for
from tests.pages import html_of, in_russian

URL = "/api/v1/reports/summary/"


def _get(token: Token | None, query: str = "start=2026-10-01&end=2026-10-31", **headers):
    client = Client()
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client.get(f"{URL}?{query}", **headers)


@pytest.fixture
def manager_token(manager) -> Token:
    return Token.objects.create(user=manager)


@pytest.fixture
def october(customer, representative, category):
    answered_question(
        author=customer,
        representative=representative,
        category=category,
        asked=moscow(2026, 10, 1, 10),
        hours=3,
    )
    answered_question(
        author=customer,
        representative=representative,
        category=category,
        asked=moscow(2026, 10, 2, 10),
        hours=7,
    )
    roll(date(2026, 9, 1), date(2026, 10, 31))


# The contract ----------------------------------------------------------------------------------


def test_the_summary_returns_every_metric_with_its_inputs(manager_token, october):
    with translation.override("en"):
        response = _get(manager_token, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert body["costs"] is None
    expected_keys = [f.key for f in metrics.report(metrics.Period.month(2026, 10))]
    assert [m["key"] for m in body["metrics"]] == expected_keys
    by_key = {m["key"]: m for m in body["metrics"]}
    assert by_key["topics_created"] == {
        "key": "topics_created",
        "label": "Topics created",
        "group": "questions",
        "unit": "count",
        "value": 2,
        "numerator": 2,
        "denominator": None,
        "definition": "http://testserver/reports/definitions/#topics-created",
    }
    assert by_key["answered_rate"]["value"] == 100
    assert (by_key["answered_rate"]["numerator"], by_key["answered_rate"]["denominator"]) == (2, 2)
    assert by_key["first_response_median"]["value"] == 5  # median of 3 h and 7 h
    assert by_key["nps"]["value"] is None  # no survey answers: null, never 0


def test_the_summary_uses_the_saved_roi_inputs(manager_token, manager, october):
    ReportCosts.objects.create(
        call=Decimal("350.50"),
        email=Decimal("120"),
        monthly=Decimal("90000"),
        updated_at=moscow(2026, 10, 1),
        updated_by=manager,
    )

    body = _get(manager_token).json()

    assert body["costs"]["call"] == "350.50"
    assert body["costs"]["monthly"] == "90000.00"
    by_key = {m["key"]: m for m in body["metrics"]}
    assert by_key["cost_call"]["value"] == 350.5
    assert by_key["community_cost"]["value"] == 90000


# Authentication --------------------------------------------------------------------------------


def test_without_a_token_the_answer_is_401(db):
    response = _get(None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401(db):
    response = Client().get(
        f"{URL}?start=2026-10-01&end=2026-10-31", HTTP_AUTHORIZATION="Token nope"
    )

    assert response.status_code == 401


def test_a_signed_in_browser_session_is_not_enough(manager):
    client = _client_for(manager)

    assert client.get(f"{URL}?start=2026-10-01&end=2026-10-31").status_code == 401


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator"])
def test_a_token_of_someone_who_cannot_read_reports_is_403(request, persona):
    token = Token.objects.create(user=request.getfixturevalue(persona))

    assert _get(token).status_code == 403


def test_the_owner_may_use_the_api(owner):
    assert _get(Token.objects.create(user=owner)).status_code == 200


def test_a_token_stops_working_when_the_manager_loses_the_role(manager, manager_token):
    manager.is_manager = False
    manager.save()

    assert _get(manager_token).status_code == 403


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-10-01", "end", "Enter the last day of the period."),
        ("end=2026-10-01", "start", "Enter the first day of the period."),
        (
            "start=2026-10-31&end=2026-10-01",
            "end",
            "The last day cannot be earlier than the first day.",
        ),
        (
            "start=2025-01-01&end=2026-01-02",
            "end",
            "The period is too long: at most %(days)s days.",
        ),
        (
            "start=31.10.2026x&end=2026-11-01",
            "start",
            "Enter a date as YYYY-MM-DD, for example 2026-10-31.",
        ),
    ],
)
def test_bad_dates_are_400_with_a_translated_message(manager_token, query, field, message):
    response = _get(manager_token, query, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    expected = in_russian(message).replace("&quot;", '"')
    if "%(days)s" in expected:
        expected = expected % {"days": 366}
    assert response.json() == {field: [expected]}


def test_a_year_is_not_too_long(manager_token):
    assert _get(manager_token, "start=2025-01-01&end=2025-12-31").status_code == 200


# The token page --------------------------------------------------------------------------------


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


def test_a_manager_creates_a_token_and_sees_it_once(manager_client, manager):
    response = manager_client.post("/reports/api-token/", {"action": "create"})

    token = Token.objects.get(user=manager)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert token.key in html_of(response)
    # Afterwards only its first characters are shown.
    later = html_of(manager_client.get("/reports/api-token/"))
    assert token.key not in later
    assert f"{token.key[:4]}…" in later


def test_a_new_token_replaces_the_old_one(manager_client, manager, manager_token):
    manager_client.post("/reports/api-token/", {"action": "create"})

    new = Token.objects.get(user=manager)
    assert new.key != manager_token.key
    assert _get(manager_token).status_code == 401
    assert _get(new).status_code == 200


def test_a_manager_revokes_the_token(manager_client, manager, manager_token):
    response = manager_client.post("/reports/api-token/", {"action": "revoke"})

    assert response.status_code == 302
    assert not Token.objects.filter(user=manager).exists()
    assert _get(manager_token).status_code == 401


def test_an_unknown_action_is_400(manager_client, manager):
    assert manager_client.post("/reports/api-token/", {"action": "steal"}).status_code == 400
    assert not Token.objects.filter(user=manager).exists()


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator"])
def test_others_cannot_create_tokens(request, persona):
    client = request.getfixturevalue(f"{persona}_client")

    assert client.post("/reports/api-token/", {"action": "create"}).status_code == 403
    assert Token.objects.count() == 0


def test_the_token_page_needs_csrf(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.post("/reports/api-token/", {"action": "create"}).status_code == 403
    assert Token.objects.count() == 0


def test_the_token_page_shows_a_working_example(manager_client):
    html = html_of(manager_client.get("/reports/api-token/"))

    example = re.search(r'<pre class="token-example"><code>(.*?)</code></pre>', html, re.S).group(1)
    assert "http://testserver/api/v1/reports/summary/?start=" in example
