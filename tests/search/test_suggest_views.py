"""Suggestions while typing (/search/suggest/), the "find similar" step without JavaScript,
opening a suggestion and "Это ответ на мой вопрос" (search/views_suggest.py).

The ranking is the engine's and is tested with it; here the engine is replaced by a fixed list so
that each test says exactly what was suggested."""

import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import services
from community.models import TopicStatus
from knowledge_base.models import Article, ArticleStatus, Section
from search import attempts, views_suggest
from search.models import SearchAttempt, SearchQuery, SearchSource
from tests.conftest import make_reply, make_topic
from tests.pages import HTMX, html_of

pytestmark = pytest.mark.django_db

SUGGEST = "/search/suggest/"


@dataclass(frozen=True)
class FakeHit:
    type: str
    id: int
    title: str
    url: str
    snippet: str
    score: float


class FakeEngine:
    """Answers every text with the same hits and remembers what it was asked."""

    def __init__(self) -> None:
        self.hits: list[FakeHit] = []
        self.calls: list[tuple[str, int]] = []

    def similar(self, text: str, *, limit: int = 5) -> list[FakeHit]:
        self.calls.append((text, limit))
        # Everything, whatever the limit: the view must cut the list itself too.
        return list(self.hits)


@pytest.fixture
def engine(monkeypatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr("search.engine.similar", fake.similar)
    return fake


@pytest.fixture
def answered(db):
    """Two answered questions the engine will suggest."""
    topics = [
        make_topic(title="Не пришла карта по почте"),
        make_topic(title="Карта не пришла в отделение"),
    ]
    for topic in topics:
        topic.status = TopicStatus.ANSWERED
        topic.save(update_fields=["status"])
    return topics


def hit_for(topic, snippet: str = "Карта <mark>пришла</mark>") -> FakeHit:
    return FakeHit("topic", topic.pk, topic.title, topic.get_absolute_url(), snippet, 1.0)


@pytest.fixture
def article(db) -> Article:
    section = Section.objects.create(name="Карты", slug="cards")
    now = timezone.now()
    return Article.objects.create(
        title="Сроки доставки карты",
        slug="sroki-dostavki-karty",
        body="Карту доставляют за 3–5 рабочих дней.",
        section=section,
        status=ArticleStatus.PUBLISHED,
        created_at=now,
        updated_at=now,
        published_at=now,
    )


def suggest(client: Client, title: str, **params):
    return client.get(SUGGEST, {"title": title, **params}, **HTMX)


def new_topic_query(response) -> dict[str, list[str]]:
    location = urlsplit(response["Location"])
    assert location.path == "/new/"
    return parse_qs(location.query)


def hidden_attempt(html: str) -> str:
    return re.search(r'<input type="hidden" name="attempt" value="(\d+)">', html).group(1)


# The htmx partial ------------------------------------------------------------------------------


def test_partial_lists_the_suggestions_and_starts_an_attempt(client, engine, answered):
    engine.hits = [hit_for(topic) for topic in answered]

    response = suggest(client, "не пришла карта")

    assert response.status_code == 200
    html = html_of(response)
    assert html.count('class="suggestion suggestion-topic"') == 2
    for topic in answered:
        assert f"/search/suggest/open/topic/{topic.pk}/" in html
    attempt = SearchAttempt.objects.get()
    assert (attempt.text, attempt.suggestion_count, attempt.user) == ("не пришла карта", 2, None)
    assert hidden_attempt(html) == str(attempt.pk)
    assert '<input type="hidden" name="seen" value="1">' in html
    assert engine.calls == [("не пришла карта", 5)]


def test_partial_announces_the_count_in_the_live_region(client, engine, answered):
    engine.hits = [hit_for(answered[0])]

    html = html_of(suggest(client, "не пришла карта"))

    status = re.search(r'<p id="suggest-status-ask" hx-swap-oob="innerHTML">(.*?)</p>', html)
    assert status.group(1).startswith("1 ")


def test_partial_says_when_nothing_similar_was_found(client, engine):
    html = html_of(suggest(client, "курс биткоина"))

    status = re.search(r'<p id="suggest-status-ask" hx-swap-oob="innerHTML">(.*?)</p>', html)
    assert status.group(1) != ""
    assert "suggest-list" not in html
    assert SearchAttempt.objects.get().suggestion_count == 0
    assert SearchQuery.objects.get(source=SearchSource.ASK).result_count == 0


def test_no_more_than_five_suggestions_are_shown(client, engine, answered):
    engine.hits = [hit_for(answered[0])] * 8

    html = html_of(suggest(client, "не пришла карта"))

    assert html.count('class="suggestion suggestion-topic"') == 5
    assert SearchAttempt.objects.get().suggestion_count == 5


@pytest.mark.parametrize("title", ["", "   ", "ка"])
def test_too_little_text_clears_the_list_without_searching(client, engine, title):
    response = suggest(client, title)

    assert response.status_code == 200
    assert "suggest-list" not in html_of(response)
    assert engine.calls == []
    assert not SearchAttempt.objects.exists()
    assert not SearchQuery.objects.exists()


def test_typing_on_updates_the_same_attempt_and_its_one_query(client, engine, answered):
    engine.hits = [hit_for(answered[0])]
    first = hidden_attempt(html_of(suggest(client, "не пришла")))

    engine.hits = [hit_for(topic) for topic in answered]
    second = hidden_attempt(html_of(suggest(client, "не пришла карта", attempt=first)))

    assert first == second
    attempt = SearchAttempt.objects.get()
    assert (attempt.text, attempt.suggestion_count) == ("не пришла карта", 2)
    query = SearchQuery.objects.get()
    assert (query.text, query.result_count, query.source) == ("не пришла карта", 2, "ask")


def test_someone_elses_attempt_id_starts_a_new_attempt(client, engine, other_customer):
    theirs = attempts.attempt_start(
        visitor=attempts.Visitor(key="their-key", user=other_customer),
        text="вклад",
        suggestion_count=0,
        at=timezone.now(),
    )

    html = html_of(suggest(client, "не пришла карта", attempt=theirs.pk))

    assert hidden_attempt(html) != str(theirs.pk)
    theirs.refresh_from_db()
    assert theirs.text == "вклад"
    assert SearchAttempt.objects.count() == 2


def test_an_ended_attempt_is_not_reused(client, engine):
    first = int(hidden_attempt(html_of(suggest(client, "не пришла карта"))))
    SearchAttempt.objects.filter(pk=first).update(deflected_at=timezone.now())

    second = int(hidden_attempt(html_of(suggest(client, "перевыпуск карты", attempt=first))))

    assert second != first
    assert SearchAttempt.objects.get(pk=first).text == "не пришла карта"


def test_titles_are_escaped_and_snippets_keep_only_mark(client, engine, answered):
    engine.hits = [
        FakeHit(
            "topic",
            answered[0].pk,
            "<script>alert(1)</script> карта",
            "/",
            '<img src=x onerror=alert(1)><mark>карта</mark> <b onclick="x()">жирно</b>',
            1.0,
        )
    ]

    html = html_of(suggest(client, "не пришла карта"))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; карта" in html
    assert "<img" not in html and "onclick" not in html and "<b " not in html
    assert "<mark>карта</mark>" in html


def test_the_new_topic_form_place_uses_buttons_not_nested_forms(customer_client, engine, answered):
    engine.hits = [hit_for(answered[0])]

    html = html_of(suggest(customer_client, "не пришла карта", place="form"))

    assert "<form" not in html
    assert 'hx-target="#suggest-form"' in html
    assert '<p id="suggest-status-form" hx-swap-oob="innerHTML">' in html
    assert 'name="seen"' not in html, "only the ask box skips the find-similar step"


def test_unknown_place_falls_back_to_the_ask_box(client, engine):
    html = html_of(suggest(client, "не пришла карта", place='"><script>'))

    assert 'id="suggest-status-ask"' in html
    assert "<script>" not in html


# Without JavaScript: the "find similar" step ----------------------------------------------------


def test_ask_box_without_javascript_shows_the_suggestions_first(client, engine, answered):
    engine.hits = [hit_for(topic) for topic in answered]

    response = client.get(SUGGEST, {"title": "не пришла карта", "kind": "problem"})

    assert response.status_code == 200
    html = html_of(response)
    assert html.count('class="suggestion suggestion-topic"') == 2
    attempt = SearchAttempt.objects.get()
    continue_link = re.search(r'<p class="suggest-continue"><a class="button" href="([^"]+)"', html)
    query = parse_qs(urlsplit(continue_link.group(1).replace("&amp;", "&")).query)
    assert query == {
        "title": ["не пришла карта"],
        "kind": ["problem"],
        "attempt": [str(attempt.pk)],
    }
    # Each suggestion has a real form for "this answers my question", with a CSRF token.
    assert html.count(f'action="/search/suggest/attempts/{attempt.pk}/deflect/"') == 2
    assert html.count('name="csrfmiddlewaretoken"') >= 2
    assert "hx-swap-oob" not in html


def test_step_page_lets_the_customer_rephrase_keeping_the_text(client, engine, answered):
    engine.hits = [hit_for(answered[0])]

    html = html_of(client.get(SUGGEST, {"title": "не пришла карта"}))

    assert re.search(
        r'<input type="text" id="suggest-refine-title" name="title" value="не пришла карта"', html
    )


def test_without_suggestions_the_step_goes_straight_to_the_form(client, engine):
    response = client.get(SUGGEST, {"title": "курс биткоина", "kind": "idea"})

    assert response.status_code == 302
    attempt = SearchAttempt.objects.get()
    assert new_topic_query(response) == {
        "title": ["курс биткоина"],
        "kind": ["idea"],
        "attempt": [str(attempt.pk)],
    }


def test_empty_ask_box_goes_to_the_form(client, engine):
    response = client.get(SUGGEST, {"title": " ", "kind": "thanks"})

    assert new_topic_query(response) == {"kind": ["thanks"]}
    assert engine.calls == []


def test_unknown_kind_becomes_a_question(client, engine):
    response = client.get(SUGGEST, {"title": "курс биткоина", "kind": "complaint"})

    assert new_topic_query(response)["kind"] == ["question"]


def test_suggestions_already_seen_while_typing_skip_the_step(client, engine, answered):
    engine.hits = [hit_for(answered[0])]
    attempt_id = hidden_attempt(html_of(suggest(client, "не пришла карта")))
    engine.calls.clear()

    response = client.get(
        SUGGEST,
        {"title": "не пришла карта", "kind": "question", "attempt": attempt_id, "seen": "1"},
    )

    assert new_topic_query(response) == {
        "title": ["не пришла карта"],
        "kind": ["question"],
        "attempt": [attempt_id],
    }
    assert engine.calls == []


def test_long_text_is_cut_to_the_title_length(client, engine):
    response = client.get(SUGGEST, {"title": "я" * 500})

    assert new_topic_query(response)["title"] == ["я" * 200]


@pytest.fixture
def frozen_ratelimit_window(monkeypatch):
    # django-ratelimit counts in fixed windows; pin the clock it reads so the test cannot
    # straddle two windows.
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000))


