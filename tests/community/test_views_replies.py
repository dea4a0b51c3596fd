"""Replying in a thread (/t/<id>/reply/), with and without htmx, and editing a reply."""

import re
from types import SimpleNamespace

import pytest

from community import services
from community.models import Reply
from tests.conftest import make_reply
from tests.pages import HTMX, html_of, in_russian, login_next

BODY = "Проверьте лимит в настройках карты."


def _textarea(html: str) -> str:
    return re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()


@pytest.fixture
def frozen_ratelimit_window(monkeypatch):
    # django-ratelimit counts requests in fixed time windows; a test that happened to straddle
    # the end of a window would see its counter reset. Pin the clock the library reads.
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000))


@pytest.fixture
def locked_question(question, moderator):
    return services.topic_moderate(topic=question, actor=moderator, action="lock")


# Replying without JavaScript ------------------------------------------------------------------


def test_reply_is_published_and_the_page_jumps_to_it(
    other_customer_client, other_customer, question
):
    response = other_customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY})

    reply = Reply.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{question.get_absolute_url()}#reply-{reply.pk}"
    assert reply.author == other_customer
    assert reply.body == BODY
    question.refresh_from_db()
    assert question.reply_count == 1
    assert question.last_reply_by == other_customer


def test_authors_can_reply_in_their_own_topic(customer_client, question):
    assert customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY}).status_code == 302


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_reply_shows_the_form_page_with_the_error(customer_client, question, body):
    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": body})

    assert response.status_code == 200
    assert "community/reply_form_page.html" in [t.name for t in response.templates]
    html = html_of(response)
    assert 'class="form-errors"' in html
    assert 'class="field-errors"' in html
    assert question.title in html
    assert not Reply.objects.exists()


def test_reply_page_has_a_link_back_to_the_topic(customer_client, question):
    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": ""})

    assert f'href="{question.get_absolute_url()}"' in html_of(response)


# Replying with htmx ---------------------------------------------------------------------------


def test_htmx_reply_returns_a_fresh_form_and_the_new_reply_out_of_band(customer_client, question):
    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY}, **HTMX)

    reply = Reply.objects.get()
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html
    assert 'id="reply-form"' in html
    assert _textarea(html) == ""
    oob = re.search(r'<div hx-swap-oob="beforeend:#thread">(.*)</div>', html, re.S)
    assert oob is not None
    assert f'id="reply-{reply.pk}"' in oob.group(1)
    assert BODY in oob.group(1)


@pytest.mark.parametrize("body", ["", "   "])
def test_htmx_empty_reply_returns_the_form_with_errors_and_nothing_else(
    customer_client, question, body
):
    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": body}, **HTMX)

    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html
    assert 'id="reply-form"' in html
    assert 'class="field-errors"' in html
    assert "hx-swap-oob" not in html
    assert not Reply.objects.exists()


# Who may reply --------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, question):
    response = client.post(f"/t/{question.pk}/reply/", {"body": BODY})

    assert response.status_code == 302
    assert login_next(response) == f"/t/{question.pk}/reply/"
    assert not Reply.objects.exists()


def test_reply_url_does_not_answer_get(customer_client, question):
    assert customer_client.get(f"/t/{question.pk}/reply/").status_code == 405


def test_customer_cannot_reply_in_a_locked_topic(other_customer_client, locked_question):
    response = other_customer_client.post(f"/t/{locked_question.pk}/reply/", {"body": BODY})

    assert response.status_code == 403
    assert in_russian("Replies to this topic are closed.") in html_of(response)
    assert not Reply.objects.exists()


def test_customer_cannot_reply_in_a_locked_topic_with_htmx_either(
    other_customer_client, locked_question
):
    response = other_customer_client.post(f"/t/{locked_question.pk}/reply/", {"body": BODY}, **HTMX)

    assert response.status_code == 403
    assert not Reply.objects.exists()


@pytest.mark.parametrize("persona", ["representative", "moderator", "owner"])
def test_staff_can_reply_in_a_locked_topic(request, locked_question, persona):
    client = request.getfixturevalue(f"{persona}_client")

    response = client.post(f"/t/{locked_question.pk}/reply/", {"body": BODY})

    assert response.status_code == 302
    assert Reply.objects.get().author == request.getfixturevalue(persona)


def test_customer_cannot_reply_in_a_hidden_topic(customer_client, question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="hide")

    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY})

    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_reply_to_an_unknown_topic_is_not_found(customer_client, db):
    assert customer_client.post("/t/999999/reply/", {"body": BODY}).status_code == 404


# Rate limit -----------------------------------------------------------------------------------


