"""Starting a topic (/new/) and editing one (/t/<id>/edit/)."""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from community import services
from community.models import Topic, TopicKind, TopicStatus
from tests.conftest import make_category, make_topic
from tests.pages import html_of, in_russian, login_next


def _checked_kind(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="kind" value="(\w+)"[^>]*\bchecked\b', html)


def _selected_category(html: str) -> list[str]:
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d*)" selected>', select)


def _title_value(html: str) -> str:
    return re.search(r'<input type="text" name="title"(?: value="([^"]*)")?', html).group(1) or ""


@pytest.fixture
def frozen_ratelimit_window(monkeypatch):
    # django-ratelimit counts requests in fixed time windows; a test that happened to straddle
    # the end of a window would see its counter reset. Pin the clock the library reads.
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000))


# Creating -------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_keeping_the_typed_title(client, db):
    response = client.get("/new/", {"title": "Как закрыть вклад досрочно?", "kind": "question"})

    assert response.status_code == 302
    next_url = urlsplit(login_next(response))
    assert next_url.path == "/new/"
    assert parse_qs(next_url.query) == {
        "title": ["Как закрыть вклад досрочно?"],
        "kind": ["question"],
    }


def test_anonymous_post_is_sent_to_sign_in_and_creates_nothing(client, db):
    response = client.post("/new/", {"kind": "question", "title": "Как закрыть вклад досрочно?"})

    assert response.status_code == 302
    assert login_next(response) == "/new/"
    assert not Topic.objects.exists()


def test_form_is_prefilled_with_title_and_kind_from_the_querystring(customer_client):
    response = customer_client.get("/new/", {"title": "Добавьте тёмную тему", "kind": "idea"})

    assert response.status_code == 200
    html = html_of(response)
    assert _title_value(html) == "Добавьте тёмную тему"
    assert _checked_kind(html) == ["idea"]


def test_unknown_kind_in_the_querystring_falls_back_to_a_question(customer_client):
    response = customer_client.get("/new/", {"kind": "complaint"})

    assert _checked_kind(html_of(response)) == ["question"]


def test_very_long_title_in_the_querystring_is_cut_to_the_field_length(customer_client):
    response = customer_client.get("/new/", {"title": "я" * 500})

    assert _title_value(html_of(response)) == "я" * 200


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TopicKind.QUESTION, TopicStatus.OPEN),
        (TopicKind.IDEA, TopicStatus.NEW),
        (TopicKind.PROBLEM, TopicStatus.OPEN),
        (TopicKind.THANKS, TopicStatus.PUBLISHED),
    ],
)
def test_valid_post_publishes_the_topic_and_redirects_to_it(
    customer_client, customer, category, kind, status
):
    response = customer_client.post(
        "/new/",
        {
            "kind": kind,
            "title": "  Добавьте   тёмную тему  ",
            "body": "Вечером экран слепит.",
            "category": category.pk,
        },
    )

    topic = Topic.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == topic.get_absolute_url() == f"/t/{topic.pk}-dobavte-temnuyu-temu/"
    )
    assert topic.author == customer
    assert topic.kind == kind
    assert topic.status == status
    assert topic.title == "Добавьте тёмную тему"
    assert topic.body == "Вечером экран слепит."
    assert topic.category == category


def test_topic_without_category_and_body_is_accepted(customer_client, db):
    response = customer_client.post("/new/", {"kind": "question", "title": "Где мой кэшбэк?"})

    assert response.status_code == 302
    assert Topic.objects.get().category is None


@pytest.mark.parametrize(
    ("title", "kind", "error_field"),
    [
        ("Карта", "idea", "title"),
        ("   ", "idea", "title"),
        ("", "problem", "title"),
        ("Не приходят уведомления", "complaint", "kind"),
        ("Не приходят уведомления", "", "kind"),
    ],
    ids=["title-too-short", "title-blank", "title-empty", "unknown-kind", "no-kind"],
)
def test_invalid_post_shows_the_error_and_keeps_everything_typed(
    customer_client, category, title, kind, error_field
):
    body = "Подробности: приложение версии 5.1, Android 14."

    response = customer_client.post(
        "/new/", {"kind": kind, "title": title, "body": body, "category": category.pk}
    )

    assert response.status_code == 200
    assert not Topic.objects.exists()
    assert error_field in response.context["form"].errors
    html = html_of(response)
    assert 'class="form-errors"' in html
    assert 'class="field-errors"' in html
    if title.strip():
        assert _title_value(html) == title
    assert body in html
    assert _selected_category(html) == [str(category.pk)]
    assert _checked_kind(html) == ([kind] if kind in TopicKind.values else [])


def test_inactive_category_is_rejected(customer_client, db):
    retired = make_category(is_active=False)

    response = customer_client.post(
        "/new/", {"kind": "question", "title": "Где мой кэшбэк?", "category": retired.pk}
    )

    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Topic.objects.exists()


