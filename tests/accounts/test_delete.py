"""Account deletion: personal data erased for good, content kept as "Deleted user", votes kept
as counts, every session ended, the owner refused, and the confirmation step in front of it."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import avatars, services
from accounts.models import AuditAction, AuditEntry, Consent, ConsentDocument, User
from community import services as community
from community.models import Reply, Topic, TopicVote
from tests.accounts.profile_helpers import image_bytes, media_root, stored_files
from tests.conftest import make_reply, make_topic, make_user
from tests.pages import html_of, in_russian

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

AT = timezone.now() - timedelta(hours=1)
PASSWORD = "s3cret-pass-42"


@pytest.fixture
def ivan(media_root):
    """A customer with everything personal the community can hold: names, e-mails, a picture,
    about text, a connected VK account with a token, a consent, content and votes."""
    user = make_user(
        username="ivan.petrov",
        display_name="Иван Петров",
        first_name="Иван",
        last_name="Петров",
        email="ivan@example.ru",
        about="Живу в Казани, клиент с 2010 года.",
        avatar_url="https://sun1.userapi.com/ivan.jpg",
        language="en",
        password=PASSWORD,
    )
    avatars.avatar_save(user=user, data=image_bytes())
    EmailAddress.objects.create(user=user, email="ivan@example.ru", primary=True, verified=True)
    EmailAddress.objects.create(user=user, email="ivan@work.ru", primary=False, verified=False)
    app = SocialApp.objects.create(provider="vk", name="VK", client_id="id", secret="secret")
    account = SocialAccount.objects.create(
        user=user, provider="vk", uid="1001", extra_data={"first_name": "Иван"}
    )
    SocialToken.objects.create(app=app, account=account, token="vk-access-token")
    Consent.objects.create(
        user=user, document=ConsentDocument.PERSONAL_DATA, version="1", accepted_at=AT
    )
    return user


@pytest.fixture
def ivans_content(ivan):
    topic = make_topic(author=ivan, title="Как закрыть вклад досрочно?")
    other = make_topic(title="Не приходит СМС с кодом")
    reply = make_reply(other, author=ivan, body="У меня то же самое, Иван Петров.")
    community.topic_vote_toggle(topic=other, user=ivan)
    community.reply_vote_toggle(reply=make_reply(topic), user=ivan)
    return {"topic": topic, "other": other, "reply": reply}


PERSONAL = ["ivan.petrov", "Иван", "Петров", "ivan@example.ru", "ivan@work.ru", "Казани", "userapi"]


def _row_text(user: User) -> str:
    """Every value stored in the user's row, as text."""
    row = User.objects.filter(pk=user.pk).values().get()
    return json.dumps(row, default=str, ensure_ascii=False)


# The service -----------------------------------------------------------------------------------


def test_no_personal_data_is_left_in_the_users_row(ivan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ivan, at=AT)

    ivan.refresh_from_db()
    row = _row_text(ivan)
    for value in PERSONAL:
        assert value not in row, value
    assert ivan.username.startswith("deleted-")
    assert ivan.email == ivan.first_name == ivan.last_name == ivan.display_name == ""
    assert ivan.about == ivan.avatar_url == ivan.language == "" and not ivan.avatar
    assert not ivan.has_usable_password()
    assert not ivan.is_active and ivan.last_login is None
    assert ivan.deleted_at == AT and ivan.is_deleted
    assert ivan.name == "Deleted user" or ivan.name == in_russian("Deleted user")


def test_the_avatar_file_is_deleted(ivan, media_root, django_capture_on_commit_callbacks):
    assert stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ivan, at=AT)

    assert stored_files(media_root) == []


def test_e_mail_addresses_social_accounts_and_tokens_are_erased(ivan):
    services.account_delete(user=ivan, at=AT)

    assert not EmailAddress.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not SocialToken.objects.exists()


def test_staff_roles_are_dropped(representative):
    services.account_delete(user=representative, at=AT)

    representative.refresh_from_db()
    assert not representative.is_representative
    assert representative.title == "" and representative.department is None


def test_topics_and_replies_stay_and_votes_stay_as_counts(ivan, ivans_content):
    topic, other, reply = ivans_content["topic"], ivans_content["other"], ivans_content["reply"]

    services.account_delete(user=ivan, at=AT)

    assert Topic.objects.get(pk=topic.pk).author_id == ivan.pk
    assert Reply.objects.get(pk=reply.pk).body == "У меня то же самое, Иван Петров."
    other.refresh_from_db()
    assert other.score == 1 and TopicVote.objects.filter(topic=other).count() == 1
    assert Reply.objects.get(topic=topic).helpful_count == 1
    # The counters still agree with the rows they count.
    assert community.counters_rebuild() == {"score": 0, "reply_count": 0, "helpful_count": 0}


def test_consents_are_withdrawn_at_deletion_and_their_record_kept(ivan):
    services.account_delete(user=ivan, at=AT + timedelta(minutes=5))

    consent = Consent.objects.get()
    assert consent.withdrawn_at == AT + timedelta(minutes=5)


def test_an_audit_entry_is_written_without_personal_data(representative):
    services.account_delete(user=representative, at=AT)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_user, entry.created_at) == (
        AuditAction.ACCOUNT_DELETED,
        representative,
        representative,
        AT,
    )
    assert entry.changes == {"roles": [["is_representative"], []]}