def test_too_many_suggestions_never_block_asking(client, engine, settings, frozen_ratelimit_window):
    settings.RATE_LIMIT_SUGGEST = "2/m"
    suggest(client, "не пришла карта")
    suggest(client, "не пришла карта по почте")

    limited = suggest(client, "не пришла карта по почте вчера")
    step = client.get(SUGGEST, {"title": "не пришла карта по почте вчера"})

    assert limited.status_code == 429
    assert new_topic_query(step)["title"] == ["не пришла карта по почте вчера"]
    assert len(engine.calls) == 2


# Who the visitor is -----------------------------------------------------------------------------


def test_anonymous_visitor_gets_a_session_and_a_key_that_is_not_the_session(client, engine):
    suggest(client, "не пришла карта")

    attempt = SearchAttempt.objects.get()
    session_key = client.session.session_key
    token = client.session[views_suggest.VISITOR_SESSION_KEY]
    assert session_key and token
    assert len(attempt.visitor_key) == 64
    assert session_key not in attempt.visitor_key and token not in attempt.visitor_key


def test_members_are_known_by_user_not_by_browser(customer, engine):
    first, second = Client(), Client()
    first.force_login(customer)
    second.force_login(customer)

    suggest(first, "не пришла карта")
    suggest(second, "перевыпуск карты")

    keys = set(SearchAttempt.objects.values_list("visitor_key", flat=True))
    assert len(keys) == 1
    assert set(SearchAttempt.objects.values_list("user", flat=True)) == {customer.pk}