def test_posting_too_often_is_refused_with_the_form_kept(
    customer_client, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_POST_TOPIC = "2/m"
    for n in range(2):
        response = customer_client.post("/new/", {"kind": "idea", "title": f"Идея номер {n}"})
        assert response.status_code == 302

    response = customer_client.post(
        "/new/", {"kind": "idea", "title": "Третья идея подряд", "body": "Текст третьей идеи"}
    )

    assert response.status_code == 200
    html = html_of(response)
    assert in_russian("You are posting too often. Please wait a few minutes.") in html
    assert _title_value(html) == "Третья идея подряд"
    assert "Текст третьей идеи" in html
    assert _checked_kind(html) == ["idea"]
    assert Topic.objects.count() == 2


def test_rate_limit_is_counted_per_user(
    customer_client, other_customer_client, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_POST_TOPIC = "1/m"

    first = customer_client.post("/new/", {"kind": "idea", "title": "Идея первого клиента"})
    second = other_customer_client.post("/new/", {"kind": "idea", "title": "Идея второго клиента"})

    assert first.status_code == second.status_code == 302
    assert Topic.objects.count() == 2


def test_opening_the_form_does_not_count_towards_the_rate_limit(
    customer_client, settings, frozen_ratelimit_window
):
    settings.RATE_LIMIT_POST_TOPIC = "1/m"
    for _ in range(3):
        customer_client.get("/new/")

    response = customer_client.post("/new/", {"kind": "idea", "title": "Идея после просмотра"})

    assert response.status_code == 302


# Editing --------------------------------------------------------------------------------------

EDIT = {"title": "Как активировать новую карту?", "body": "Обновил текст.", "category": ""}


def test_author_opens_the_edit_form_with_current_values(customer_client, question):
    response = customer_client.get(f"/t/{question.pk}/edit/")

    assert response.status_code == 200
    html = html_of(response)
    assert _title_value(html) == "Как активировать карту?"
    assert question.body in html
    assert _selected_category(html) == [str(question.category.pk)]


def test_author_saves_changes_and_keeps_the_url(customer_client, question):
    old_url = question.get_absolute_url()

    response = customer_client.post(f"/t/{question.pk}/edit/", EDIT)

    assert response.status_code == 302
    assert response["Location"] == old_url
    question.refresh_from_db()
    assert question.title == "Как активировать новую карту?"
    assert question.body == "Обновил текст."
    assert question.category is None
    assert question.edited_at is not None
    assert question.get_absolute_url() == old_url


def test_invalid_edit_shows_the_error_and_saves_nothing(customer_client, question):
    response = customer_client.post(f"/t/{question.pk}/edit/", {**EDIT, "title": "Коротко"})

    assert response.status_code == 200
    assert 'class="field-errors"' in html_of(response)
    assert _title_value(html_of(response)) == "Коротко"
    question.refresh_from_db()
    assert question.title == "Как активировать карту?"


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_customer_cannot_edit_the_topic(other_customer_client, question, method):
    data = EDIT if method == "post" else {}
    response = getattr(other_customer_client, method)(f"/t/{question.pk}/edit/", data)

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.title == "Как активировать карту?"


def test_representative_who_is_not_a_moderator_cannot_edit_the_topic(
    representative_client, question
):
    response = representative_client.post(f"/t/{question.pk}/edit/", EDIT)

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["moderator", "owner"])
def test_moderator_can_edit_any_topic(request, question, persona):
    client = request.getfixturevalue(f"{persona}_client")

    assert client.get(f"/t/{question.pk}/edit/").status_code == 200
    response = client.post(f"/t/{question.pk}/edit/", EDIT)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "Как активировать новую карту?"


def test_author_cannot_edit_a_locked_topic_but_a_moderator_can(
    customer_client, moderator_client, question, moderator
):
    services.topic_moderate(topic=question, actor=moderator, action="lock")

    assert customer_client.post(f"/t/{question.pk}/edit/", EDIT).status_code == 403
    assert moderator_client.post(f"/t/{question.pk}/edit/", EDIT).status_code == 302


def test_author_of_a_hidden_topic_gets_not_found(customer_client, question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="hide")

    assert customer_client.get(f"/t/{question.pk}/edit/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_sign_in_to_edit(client, question, method):
    response = getattr(client, method)(f"/t/{question.pk}/edit/", EDIT if method == "post" else {})

    assert response.status_code == 302
    assert login_next(response) == f"/t/{question.pk}/edit/"
    question.refresh_from_db()
    assert question.title == "Как активировать карту?"


def test_editing_an_unknown_topic_is_not_found(customer_client, db):
    assert customer_client.get("/t/999999/edit/").status_code == 404


def test_edit_form_has_no_kind_field(customer_client, db, customer):
    topic = make_topic(author=customer, kind=TopicKind.IDEA, title="Идея про кэшбэк")

    html = html_of(customer_client.get(f"/t/{topic.pk}/edit/"))

    assert 'name="kind"' not in html