def test_every_session_of_the_member_ends_and_others_stay(ivan, other_customer):
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(ivan)
    laptop.force_login(ivan)
    someone_else.force_login(other_customer)
    assert Session.objects.count() == 3

    services.account_delete(user=ivan, at=AT)

    assert Session.objects.count() == 1
    assert "_auth_user_id" not in phone.get("/").wsgi_request.session
    assert laptop.get("/settings/").status_code == 302
    assert someone_else.get("/settings/").status_code == 200


def test_cached_database_sessions_are_ended_in_the_cache_too(ivan, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches

    client = Client()
    client.force_login(ivan)
    key = client.session.session_key
    cache = caches[settings.SESSION_CACHE_ALIAS]
    assert cache.get(KEY_PREFIX + key) is not None

    services.account_delete(user=ivan, at=AT)

    assert cache.get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_the_store_missed_is_dead_anyway(ivan, settings):
    """With a session backend that cannot be searched (cache), the session is still refused:
    the password hash it was signed with changed and the account is inactive."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    client = Client()
    client.force_login(ivan)
    assert client.get("/settings/").status_code == 200

    services.account_delete(user=ivan, at=AT)

    assert client.get("/settings/").status_code == 302


def test_the_owner_cannot_delete_their_account(owner):
    with pytest.raises(ValidationError, match="owner"):
        services.account_delete(user=owner, at=AT)

    owner.refresh_from_db()
    assert not owner.is_deleted and owner.username == "owner"
    assert not AuditEntry.objects.exists()


def test_deleting_twice_changes_nothing_the_second_time(ivan):
    services.account_delete(user=ivan, at=AT)
    username = User.objects.get(pk=ivan.pk).username

    services.account_delete(user=ivan, at=AT + timedelta(days=1))

    deleted = User.objects.get(pk=ivan.pk)
    assert (deleted.username, deleted.deleted_at) == (username, AT)
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("login", ["ivan.petrov", "ivan@example.ru"])
def test_a_deleted_member_cannot_sign_in_any_more(ivan, client, login):
    services.account_delete(user=ivan, at=AT)

    client.post("/accounts/login/", {"login": login, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


# What others see -------------------------------------------------------------------------------


def test_the_thread_shows_deleted_user_and_nothing_personal(ivan, ivans_content, client):
    services.account_delete(user=ivan, at=AT)

    html = html_of(client.get(ivans_content["topic"].get_absolute_url()))
    other_html = html_of(client.get(ivans_content["other"].get_absolute_url()))

    assert in_russian("Deleted user") in html
    assert in_russian("Deleted user") in other_html
    # The reply's text is content and stays, name included; the byline does not.
    for value in ["ivan.petrov", "ivan@example.ru", "/u/deleted-"]:
        assert value not in html and value not in other_html
    assert 'class="author author-deleted"' in html


def test_the_deleted_members_profile_is_gone(ivan, client):
    services.account_delete(user=ivan, at=AT)
    deleted = User.objects.get(pk=ivan.pk)

    assert client.get("/u/ivan.petrov/").status_code == 404
    assert client.get(f"/u/{deleted.username}/").status_code == 404


# The confirmation step -------------------------------------------------------------------------


def _client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_asks_to_sign_in_first(client):
    response = client.get("/settings/delete/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_with_a_password_confirms_with_it_and_is_signed_out(ivan):
    client = _client_of(ivan)
    page = client.get("/settings/delete/")
    assert set(page.context["form"].fields) == {"confirm", "password"}

    response = client.post("/settings/delete/", {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(pk=ivan.pk).is_deleted
    assert "_auth_user_id" not in client.session
    home = client.get("/")
    assert [m.level_tag for m in home.context["messages"]] == ["success"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"confirm": "on", "password": "wrong"}, "password"),
        ({"password": PASSWORD}, "confirm"),
        ({"confirm": "on"}, "password"),
    ],
)
def test_a_wrong_password_or_a_missing_tick_deletes_nothing(ivan, data, field):
    response = _client_of(ivan).post("/settings/delete/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.get(pk=ivan.pk).is_deleted


def test_a_member_without_a_password_types_their_username(media_root):
    telegram_user = make_user(username="petr_s")
    telegram_user.set_unusable_password()
    telegram_user.save()
    client = _client_of(telegram_user)
    assert set(client.get("/settings/delete/").context["form"].fields) == {"confirm", "username"}

    wrong = client.post("/settings/delete/", {"confirm": "on", "username": "petr"})
    assert "username" in wrong.context["form"].errors
    right = client.post("/settings/delete/", {"confirm": "on", "username": "petr_s"})

    assert right.status_code == 302
    assert User.objects.get(pk=telegram_user.pk).is_deleted


def test_the_owner_is_told_why_and_nothing_is_deleted(owner, owner_client):
    page = owner_client.get("/settings/delete/")
    assert page.context["can_delete"] is False
    assert '<form method="post" action="/settings/delete/"' not in html_of(page)

    response = owner_client.post("/settings/delete/", {"confirm": "on", "password": "password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not User.objects.get(pk=owner.pk).is_deleted


def test_password_guessing_on_the_confirmation_step_is_rate_limited(ivan, settings):
    settings.RATE_LIMIT_ACCOUNT_DELETE = "3/10m"
    client = _client_of(ivan)
    for _ in range(3):
        client.post("/settings/delete/", {"confirm": "on", "password": "guess"})

    response = client.post("/settings/delete/", {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not User.objects.get(pk=ivan.pk).is_deleted


def test_the_deletion_needs_a_csrf_token(ivan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ivan)

    response = client.post("/settings/delete/", {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 403
    assert not User.objects.get(pk=ivan.pk).is_deleted