def test_two_members_get_different_keys(customer_client, other_customer_client, engine):
    suggest(customer_client, "не пришла карта")
    suggest(other_customer_client, "не пришла карта")

    assert SearchAttempt.objects.values("visitor_key").distinct().count() == 2


# Query counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
def test_partial_query_count_does_not_grow_with_suggestions(request, engine, answered, persona):
    client = request.getfixturevalue("client" if persona == "anonymous" else "customer_client")
    more = [make_topic(title=f"Карта не пришла, вопрос {n}") for n in range(3)]
    suggest(client, "не пришла")  # the first request creates the session and the attempt
    attempt_id = hidden_attempt(html_of(suggest(client, "не пришла")))
    counts = []
    for hits in ([hit_for(answered[0])], [hit_for(t) for t in [*answered, *more]]):
        engine.hits = hits
        with CaptureQueriesContext(connection) as queries:
            suggest(client, "не пришла карта", attempt=attempt_id)
        counts.append(len(queries))

    # The session, the user (signed in), the attempt, then in one transaction (a savepoint in
    # tests): the attempt locked, updated, and its query row updated.
    expected = {"anonymous": 7, "customer": 8}[persona]
    assert counts == [expected, expected]


def test_step_page_query_count_does_not_grow_with_suggestions(client, engine, answered):
    more = [make_topic(title=f"Карта не пришла, вопрос {n}") for n in range(3)]
    client.get(SUGGEST, {"title": "не пришла"})  # creates the session
    counts = []
    for hits in ([hit_for(answered[0])], [hit_for(t) for t in [*answered, *more]]):
        engine.hits = hits
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SUGGEST, {"title": "не пришла карта"}).status_code == 200
        counts.append(len(queries))

    # The session, then in one transaction (a savepoint in tests) the attempt and its query.
    assert counts == [5, 5]


