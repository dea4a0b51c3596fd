""" "Download my data": the exact contents of the archive, no secrets in it, and a query count
that does not grow with what the member wrote."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import avatars
from accounts.export import personal_data_export
from accounts.models import Consent, ConsentDocument
from community import services as community
from community.models import Reply, Topic, TopicKind
from tests.accounts.profile_helpers import image_bytes, media_root
from tests.conftest import make_category, make_reply, make_topic, make_user
from tests.pages import login_next

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

UTC = UTC
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE = "https://vmeste.bank.ru"


def t(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def member(media_root, department):
    user = make_user(
        username="ivan",
        display_name="Иван Петров",
        first_name="Иван",
        last_name="Петров",
        email="ivan@example.ru",
        about="Клиент с 2010 года.",
        avatar_url="https://sun1.userapi.com/ivan.jpg",
        language="ru",
        email_on_reply=True,
        is_representative=True,
        title="Специалист",
        department=department,
        date_joined=t(0),
        last_login=t(1),
    )
    avatars.avatar_save(user=user, data=image_bytes())
    EmailAddress.objects.create(user=user, email="ivan@example.ru", primary=True, verified=True)
    EmailAddress.objects.create(user=user, email="ivan@work.ru", primary=False, verified=False)
    app = SocialApp.objects.create(provider="vk", name="VK", client_id="id", secret="app-secret")
    account = SocialAccount.objects.create(
        user=user,
        provider="vk",
        uid="1001",
        extra_data={
            "first_name": "Иван",
            "access_token": "leaked?",
            "nested": {"id_token": "leaked?", "city": "Казань"},
            "hash": "telegram-hash",
        },
    )
    SocialAccount.objects.filter(pk=account.pk).update(date_joined=t(2), last_login=t(3))
    SocialToken.objects.create(app=app, account=account, token="vk-access-token", token_secret="s")
    Consent.objects.create(
        user=user, document=ConsentDocument.PERSONAL_DATA, version="2025-01", accepted_at=t(0)
    )
    return user


@pytest.fixture
def content(member):
    cards = make_category(name="Карты", slug="cards-export")
    topic = make_topic(
        author=member,
        kind=TopicKind.IDEA,
        title="Тёмная тема в приложении",
        body="Хочу тёмную тему.",
        category=cards,
        at=t(10),
    )
    other = make_topic(title="Чужой вопрос про вклады", at=t(11))
    reply = make_reply(other, author=member, body="Ответ по вкладам.", at=t(12))
    community.answer_mark_official(reply=reply, actor=member, at=t(12))
    community.topic_vote_toggle(topic=other, user=member, at=t(13))
    helpful = make_reply(topic, body="Поддерживаю.", at=t(14))
    community.reply_vote_toggle(reply=helpful, user=member, at=t(15))
    return {"topic": topic, "other": other, "reply": reply, "helpful": helpful}


def test_the_archive_holds_exactly_the_members_data(member, content):
    topic, other, reply, helpful = (content[k] for k in ("topic", "other", "reply", "helpful"))

    data = personal_data_export(user=member, base_url=BASE, at=t(60))

    assert data == {
        "format": "vmeste-personal-data",
        "version": 1,
        "exported_at": "2025-03-01T10:00:00+00:00",
        "profile": {
            "username": "ivan",
            "display_name": "Иван Петров",
            "first_name": "Иван",
            "last_name": "Петров",
            "email": "ivan@example.ru",
            "about": "Клиент с 2010 года.",
            "avatar": f"{BASE}/media/{member.avatar.name}",
            "avatar_url_from_provider": "https://sun1.userapi.com/ivan.jpg",
            "language": "ru",
            "date_joined": "2025-03-01T09:00:00+00:00",
            "last_login": "2025-03-01T09:01:00+00:00",
            "notifications": {
                "email_on_official_answer": True,
                "email_on_status_change": True,
                "email_on_reply": True,
            },
        },
        "email_addresses": [
            {"email": "ivan@example.ru", "verified": True, "primary": True},
            {"email": "ivan@work.ru", "verified": False, "primary": False},
        ],
        "connected_accounts": [
            {
                "provider": "vk",
                "uid": "1001",
                "connected_at": "2025-03-01T09:02:00+00:00",
                "last_login": "2025-03-01T09:03:00+00:00",
                "profile_from_provider": {"first_name": "Иван", "nested": {"city": "Казань"}},
            }
        ],
        "topics": [
            {
                "id": topic.pk,
                "url": f"{BASE}/t/{topic.pk}-{topic.slug}/",
                "kind": "idea",
                "title": "Тёмная тема в приложении",
                "body": "Хочу тёмную тему.",
                "category": "Карты",
                "status": "new",
                "is_hidden": False,
                "created_at": "2025-03-01T09:10:00+00:00",
                "edited_at": None,
            }
        ],
        "replies": [
            {
                "id": reply.pk,
                "url": f"{BASE}/r/{reply.pk}/",
                "topic": {"id": other.pk, "title": "Чужой вопрос про вклады"},
                "body": "Ответ по вкладам.",
                "is_official_answer": True,
                "is_accepted_answer": False,
                "created_at": "2025-03-01T09:12:00+00:00",
                "edited_at": None,
            }
        ],
        "votes": {
            "topics": [
                {
                    "topic": {"id": other.pk, "title": "Чужой вопрос про вклады"},
                    "created_at": "2025-03-01T09:13:00+00:00",
                }
            ],
            "replies_marked_helpful": [
                {
                    "reply_id": helpful.pk,
                    "topic": {"id": topic.pk, "title": "Тёмная тема в приложении"},
                    "created_at": "2025-03-01T09:15:00+00:00",
                }
            ],
        },
        "subscriptions": [],
        "subscriptions_note": "The community does not store subscriptions yet.",
        "consents": [
            {
                "document": "personal_data",
                "version": "2025-01",
                "accepted_at": "2025-03-01T09:00:00+00:00",
                "withdrawn_at": None,
            }
        ],
        "staff_roles": {
            "is_representative": True,
            "is_moderator": False,
            "is_manager": False,
            "is_community_owner": False,
            "title": "Специалист",
            "department": "Управление карточных продуктов",
        },
    }


def test_no_secret_is_in_the_archive(member, content):
    text = json.dumps(personal_data_export(user=member, base_url=BASE), ensure_ascii=False)

    for secret in [member.password, "vk-access-token", "app-secret", "leaked?", "telegram-hash"]:
        assert secret not in text


def test_other_peoples_rows_are_not_in_it(member, content, other_customer):
    make_topic(author=other_customer, title="Чужая тема", at=t(20))
    make_reply(content["topic"], author=other_customer, body="Чужой ответ", at=t(21))

    data = personal_data_export(user=member, base_url=BASE)

    assert [row["title"] for row in data["topics"]] == ["Тёмная тема в приложении"]
    assert [row["body"] for row in data["replies"]] == ["Ответ по вкладам."]


def test_a_member_with_nothing_gets_empty_lists(customer):
    data = personal_data_export(user=customer, base_url=BASE)

    assert data["email_addresses"] == data["connected_accounts"] == []
    assert data["topics"] == data["replies"] == data["consents"] == []
    assert data["votes"] == {"topics": [], "replies_marked_helpful": []}
    assert data["profile"]["avatar"] is None


def test_the_number_of_queries_does_not_grow_with_content(member, content):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            personal_data_export(user=member, base_url=BASE)
        return len(captured)

    few = queries()
    for n in range(5):
        topic = make_topic(author=member, title=f"Ещё тема номер {n}", category=make_category())
        theirs = make_topic(title=f"Чужая тема номер {n}")
        make_reply(theirs, author=member)
        community.topic_vote_toggle(topic=theirs, user=member)
        community.reply_vote_toggle(reply=make_reply(topic), user=member)

    # user, e-mail addresses, social accounts, topics, replies, topic votes, reply votes, consents
    assert few == queries() == 8
    data = personal_data_export(user=member, base_url=BASE)
    assert len(data["topics"]) == 6 and len(data["replies"]) == 6


# The download ----------------------------------------------------------------------------------


def test_the_download_is_a_json_attachment_that_no_cache_keeps(member, content, settings):
    settings.ALLOWED_HOSTS = ["vmeste.bank.ru"]
    client = Client()
    client.force_login(member)

    response = client.post("/settings/data/", HTTP_HOST="vmeste.bank.ru", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="vmeste-{member.pk}-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["username"] == "ivan"
    assert (
        data["topics"][0]["url"] == f"https://vmeste.bank.ru{content['topic'].get_absolute_url()}"
    )
    # Cyrillic stays readable in the file.
    assert "Иван Петров".encode() in response.content


def test_the_download_needs_sign_in_and_a_post(client, customer_client):
    assert login_next(client.post("/settings/data/")) == "/settings/data/"
    assert customer_client.get("/settings/data/").status_code == 405


def test_the_download_needs_a_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    assert client.post("/settings/data/").status_code == 403


def test_downloading_too_often_is_refused(customer_client, settings):
    settings.RATE_LIMIT_DATA_EXPORT = "2/h"
    for _ in range(2):
        assert customer_client.post("/settings/data/").status_code == 200

    response = customer_client.post("/settings/data/")

    assert response.status_code == 302 and response["Location"] == "/settings/"


def test_hidden_topics_of_the_member_are_in_their_archive(member, moderator):
    topic = make_topic(author=member, title="Скрытая модератором тема")
    community.topic_moderate(topic=topic, actor=moderator, action="hide")

    data = personal_data_export(user=member, base_url=BASE)

    assert data["topics"][0]["is_hidden"] is True
    assert Topic.objects.filter(author=member).count() == 1
    assert not Reply.objects.exists()
