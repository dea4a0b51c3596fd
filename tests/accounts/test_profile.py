"""The public profile: name, picture, about, badges, and what the member wrote in three paginated
lists, with a query count that does not grow with rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import avatars
from community import services as community
from community import views
from tests.accounts.profile_helpers import image_bytes, media_root
from tests.conftest import make_category, make_reply, make_topic, make_user
from tests.pages import html_of

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

BASE = timezone.now() - timedelta(days=5)


def at(minutes: int):
    return BASE + timedelta(minutes=minutes)


def _reply_links(response) -> list[str]:
    """Topic titles of the reply rows in the main list, in page order."""
    section = re.search(
        r'<ul class="link-list profile-replies">(.*?)</ul>', html_of(response), re.S
    )
    return re.findall(r'<a href="/r/\d+/">([^<]*)</a>', section.group(1)) if section else []


def _topic_titles(response) -> list[str]:
    match = re.search(r'<ul class="topic-list">(.*?)</ul>', html_of(response), re.S)
    return re.findall(r'<a href="/t/\d+-[^"]*">([^<]*)</a>', match.group(1)) if match else []


@pytest.fixture
def writer(customer, representative):
    """Ivan wrote two topics and replied three times: one reply accepted, one marked official."""
    first = make_topic(author=customer, title="Первая тема Ивана", at=at(1))
    make_topic(author=customer, kind="idea", title="Вторая тема Ивана", at=at(2))
    q1 = make_topic(title="Вопрос Марии про вклад", at=at(3))
    q2 = make_topic(title="Вопрос Олега про кредит", at=at(4))
    accepted = make_reply(q1, author=customer, at=at(5))
    community.answer_accept(reply=accepted, user=q1.author, at=at(6))
    official = make_reply(q2, author=customer, at=at(7))
    community.answer_mark_official(reply=official, actor=representative, at=at(7))
    make_reply(first, author=customer, at=at(8))
    return customer


def test_the_profile_shows_name_badges_department_and_about(client, owner):
    owner.about = "Отвечаю за клиентский опыт.\nПишите!"
    owner.is_moderator = True
    owner.save()

    html = html_of(client.get("/u/owner/"))

    assert "<h1>Анна Создатель</h1>" in html
    badges = re.search(r'<p class="profile-badges">(.*?)</p>', html, re.S).group(1)
    assert 'class="badge badge-owner"' in badges
    assert re.search(r'class="badge badge-official">[^<]*· Директор по клиентскому опыту<', badges)
    assert 'class="badge badge-moderator"' in badges
    assert "Управление карточных продуктов" in badges
    assert "Отвечаю за клиентский опыт.<br>Пишите!" in html


def test_about_is_plain_text_so_no_markup_runs(client, customer):
    customer.about = '<script>alert(1)</script> <a href="https://spam.example">казино</a>'
    customer.save()

    html = html_of(client.get("/u/ivan/"))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://spam.example"' not in html


def test_the_profile_shows_our_stored_picture_or_initials(client, customer, media_root):
    customer.avatar_url = "https://sun1.userapi.com/ivan.jpg"
    customer.save()
    assert ">ИП</span>" in html_of(client.get("/u/ivan/"))

    avatars.avatar_save(user=customer, data=image_bytes())
    html = html_of(client.get("/u/ivan/"))

    assert f'<img class="avatar avatar-128" src="/media/{customer.avatar.name}"' in html
    assert "userapi" not in html


def test_the_owner_of_the_profile_gets_a_link_to_settings(customer_client, client, customer):
    assert 'href="/settings/"' in re.search(
        r'<header class="profile-head">.*?</header>', html_of(customer_client.get("/u/ivan/")), re.S
    ).group(0)
    assert 'href="/settings/"' not in html_of(client.get("/u/ivan/"))


def test_the_tabs_count_topics_replies_and_answers(client, writer):
    response = client.get("/u/ivan/")

    assert (
        response.context["topic_count"],
        response.context["reply_count"],
        response.context["answer_count"],
    ) == (2, 3, 2)
    assert _topic_titles(response) == ["Вторая тема Ивана", "Первая тема Ивана"]


def test_the_replies_tab_lists_every_reply_newest_first(client, writer):
    response = client.get("/u/ivan/", {"show": "replies"})

    assert _reply_links(response) == [
        "Первая тема Ивана",
        "Вопрос Олега про кредит",
        "Вопрос Марии про вклад",
    ]
    assert _topic_titles(response) == []


def test_the_answers_tab_lists_accepted_and_official_answers(client, writer, representative):
    reply = make_reply(make_topic(title="Вопрос про СБП", at=at(9)), author=writer, at=at(10))
    community.answer_mark_official(reply=reply, actor=representative, at=at(11))

    response = client.get("/u/ivan/", {"show": "answers"})

    assert _reply_links(response) == [
        "Вопрос про СБП",
        "Вопрос Олега про кредит",
        "Вопрос Марии про вклад",
    ]
    html = html_of(response)
    assert 'class="badge badge-answer"' in html and 'class="badge badge-accepted"' in html


def test_an_unknown_tab_falls_back_to_topics(client, writer):
    assert client.get("/u/ivan/", {"show": "secrets"}).context["tab"] == "topics"


@pytest.mark.parametrize("tab", ["topics", "replies", "answers"])
def test_each_list_is_paginated(client, writer, monkeypatch, tab):
    monkeypatch.setattr(views, "TOPICS_PER_PAGE", 1)

    first = client.get("/u/ivan/", {"show": tab})
    second = client.get("/u/ivan/", {"show": tab, "page": 2})

    assert first.context["page"].has_next()
    assert len(first.context["page"].object_list) == len(second.context["page"].object_list) == 1
    assert first.context["page"].object_list != second.context["page"].object_list
    assert f'href="?show={tab}&amp;page=2"' in html_of(first)


def test_a_page_past_the_end_is_not_found(client, writer):
    assert client.get("/u/ivan/", {"show": "replies", "page": 9}).status_code == 404


def test_replies_in_hidden_topics_are_left_out_for_customers_but_not_moderators(
    client, writer, moderator, moderator_client
):
    hidden = make_topic(title="Спрятанная тема", at=at(20))
    make_reply(hidden, author=writer, at=at(21))
    community.topic_moderate(topic=hidden, actor=moderator, action="hide")

    assert "Спрятанная тема" not in _reply_links(client.get("/u/ivan/", {"show": "replies"}))
    assert client.get("/u/ivan/").context["reply_count"] == 3
    assert "Спрятанная тема" in _reply_links(moderator_client.get("/u/ivan/", {"show": "replies"}))


# Query counts ----------------------------------------------------------------------------------


def _grow(profile, n: int, offset: int) -> None:
    """n more topics, replies and answers, each touching new people and categories."""
    for i in range(offset, offset + n):
        make_topic(author=profile, title=f"Тема номер {i}", category=make_category(), at=at(i))
        theirs = make_topic(title=f"Чужая тема {i}", author=make_user(), at=at(i))
        reply = make_reply(theirs, author=profile, at=at(i + 1))
        community.answer_accept(reply=reply, user=theirs.author, at=at(i + 2))


# user, the page of rows, the topic count, the two reply counts in one query, and on the topics
# tab the latest replies beside the list
EXPECTED = {"topics": 5, "replies": 4, "answers": 4}


@pytest.mark.parametrize("tab", list(EXPECTED))
def test_each_tab_costs_the_same_queries_however_much_was_written(
    client, customer, tab, django_assert_num_queries
):
    _grow(customer, 2, 0)
    with CaptureQueriesContext(connection) as few:
        small = client.get("/u/ivan/", {"show": tab})
    _grow(customer, 5, 10)

    with django_assert_num_queries(EXPECTED[tab]):
        large = client.get("/u/ivan/", {"show": tab})

    assert len(few) == EXPECTED[tab]
    assert len(html_of(large)) > len(html_of(small))