# Opening a suggestion ---------------------------------------------------------------------------


@pytest.fixture
def started(client, engine, answered):
    """An anonymous visitor who typed and was shown the answered topics; returns the attempt."""
    engine.hits = [hit_for(topic) for topic in answered]
    return SearchAttempt.objects.get(pk=hidden_attempt(html_of(suggest(client, "не пришла карта"))))


def test_new_tab_link_records_the_open_and_redirects_to_the_topic(client, started, answered):
    topic = answered[1]

    response = client.get(f"/search/suggest/open/topic/{topic.pk}/", {"attempt": started.pk})

    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    started.refresh_from_db()
    assert started.opened == f"topic:{topic.pk}"
    assert SearchQuery.objects.get().clicked_at == started.opened_at


def test_open_in_place_is_a_post_answered_with_no_content(client, started, answered):
    response = client.post(
        f"/search/suggest/open/topic/{answered[0].pk}/", {"attempt": started.pk}, **HTMX
    )

    assert response.status_code == 204
    started.refresh_from_db()
    assert started.opened == f"topic:{answered[0].pk}"


def test_open_in_place_needs_the_csrf_token(started, answered):
    csrf_client = Client(enforce_csrf_checks=True)

    response = csrf_client.post(
        f"/search/suggest/open/topic/{answered[0].pk}/", {"attempt": started.pk}
    )

    assert response.status_code == 403


