"""The search page and the click-through that records a successful search."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import services
from search.models import SearchQuery, SearchSource
from tests.conftest import make_topic
from tests.search.conftest import START, answered

URL = reverse("search:results")


def test_empty_page_shows_the_form_and_logs_nothing(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'role="search"' in response.content
    assert not SearchQuery.objects.exists()


def test_only_result_pages_are_kept_out_of_search_engines(client, corpus):
    robots = b'<meta name="robots" content="noindex, follow">'
    assert robots not in client.get(URL).content
    assert robots in client.get(URL, {"q": "карта"}).content


def test_results_are_listed_with_click_through_links_and_the_search_is_logged(client, corpus):
    response = client.get(URL, {"q": "не пришла карта"})
    assert response.status_code == 200
    query = SearchQuery.objects.get()
    assert (query.text, query.source, query.result_count) == ("не пришла карта", "page", 6)
    rows = response.context["rows"]
    hit, open_url = rows[0]
    assert hit.id == corpus["card_not_arrived"].pk
    assert open_url.startswith(f"/search/open/{query.pk}/topic/{hit.id}/?k=")
    assert open_url.encode() in response.content.replace(b"&amp;", b"&")


def test_zero_result_search_is_logged_and_offers_to_ask(client, corpus):
    response = client.get(URL, {"q": "ипотека для пенсионеров"})
    assert SearchQuery.objects.get().result_count == 0
    assert reverse("community:topic-create").encode() in response.content


def test_opening_a_result_records_the_click_once_and_redirects_to_the_object(client, corpus):
    client.get(URL, {"q": "карта"})
    query = SearchQuery.objects.get()
    _hit, open_url = client.get(URL, {"q": "карта"}).context["rows"][0]
    # The second search logged its own query; use the first one's link format for it.
    first_link = open_url.replace(f"/open/{open_url.split('/')[3]}/", f"/open/{query.pk}/")
    from search.views import _click_key

    first_link = first_link.split("?")[0] + f"?k={_click_key(query.pk)}"
    response = client.get(first_link)
    assert response.status_code == 302
    query.refresh_from_db()
    clicked = query.clicked_at
    assert clicked is not None
    client.get(first_link)
    query.refresh_from_db()
    assert query.clicked_at == clicked


def test_a_forged_click_link_redirects_but_records_nothing(client, corpus):
    client.get(URL, {"q": "карта"})
    query = SearchQuery.objects.get()
    topic = corpus["card_activate"]
    response = client.get(f"/search/open/{query.pk}/topic/{topic.pk}/?k=0000000000000000")
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    query.refresh_from_db()
    assert query.clicked_at is None


@pytest.mark.parametrize("object_type", ["topic", "article", "user", "http:"])
def test_click_through_never_redirects_to_what_is_not_found(client, corpus, object_type):
    response = client.get(f"/search/open/1/{object_type}/999999/")
    assert response.status_code == 404


def test_click_through_to_a_hidden_topic_is_not_found(client, corpus, moderator):
    services.topic_moderate(topic=corpus["unanswered"], actor=moderator, action="hide")
    response = client.get(f"/search/open/1/topic/{corpus['unanswered'].pk}/")
    assert response.status_code == 404


def test_click_through_to_an_article_goes_to_the_article(client, corpus):
    response = client.get(f"/search/open/1/article/{corpus['article'].pk}/")
    assert response["Location"] == corpus["article"].get_absolute_url()


def test_filters_are_applied_from_the_form(client, corpus):
    response = client.get(URL, {"q": "карта", "kind": "idea"})
    assert [hit.id for hit, _ in response.context["rows"]] == [corpus["idea"].pk]
    response = client.get(URL, {"q": "карта", "articles_only": "on"})
    assert [(hit.type, hit.id) for hit, _ in response.context["rows"]] == [
        ("article", corpus["article"].pk)
    ]
    response = client.get(URL, {"q": "деньги", "category": corpus["transfers"].slug})
    assert [hit.id for hit, _ in response.context["rows"]] == [corpus["sbp_transfer"].pk]


def test_bad_filter_keeps_the_typed_query_and_shows_an_error(client, corpus):
    response = client.get(URL, {"q": "карта", "kind": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"]["kind"].errors
    assert 'value="карта"' in response.content.decode()


def test_htmx_request_gets_only_the_results(client, corpus):
    response = client.get(URL, {"q": "карта"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"search-hit" in response.content


def test_later_pages_reuse_the_logged_query_and_past_the_end_is_404(client, customer):
    for n in range(25):
        make_topic(author=customer, title=f"Вклад номер {n}", body="", at=START)
    first = client.get(URL, {"q": "вклад"})
    query = SearchQuery.objects.get()
    assert f"qid={query.pk}" in first.context["page_query"]
    second = client.get(f"{URL}?{first.context['page_query']}&page=2")
    assert second.status_code == 200
    assert len(second.context["rows"]) == 5
    assert SearchQuery.objects.count() == 1
    assert all(f"/open/{query.pk}/" in url for _hit, url in second.context["rows"])
    assert client.get(f"{URL}?{first.context['page_query']}&page=3").status_code == 404


def test_signed_in_search_is_logged_with_the_user(customer_client, customer, corpus):
    customer_client.get(URL, {"q": "карта"})
    query = SearchQuery.objects.get()
    assert query.user == customer and query.visitor_key


def test_hostile_query_is_escaped_on_the_page(client, corpus):
    payload = '"><script>alert(1)</script> карта'
    response = client.get(URL, {"q": payload})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_search_page_is_rate_limited(client, corpus, settings):
    settings.RATE_LIMIT_SEARCH = "2/m"
    assert client.get(URL, {"q": "карта"}).status_code == 200
    assert client.get(URL, {"q": "карта"}).status_code == 200
    assert client.get(URL, {"q": "карта"}).status_code == 429
    assert SearchQuery.objects.count() == 2


def _page_queries(django_assert_max_num_queries, client, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(captured), len(response.context["rows"])


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
def test_query_count_does_not_grow_with_results(
    request, django_assert_max_num_queries, customer, representative, persona
):
    client = Client()
    if persona == "customer":
        client.force_login(customer)
    answered("Вклад", "Про вклад", "Ответ про вклад", at=START, author=customer, rep=representative)
    # Synonym groups are cached after the first search: count warm pages only.
    client.get(URL, {"q": "вклад"})
    few, rows_few = _page_queries(django_assert_max_num_queries, client, {"q": "вклад"})
    for n in range(15):
        answered(f"Вклад {n}", "Вклад", "Ответ", at=START, author=customer, rep=representative)
    many, rows_many = _page_queries(django_assert_max_num_queries, client, {"q": "вклад"})
    assert (rows_few, rows_many) == (1, 16)
    assert many == few


def test_header_has_a_search_box(client, db):
    response = client.get(reverse("community:home"))
    assert b'action="/search/"' in response.content


def test_click_time_is_recorded_now(client, corpus):
    client.get(URL, {"q": "карта"})
    query = SearchQuery.objects.get()
    from search.views import _click_key

    before = timezone.now()
    client.get(
        f"/search/open/{query.pk}/topic/{corpus['card_activate'].pk}/?k={_click_key(query.pk)}"
    )
    query.refresh_from_db()
    assert query.clicked_at >= before
    assert query.source == SearchSource.PAGE
