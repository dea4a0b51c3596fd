"""GET /api/v1/search/similar/ — the public JSON contract."""

import pytest
from django.urls import reverse
from django.utils import translation

from search.models import SearchQuery, SearchSource

URL = reverse("search-api:similar")


def test_contract(client, corpus):
    response = client.get(URL, {"q": "не пришла карта"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["type"], r["id"]) for r in results] == [
        ("topic", corpus["card_not_arrived"].pk),
        ("article", corpus["article"].pk),
        ("topic", corpus["card_activate"].pk),
        ("topic", corpus["atm_cash"].pk),
    ]
    first = results[0]
    assert set(first) == {"type", "id", "title", "url", "snippet", "score"}
    assert first["title"] == "Не пришла карта"
    assert first["url"] == corpus["card_not_arrived"].get_absolute_url()
    assert "<mark>" in first["snippet"]
    assert first["score"] == 2.4946


def test_limit_defaults_to_5_and_is_respected(client, corpus):
    assert len(client.get(URL, {"q": "карта деньги банкомат"}).json()["results"]) == 5
    assert len(client.get(URL, {"q": "карта", "limit": 1}).json()["results"]) == 1


@pytest.mark.parametrize("limit", ["0", "11", "-1", "abc"])
def test_limit_outside_1_to_10_is_a_400(client, corpus, limit):
    response = client.get(URL, {"q": "карта", "limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_empty_query_is_a_400_with_a_translated_message(client, db, params):
    with translation.override("en"):
        response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"q": ["Enter the text to find similar answers for (q)."]}


def test_every_call_is_logged_as_an_api_search(client, corpus):
    client.get(URL, {"q": "карта", "limit": 2})
    query = SearchQuery.objects.get()
    assert (query.text, query.source, query.result_count) == ("карта", SearchSource.API, 2)


def test_anonymous_callers_are_throttled_by_the_configured_rate(client, corpus, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"search_similar": "2/min"},
    }
    assert client.get(URL, {"q": "карта"}).status_code == 200
    assert client.get(URL, {"q": "карта"}).status_code == 200
    assert client.get(URL, {"q": "карта"}).status_code == 429


def test_over_long_query_is_a_400(client, db):
    assert client.get(URL, {"q": "а" * 301}).status_code == 400


def test_hidden_and_unanswered_never_appear(client, corpus):
    ids = {r["id"] for r in client.get(URL, {"q": "карта", "limit": 10}).json()["results"]}
    assert corpus["unanswered"].pk not in ids