def test_open_of_an_article_redirects_to_the_article(client, started, article):
    response = client.get(f"/search/suggest/open/article/{article.pk}/", {"attempt": started.pk})

    assert response["Location"] == article.get_absolute_url()
    started.refresh_from_db()
    assert started.opened == f"article:{article.pk}"


def test_someone_elses_attempt_is_not_touched_by_an_open(started, answered):
    stranger = Client()

    response = stranger.get(
        f"/search/suggest/open/topic/{answered[0].pk}/", {"attempt": started.pk}
    )

    assert response.status_code == 302
    started.refresh_from_db()
    assert started.opened_at is None


def test_open_without_an_attempt_still_redirects(client, answered):
    response = client.get(f"/search/suggest/open/topic/{answered[0].pk}/")

    assert response["Location"] == answered[0].get_absolute_url()
    assert not SearchAttempt.objects.exists()


@pytest.mark.parametrize("what", ["hidden topic", "missing topic", "draft article", "user"])
def test_open_never_redirects_to_what_a_customer_may_not_see(client, started, article, what):
    hidden = make_topic(title="Скрытая тема про карту")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    article.status = ArticleStatus.DRAFT
    article.save(update_fields=["status"])
    url = {
        "hidden topic": f"/search/suggest/open/topic/{hidden.pk}/",
        "missing topic": "/search/suggest/open/topic/999999/",
        "draft article": f"/search/suggest/open/article/{article.pk}/",
        "user": "/search/suggest/open/user/1/",
    }[what]

    response = client.get(url, {"attempt": started.pk})

    assert response.status_code == 404
    started.refresh_from_db()
    assert started.opened_at is None


def test_open_ignores_any_url_in_the_request(client, started, answered):
    response = client.get(
        f"/search/suggest/open/topic/{answered[0].pk}/",
        {"attempt": started.pk, "next": "https://evil.example/", "url": "//evil.example"},
    )

    assert response["Location"] == answered[0].get_absolute_url()


# "Это ответ на мой вопрос" ----------------------------------------------------------------------


def deflect_url(attempt) -> str:
    return f"/search/suggest/attempts/{attempt.pk}/deflect/"


def test_deflect_with_htmx_thanks_the_customer_and_ends_the_attempt(client, started, answered):
    target = f"topic:{answered[0].pk}"

    response = client.post(deflect_url(started), {"target": target, "place": "ask"}, **HTMX)

    assert response.status_code == 200
    html = html_of(response)
    assert 'class="suggest-thanks" role="status"' in html
    assert f'href="{answered[0].get_absolute_url()}"' in html
    # The form forgets the attempt: typing again starts a new one.
    assert '<span id="suggest-attempt-ask" hx-swap-oob="innerHTML"></span>' in html
    started.refresh_from_db()
    assert started.deflected_at is not None
    assert started.opened == target


