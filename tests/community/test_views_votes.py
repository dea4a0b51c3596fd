"""Votes for topics (/t/<id>/vote/) and "helpful" marks on replies (/r/<id>/helpful/)."""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from community import services
from community.models import ReplyVote, TopicVote
from tests.conftest import make_reply
from tests.pages import HTMX, html_of, login_next


def _pressed(html: str) -> list[str]:
    return re.findall(r'aria-pressed="(true|false)"', html)


@pytest.fixture
def frozen_ratelimit_window(monkeypatch):
    # django-ratelimit counts requests in fixed time windows; a test that happened to straddle
    # the end of a window would see its counter reset. Pin the clock the library reads.
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000))


@pytest.fixture
def reply(question, other_customer):
    """A reply by other_customer in customer's question."""
    return make_reply(question, author=other_customer)


# Topic votes ----------------------------------------------------------------------------------


def test_vote_counts_and_a_second_vote_takes_it_back(
    other_customer_client, other_customer, question
):
    url = f"/t/{question.pk}/vote/"

    first = other_customer_client.post(url)
    question.refresh_from_db()
    assert first.status_code == 302
    assert question.score == 1
    assert TopicVote.objects.filter(topic=question, user=other_customer).exists()

    other_customer_client.post(url)
    question.refresh_from_db()
    assert question.score == 0
    assert not TopicVote.objects.exists()


def test_vote_without_next_returns_to_the_topic(other_customer_client, question):
    response = other_customer_client.post(f"/t/{question.pk}/vote/")

    assert response["Location"] == question.get_absolute_url()


@pytest.mark.parametrize("next_url", ["/topics/?sort=new", "/questions/", "http://testserver/"])
def test_vote_returns_to_a_same_host_next(other_customer_client, question, next_url):
    response = other_customer_client.post(f"/t/{question.pk}/vote/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/topics/",
        "http://evil.example/t/1-x/",
        "javascript:alert(1)",
        r"/\evil.example/",
    ],
)
def test_vote_ignores_an_external_next_and_returns_to_the_topic(
    other_customer_client, question, next_url
):
    response = other_customer_client.post(f"/t/{question.pk}/vote/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    question.refresh_from_db()
    assert question.score == 1


def test_htmx_vote_returns_the_pressed_vote_button(other_customer_client, question):
    response = other_customer_client.post(f"/t/{question.pk}/vote/", **HTMX)

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["community/partials/topic_vote.html"]
    html = html_of(response)
    assert "<html" not in html
    assert _pressed(html) == ["true"]
    assert '<span class="vote-count" aria-hidden="true">1</span>' in html


def test_htmx_second_vote_returns_the_released_button(other_customer_client, question):
    other_customer_client.post(f"/t/{question.pk}/vote/", **HTMX)

    response = other_customer_client.post(f"/t/{question.pk}/vote/", **HTMX)

    html = html_of(response)
    assert _pressed(html) == ["false"]
    assert '<span class="vote-count" aria-hidden="true">0</span>' in html


def test_votes_of_several_members_add_up(other_customer_client, representative_client, question):
    other_customer_client.post(f"/t/{question.pk}/vote/")
    response = representative_client.post(f"/t/{question.pk}/vote/", **HTMX)

    assert '<span class="vote-count" aria-hidden="true">2</span>' in html_of(response)
    question.refresh_from_db()
    assert question.score == 2


def test_topic_page_shows_the_pressed_button_to_the_voter_only(
    other_customer_client, representative_client, question
):
    other_customer_client.post(f"/t/{question.pk}/vote/")

    voter = html_of(other_customer_client.get(question.get_absolute_url()))
    someone_else = html_of(representative_client.get(question.get_absolute_url()))

    assert 'class="vote-button" aria-pressed="true"' in voter
    assert 'class="vote-button" aria-pressed="false"' in someone_else


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_author_cannot_vote_for_their_own_topic(customer_client, question, headers):
    response = customer_client.post(f"/t/{question.pk}/vote/", **headers)

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.score == 0


def test_nobody_votes_in_a_locked_topic(other_customer_client, question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="lock")

    assert other_customer_client.post(f"/t/{question.pk}/vote/").status_code == 403
    question.refresh_from_db()
    assert question.score == 0


def test_vote_in_a_hidden_topic_is_not_found(other_customer_client, question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="hide")

    assert other_customer_client.post(f"/t/{question.pk}/vote/").status_code == 404
    assert not TopicVote.objects.exists()


def test_anonymous_vote_is_sent_to_sign_in(client, question):
    response = client.post(f"/t/{question.pk}/vote/")

    assert response.status_code == 302
    assert login_next(response) == f"/t/{question.pk}/vote/"
    assert not TopicVote.objects.exists()


@pytest.mark.parametrize("persona", ["anonymous", "other_customer"])
def test_vote_url_does_not_answer_get(request, client, question, persona):
    if persona != "anonymous":
        client = request.getfixturevalue(f"{persona}_client")

    assert client.get(f"/t/{question.pk}/vote/").status_code == 405
    assert not TopicVote.objects.exists()


def test_voting_too_often_gets_429_and_changes_nothing(
    other_customer_client, question, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_VOTE = "1/m"
    assert other_customer_client.post(f"/t/{question.pk}/vote/").status_code == 302

    response = other_customer_client.post(f"/t/{question.pk}/vote/", **HTMX)

    assert response.status_code == 429
    question.refresh_from_db()
    assert question.score == 1


# Helpful votes on replies ---------------------------------------------------------------------


def test_helpful_vote_counts_and_returns_to_the_reply(customer_client, customer, reply):
    response = customer_client.post(f"/r/{reply.pk}/helpful/")

    assert response.status_code == 302
    assert response["Location"] == f"{reply.topic.get_absolute_url()}#reply-{reply.pk}"
    reply.refresh_from_db()
    assert reply.helpful_count == 1
    assert ReplyVote.objects.filter(reply=reply, user=customer).exists()


def test_second_helpful_vote_takes_it_back(customer_client, reply):
    customer_client.post(f"/r/{reply.pk}/helpful/")
    customer_client.post(f"/r/{reply.pk}/helpful/")

    reply.refresh_from_db()
    assert reply.helpful_count == 0
    assert not ReplyVote.objects.exists()


def test_helpful_vote_ignores_an_external_next(customer_client, reply):
    response = customer_client.post(f"/r/{reply.pk}/helpful/", {"next": "https://evil.example/"})

    assert response["Location"] == f"{reply.topic.get_absolute_url()}#reply-{reply.pk}"


def test_htmx_helpful_vote_returns_the_pressed_button(customer_client, reply):
    response = customer_client.post(f"/r/{reply.pk}/helpful/", **HTMX)

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["community/partials/reply_vote.html"]
    html = html_of(response)
    assert "<html" not in html
    assert _pressed(html) == ["true"]
    assert '<span class="helpful-count">1</span>' in html


def test_htmx_second_helpful_vote_returns_the_released_button(customer_client, reply):
    customer_client.post(f"/r/{reply.pk}/helpful/", **HTMX)

    response = customer_client.post(f"/r/{reply.pk}/helpful/", **HTMX)

    assert _pressed(html_of(response)) == ["false"]
    assert '<span class="helpful-count">0</span>' in html_of(response)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_reply_author_cannot_mark_their_own_reply_helpful(other_customer_client, reply, headers):
    response = other_customer_client.post(f"/r/{reply.pk}/helpful/", **headers)

    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.helpful_count == 0


def test_nobody_marks_replies_helpful_in_a_locked_topic(customer_client, reply, moderator):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="lock")

    assert customer_client.post(f"/r/{reply.pk}/helpful/").status_code == 403


def test_helpful_vote_in_a_hidden_topic_is_not_found(representative_client, reply, moderator):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="hide")

    assert representative_client.post(f"/r/{reply.pk}/helpful/").status_code == 404