def test_replying_too_often_is_refused_with_the_text_kept(
    customer_client, question, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_POST_REPLY = "1/m"
    assert customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY}).status_code == 302

    response = customer_client.post(f"/t/{question.pk}/reply/", {"body": "Второй ответ подряд"})

    assert response.status_code == 200
    html = html_of(response)
    assert in_russian("You are posting too often. Please wait a few minutes.") in html
    assert _textarea(html) == "Второй ответ подряд"
    assert Reply.objects.count() == 1


def test_replying_too_often_with_htmx_returns_the_form_with_the_text_kept(
    customer_client, question, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_POST_REPLY = "1/m"
    customer_client.post(f"/t/{question.pk}/reply/", {"body": BODY}, **HTMX)

    response = customer_client.post(
        f"/t/{question.pk}/reply/", {"body": "Второй ответ подряд"}, **HTMX
    )

    assert response.status_code == 200
    html = html_of(response)
    assert in_russian("You are posting too often. Please wait a few minutes.") in html
    assert _textarea(html) == "Второй ответ подряд"
    assert "hx-swap-oob" not in html
    assert Reply.objects.count() == 1


# Editing a reply ------------------------------------------------------------------------------


@pytest.fixture
def reply(question, other_customer):
    return make_reply(question, author=other_customer, body="Первый вариант ответа")


def test_reply_author_opens_the_edit_form_with_the_current_text(other_customer_client, reply):
    response = other_customer_client.get(f"/r/{reply.pk}/edit/")

    assert response.status_code == 200
    assert _textarea(html_of(response)) == "Первый вариант ответа"


def test_reply_author_saves_the_edit_and_returns_to_the_reply(other_customer_client, reply):
    response = other_customer_client.post(f"/r/{reply.pk}/edit/", {"body": "Исправленный ответ"})

    assert response.status_code == 302
    assert response["Location"] == f"{reply.topic.get_absolute_url()}#reply-{reply.pk}"
    reply.refresh_from_db()
    assert reply.body == "Исправленный ответ"
    assert reply.edited_at is not None


def test_empty_edit_shows_the_error_and_saves_nothing(other_customer_client, reply):
    response = other_customer_client.post(f"/r/{reply.pk}/edit/", {"body": " "})

    assert response.status_code == 200
    assert 'class="field-errors"' in html_of(response)
    reply.refresh_from_db()
    assert reply.body == "Первый вариант ответа"


@pytest.mark.parametrize("persona", ["customer", "representative"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_members_cannot_edit_the_reply(request, reply, persona, method):
    client = request.getfixturevalue(f"{persona}_client")
    data = {"body": "Чужая правка"} if method == "post" else {}

    response = getattr(client, method)(f"/r/{reply.pk}/edit/", data)

    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.body == "Первый вариант ответа"


@pytest.mark.parametrize("persona", ["moderator", "owner"])
def test_moderator_can_edit_any_reply(request, reply, persona):
    client = request.getfixturevalue(f"{persona}_client")

    assert client.get(f"/r/{reply.pk}/edit/").status_code == 200
    response = client.post(f"/r/{reply.pk}/edit/", {"body": "Правка модератора"})

    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Правка модератора"


def test_reply_author_cannot_edit_in_a_locked_topic(other_customer_client, reply, moderator):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="lock")

    response = other_customer_client.post(f"/r/{reply.pk}/edit/", {"body": "Поздняя правка"})

    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.body == "Первый вариант ответа"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_sign_in_to_edit_a_reply(client, reply, method):
    data = {"body": "Аноним"} if method == "post" else {}

    response = getattr(client, method)(f"/r/{reply.pk}/edit/", data)

    assert response.status_code == 302
    assert login_next(response) == f"/r/{reply.pk}/edit/"
    reply.refresh_from_db()
    assert reply.body == "Первый вариант ответа"


def test_editing_a_reply_in_a_hidden_topic_is_not_found(other_customer_client, reply, moderator):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="hide")

    assert other_customer_client.get(f"/r/{reply.pk}/edit/").status_code == 404


def test_reply_author_is_offered_the_edit_link_and_others_are_not(
    other_customer_client, customer_client, reply
):
    edit_link = f'href="/r/{reply.pk}/edit/"'

    assert edit_link in html_of(other_customer_client.get(reply.topic.get_absolute_url()))
    assert edit_link not in html_of(customer_client.get(reply.topic.get_absolute_url()))


def test_reply_author_is_not_offered_the_edit_link_in_a_locked_topic(
    other_customer_client, reply, moderator
):
    services.topic_moderate(topic=reply.topic, actor=moderator, action="lock")

    html = html_of(other_customer_client.get(reply.topic.get_absolute_url()))

    assert f'href="/r/{reply.pk}/edit/"' not in html