def test_deflect_without_javascript_goes_to_the_answer_with_thanks(client, started, answered):
    response = client.post(deflect_url(started), {"target": f"topic:{answered[1].pk}"}, follow=True)

    assert response.redirect_chain == [(answered[1].get_absolute_url(), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    started.refresh_from_db()
    assert started.deflected_at is not None


def test_deflect_without_a_known_target_goes_home(client, started):
    response = client.post(deflect_url(started), {"target": "javascript:alert(1)"})

    assert response["Location"] == "/"
    started.refresh_from_db()
    assert (started.deflected_at is not None, started.opened) == (True, "")


def test_someone_else_cannot_deflect_an_attempt(started, answered):
    stranger = Client()

    response = stranger.post(deflect_url(started), {"target": f"topic:{answered[0].pk}"})

    assert response.status_code == 404
    started.refresh_from_db()
    assert started.deflected_at is None


def test_deflect_after_posting_is_refused_with_a_message(
    customer_client, engine, customer, answered
):
    engine.hits = [hit_for(answered[0])]
    attempt_id = hidden_attempt(html_of(suggest(customer_client, "не пришла карта")))
    customer_client.post(
        "/new/", {"kind": "question", "title": "Не пришла карта, что делать", "attempt": attempt_id}
    )

    response = customer_client.post(
        f"/search/suggest/attempts/{attempt_id}/deflect/",
        {"target": f"topic:{answered[0].pk}"},
        **HTMX,
    )

    assert 'role="alert"' in html_of(response)
    attempt = SearchAttempt.objects.get(pk=attempt_id)
    assert attempt.deflected_at is None and attempt.posted_at is not None


def test_deflect_is_post_only(client, started):
    assert client.get(deflect_url(started)).status_code == 405


def test_deflect_needs_the_csrf_token(started):
    response = Client(enforce_csrf_checks=True).post(deflect_url(started))

    assert response.status_code == 403
    started.refresh_from_db()
    assert started.deflected_at is None


# Posting anyway: the hidden field and the topic_posted signal ------------------------------------


def test_new_topic_form_carries_the_attempt_id(customer_client):
    html = html_of(customer_client.get("/new/", {"title": "Не пришла карта", "attempt": "42"}))

    assert (
        '<span id="suggest-attempt-form"><input type="hidden" name="attempt" value="42"></span>'
        in html
    )
    assert 'id="suggest-form"' in html and 'id="suggest-status-form"' in html


@pytest.mark.parametrize("value", ['1"><script>', "١٢", "-3", "x" * 30])
def test_new_topic_form_drops_an_attempt_id_that_is_not_a_number(customer_client, value):
    html = html_of(customer_client.get("/new/", {"attempt": value}))

    assert '<span id="suggest-attempt-form"></span>' in html


def test_posting_marks_the_attempt_posted(customer_client, customer, engine, answered):
    engine.hits = [hit_for(answered[0])]
    attempt_id = hidden_attempt(html_of(suggest(customer_client, "не пришла карта", place="form")))

    response = customer_client.post(
        "/new/",
        {"kind": "question", "title": "Не пришла карта, что делать?", "attempt": attempt_id},
    )

    assert response.status_code == 302
    attempt = SearchAttempt.objects.get(pk=attempt_id)
    assert attempt.topic.author == customer
    assert attempt.topic.title == "Не пришла карта, что делать?"
    assert attempt.posted_at == attempt.topic.created_at
    assert attempt.deflected_at is None


def test_attempt_from_before_signing_in_is_marked_posted(client, engine, customer, answered):
    engine.hits = [hit_for(answered[0])]
    attempt_id = hidden_attempt(html_of(suggest(client, "не пришла карта")))
    client.force_login(customer)

    client.post(
        "/new/",
        {"kind": "question", "title": "Не пришла карта, что делать?", "attempt": attempt_id},
    )

    attempt = SearchAttempt.objects.get(pk=attempt_id)
    assert (attempt.topic.author, attempt.user) == (customer, customer)


def test_someone_elses_attempt_id_in_the_form_is_ignored(
    other_customer_client, customer_client, engine
):
    attempt_id = hidden_attempt(html_of(suggest(customer_client, "не пришла карта")))

    response = other_customer_client.post(
        "/new/",
        {"kind": "question", "title": "Не пришла карта, что делать?", "attempt": attempt_id},
    )

    assert response.status_code == 302, "the post itself always goes through"
    assert SearchAttempt.objects.get(pk=attempt_id).posted_at is None


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1"])
def test_a_bad_attempt_id_never_fails_the_post(customer_client, value):
    response = customer_client.post(
        "/new/", {"kind": "question", "title": "Не пришла карта, что делать?", "attempt": value}
    )

    assert response.status_code == 302


def test_posting_after_deflecting_keeps_the_attempt_deflected(customer_client, engine, answered):
    engine.hits = [hit_for(answered[0])]
    attempt_id = hidden_attempt(html_of(suggest(customer_client, "не пришла карта")))
    customer_client.post(f"/search/suggest/attempts/{attempt_id}/deflect/", {"target": ""})

    response = customer_client.post(
        "/new/",
        {"kind": "question", "title": "Не пришла карта, что делать?", "attempt": attempt_id},
    )

    assert response.status_code == 302
    attempt = SearchAttempt.objects.get(pk=attempt_id)
    assert (attempt.deflected_at is not None, attempt.posted_at) == (True, None)


def test_invalid_post_keeps_the_attempt_open_and_in_the_form(customer_client, engine):
    attempt_id = hidden_attempt(html_of(suggest(customer_client, "не пришла карта")))

    response = customer_client.post(
        "/new/", {"kind": "question", "title": "Карта", "attempt": attempt_id}
    )

    assert response.status_code == 200
    assert f'<input type="hidden" name="attempt" value="{attempt_id}">' in html_of(response)
    assert SearchAttempt.objects.get(pk=attempt_id).posted_at is None


def test_topic_posted_is_sent_once_with_the_request_and_topic(customer_client, customer):
    from community.signals import topic_posted

    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    topic_posted.connect(receiver)
    try:
        customer_client.post("/new/", {"kind": "idea", "title": "Добавьте тёмную тему"})
    finally:
        topic_posted.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["topic"].author == customer
    assert received[0]["request"].method == "POST"


# The pages that host the ask box ----------------------------------------------------------------


def test_home_ask_box_searches_while_typing_and_falls_back_to_the_step(client, db):
    html = html_of(client.get("/"))

    form = re.search(r'<form method="get" action="([^"]+)" class="ask-form">', html)
    assert form.group(1) == SUGGEST
    ask_input = re.search(r'<input type="text" id="ask-title"[^>]*>', html).group(0)
    assert f'hx-get="{SUGGEST}"' in ask_input
    assert "delay:300ms" in ask_input
    assert 'id="suggest-status-ask" role="status" aria-live="polite"' in html


# With the real engine ---------------------------------------------------------------------------


def answered_question(
    title: str, representative, answer: str = "Карты доставляем за 5 рабочих дней."
):
    topic = make_topic(title=title)
    reply = make_reply(topic, author=representative, body=answer)
    services.answer_mark_official(reply=reply, actor=representative)
    return topic


def test_typing_in_the_ask_box_suggests_the_answered_topic(client, representative):
    wanted = answered_question("Не пришла карта по почте", representative)
    unanswered = make_topic(title="Не пришла карта, а ответа нет")
    answered_question(
        "Как закрыть вклад досрочно", representative, answer="В приложении: Вклады → Закрыть."
    )

    html = html_of(suggest(client, "не пришла карта"))

    suggested = re.findall(r"/search/suggest/open/topic/(\d+)/\?", html)
    assert suggested[0] == str(wanted.pk)
    assert str(unanswered.pk) not in suggested, "only answered topics are suggested"


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
def test_query_count_with_the_engine_does_not_grow_with_suggestions(
    request, representative, persona
):
    client = request.getfixturevalue("client" if persona == "anonymous" else "customer_client")
    answered_question("Не пришла карта по почте", representative)
    attempt_id = hidden_attempt(html_of(suggest(client, "не пришла карта")))
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as queries:
            html = html_of(suggest(client, "не пришла карта", attempt=attempt_id))
        counts.append((len(queries), html.count('class="suggestion suggestion-topic"')))
        for i in range(4):
            answered_question(f"Не пришла карта в отделение номер {n}{i}", representative)

    assert counts[0][1] == 1 and counts[1][1] == 5
    assert counts[0][0] == counts[1][0]


def test_attempt_ended_in_another_tab_meanwhile_starts_a_new_one(client, engine, monkeypatch):
    first = int(hidden_attempt(html_of(suggest(client, "не пришла карта"))))
    found = attempts.attempt_of

    def found_then_ended(visitor, attempt_id, **kwargs):
        # The attempt is still going on when the view looks it up, and ends right after.
        attempt = found(visitor, attempt_id, **kwargs)
        SearchAttempt.objects.filter(pk=first).update(deflected_at=timezone.now())
        return attempt

    monkeypatch.setattr(attempts, "attempt_of", found_then_ended)
    second = int(hidden_attempt(html_of(suggest(client, "не пришла карта вчера", attempt=first))))

    assert second != first
    assert SearchAttempt.objects.get(pk=first).text == "не пришла карта"