def test_anonymous_helpful_vote_is_sent_to_sign_in(client, reply):
    response = client.post(f"/r/{reply.pk}/helpful/")

    assert response.status_code == 302
    assert login_next(response) == f"/r/{reply.pk}/helpful/"
    assert not ReplyVote.objects.exists()


def test_helpful_url_does_not_answer_get(customer_client, reply):
    assert customer_client.get(f"/r/{reply.pk}/helpful/").status_code == 405


def test_helpful_voting_too_often_gets_429_and_changes_nothing(
    customer_client, reply, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_VOTE = "1/m"
    customer_client.post(f"/r/{reply.pk}/helpful/", **HTMX)

    response = customer_client.post(f"/r/{reply.pk}/helpful/", **HTMX)

    assert response.status_code == 429
    reply.refresh_from_db()
    assert reply.helpful_count == 1


# What the thread offers -----------------------------------------------------------------------


def test_other_members_are_offered_the_helpful_button(customer_client, reply):
    html = html_of(customer_client.get(reply.topic.get_absolute_url()))

    assert f'action="/r/{reply.pk}/helpful/"' in html


def test_reply_author_is_not_offered_a_helpful_button_on_their_own_reply(
    other_customer_client, reply
):
    html = html_of(other_customer_client.get(reply.topic.get_absolute_url()))

    assert f'action="/r/{reply.pk}/helpful/"' not in html


def test_nobody_is_offered_a_helpful_button_in_a_locked_topic(customer_client, reply, moderator):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="lock")

    html = html_of(customer_client.get(reply.topic.get_absolute_url()))

    assert f'action="/r/{reply.pk}/helpful/"' not in html


def test_topic_author_is_not_offered_a_vote_button_on_their_own_topic(customer_client, question):
    html = html_of(customer_client.get(question.get_absolute_url()))

    assert f'action="/t/{question.pk}/vote/"' not in html


# A session that expired between page load and click -----------------------------------------


def test_anonymous_htmx_vote_sends_the_browser_to_sign_in_instead_of_swapping_the_page(
    client, question
):
    response = client.post(f"/t/{question.pk}/vote/", **HTMX)

    assert response.status_code == 204
    assert response.content == b""
    location = response["HX-Redirect"]
    assert location.startswith("/accounts/login/?next=")
    assert not TopicVote.objects.exists()


def test_anonymous_vote_without_htmx_is_still_a_plain_redirect(client, question):
    response = client.post(f"/t/{question.pk}/vote/")

    assert response.status_code == 302
    assert "HX-Redirect" not in response
    assert login_next(response) == f"/t/{question.pk}/vote/"


def test_after_signing_in_the_visitor_returns_to_the_page_they_voted_on(client, question):
    page = f"http://testserver{question.get_absolute_url()}?page=2"

    response = client.post(f"/t/{question.pk}/vote/", HTTP_HX_CURRENT_URL=page, **HTMX)

    location = urlsplit(response["HX-Redirect"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [f"{question.get_absolute_url()}?page=2"]


def test_a_foreign_current_url_is_not_used_as_the_way_back(client, question):
    response = client.post(
        f"/t/{question.pk}/vote/", HTTP_HX_CURRENT_URL="https://evil.example/x", **HTMX
    )

    assert parse_qs(urlsplit(response["HX-Redirect"]).query)["next"] == [f"/t/{question.pk}/vote/"]
