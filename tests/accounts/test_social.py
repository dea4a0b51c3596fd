"""Sign-in through VK ID, Yandex ID, Telegram, Google and Mail.ru, with each provider's HTTP
mocked at the boundary (tests/accounts/conftest.py): the callback, the consent step, the profile
data carried over, e-mail conflicts, connecting and disconnecting."""

from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.consent import PERSONAL_DATA_VERSION
from accounts.models import Consent, User
from tests.accounts.conftest import (
    complete_social_signup,
    configure_providers,
    make_member,
    oauth2_login,
    signed_in_user,
    social_login,
    start_provider_login,
    telegram_login,
)
from tests.pages import html_of

pytestmark = pytest.mark.django_db

# provider: (uid, expected display name, expected avatar URL, e-mail it gives, trusted as verified)
PROVIDERS = {
    "vk": (
        "1001",
        "Иван Петров",
        "https://sun1.userapi.com/impg/ivan.jpg",
        "ivan@example.ru",
        False,
    ),
    "yandex": (
        "2002",
        "Мария Смирнова",
        "https://avatars.yandex.net/get-yapic/131652443/abc/islands-200",
        "maria@yandex.ru",
        True,
    ),
    "google": (
        "3003",
        "Oleg Ivanov",
        "https://lh3.googleusercontent.com/a/oleg",
        "oleg@gmail.com",
        True,
    ),
    "mailru": (
        "4004",
        "Анна Кузнецова",
        "https://avt.appsmail.ru/mail/anna/_avatarbig",
        "anna@mail.ru",
        False,
    ),
    "telegram": ("5005", "Пётр Сидоров", "https://t.me/i/userpic/320/petr.jpg", "", False),
}


@pytest.fixture(autouse=True)
def _providers(all_providers):
    pass


@pytest.mark.parametrize("provider_id", list(PROVIDERS))
def test_a_provider_callback_never_creates_an_account_without_the_consent_step(client, provider_id):
    response = social_login(client, provider_id)

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    page = client.get(reverse("socialaccount_signup"))
    assert 'type="checkbox" name="consent"' in html_of(page)


@pytest.mark.parametrize("provider_id", list(PROVIDERS))
def test_a_social_signup_stores_the_consent_and_carries_name_and_avatar_into_the_profile(
    client, provider_id
):
    uid, name, avatar_url, email, verified = PROVIDERS[provider_id]
    social_login(client, provider_id)

    response = complete_social_signup(client, consent="on")

    assert response.status_code == 302
    account = SocialAccount.objects.get(provider=provider_id, uid=uid)
    user = account.user
    assert user.display_name == name
    assert user.avatar_url == avatar_url
    assert not user.has_usable_password()
    consent = Consent.objects.get(user=user)
    assert consent.version == PERSONAL_DATA_VERSION
    assert consent.accepted_at is not None
    if email:
        assert EmailAddress.objects.get(user=user).email == email
    if not email or verified:
        # Signed in at once: nothing to verify, or the provider vouches for the address.
        assert signed_in_user(client) == user
    else:
        # VK and Mail.ru do not say the address is confirmed: it gets a code first.
        assert response["Location"] == reverse("account_email_verification_sent")
        assert signed_in_user(client) is None


@pytest.mark.parametrize("provider_id", list(PROVIDERS))
def test_the_social_signup_step_without_consent_creates_nothing_and_keeps_the_details(
    client, provider_id
):
    social_login(client, provider_id)

    response = complete_social_signup(client, username="chosen_name")

    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert 'value="chosen_name"' in html_of(response)


def test_signing_in_again_with_a_connected_provider_goes_straight_in(client):
    social_login(client, "google")
    complete_social_signup(client, consent="on")
    user = signed_in_user(client)
    client.post(reverse("account_logout"))

    response = social_login(client, "google")

    assert response.status_code == 302
    assert response["Location"] != reverse("socialaccount_signup")
    assert signed_in_user(client) == user
    assert User.objects.count() == 1
    assert Consent.objects.count() == 1


def test_telegram_gives_no_email_and_the_account_works_without_one(client):
    telegram_login(client)
    page = client.get(reverse("socialaccount_signup"))
    assert not page.context["form"].fields["email"].required

    complete_social_signup(client, consent="on")

    user = signed_in_user(client)
    assert user is not None and user.email == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    # An e-mail can be added later from the e-mail page.
    assert client.get(reverse("account_email")).status_code == 200


def test_a_telegram_result_with_a_wrong_signature_is_refused(client):
    response = telegram_login(client, bot_token="123456:someone-elses-bot")

    assert response.status_code in (200, 401)
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_the_telegram_callback_page_uses_only_our_own_script(client):
    response = client.get(reverse("telegram_callback") + "?state=x")
    html = html_of(response)

    assert response.status_code == 200
    assert "telegram.org" not in html
    assert '<script src="/static/telegram/js/telegram.js">' in html
    assert "<noscript>" in html


def test_the_provider_asked_is_the_real_one_with_our_keys_and_pkce(client):
    query, location = start_provider_login(client, "vk")

    assert location.startswith("https://id.vk.ru/authorize?")
    assert query["client_id"] == ["vk-client"]
    assert query["code_challenge_method"] == ["S256"]
    _, servers = oauth2_login(client, "vk")
    methods_and_urls = [(method, url) for method, url, _ in servers.calls]
    assert methods_and_urls == [
        ("POST", "https://id.vk.ru/oauth2/auth"),
        ("POST", "https://id.vk.ru/oauth2/user_info"),
    ]
    assert "code_verifier" in servers.calls[0][2]["data"]


def test_a_provider_button_is_a_post_form_and_a_get_starts_nothing(client):
    html = html_of(client.get(reverse("account_login")))

    assert '<form method="post" action="/accounts/vk/login/?process=login"' in html
    response = client.get(reverse("vk_login"))
    # GET shows a confirmation page (allauth's LOGIN_ON_GET=False), it does not redirect away.
    assert response.status_code == 200


def test_a_social_email_that_belongs_to_an_account_is_explained_and_never_taken_over(client):
    owner = make_member(email="oleg@gmail.com", username="oleg")
    social_login(client, "google")

    page = client.get(reverse("socialaccount_signup"))

    assert page.context["form"].email_belongs_to_an_account
    assert 'role="alert"' in html_of(page)
    assert reverse("account_login") in html_of(page)
    response = complete_social_signup(client, consent="on")
    assert response.status_code == 200
    error = response.context["form"].errors["email"][0]
    assert "Google" in error
    assert signed_in_user(client) is None
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    assert owner.socialaccount_set.count() == 0


def test_with_another_address_a_separate_account_can_still_be_created(client):
    make_member(email="oleg@gmail.com", username="oleg")
    social_login(client, "google")

    response = complete_social_signup(
        client, email="oleg.second@example.ru", username="oleg2", consent="on"
    )

    assert response.status_code == 302
    assert User.objects.filter(username="oleg2").exists()


def test_the_email_taken_message_is_translated(client):
    make_member(email="oleg@gmail.com", username="oleg")
    social_login(client, "google")

    response = complete_social_signup(client, consent="on", HTTP_ACCEPT_LANGUAGE="ru")

    assert "Аккаунт с этим адресом" in response.context["form"].errors["email"][0] or (
        # Before the coordinator merges translations the English source is shown.
        "already exists" in response.context["form"].errors["email"][0]
    )


def test_a_taken_suggested_username_is_replaced_by_a_free_one(client):
    make_member(email="maria@example.ru", username="maria.s")
    social_login(client, "yandex")

    form = client.get(reverse("socialaccount_signup")).context["form"]

    assert form.initial["username"] and form.initial["username"] != "maria.s"
    assert not User.objects.filter(username=form.initial["username"]).exists()


def test_the_avatar_is_copied_to_our_storage_after_the_signup_commits(
    client, django_capture_on_commit_callbacks
):
    social_login(client, "google")
    with (
        mock.patch("accounts.avatars.avatar_save_from_url", return_value=True) as save,
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete_social_signup(client, consent="on")

    user = User.objects.get()
    save.assert_called_once_with(user=user, url="https://lh3.googleusercontent.com/a/oleg")


def test_only_an_https_avatar_address_is_kept(client):
    social_login(client, "vk", profile={"avatar": "http://insecure.example/a.jpg"})
    complete_social_signup(client, consent="on")

    assert User.objects.get().avatar_url == ""


# Connecting and disconnecting.


def test_a_member_connects_a_provider_and_signs_in_with_it_later(client):
    member = make_member(email="olga@example.ru", username="olga", display_name="")
    client.force_login(member)

    response = social_login(client, "telegram", process="connect")

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_connections")
    assert SocialAccount.objects.get(provider="telegram").user == member
    member.refresh_from_db()
    assert member.display_name == "Пётр Сидоров"  # it was empty
    client.post(reverse("account_logout"))
    social_login(client, "telegram")
    assert signed_in_user(client) == member


def test_connecting_keeps_the_name_the_member_chose(client):
    member = make_member(email="olga@example.ru", username="olga", display_name="Ольга")
    client.force_login(member)

    social_login(client, "vk", process="connect")

    member.refresh_from_db()
    assert member.display_name == "Ольга"
    assert member.avatar_url == "https://sun1.userapi.com/impg/ivan.jpg"


def test_several_providers_can_be_connected_to_one_account(client):
    member = make_member(email="olga@example.ru", username="olga")
    client.force_login(member)

    for provider_id in ("vk", "yandex", "google"):
        social_login(client, provider_id, process="connect")

    assert sorted(member.socialaccount_set.values_list("provider", flat=True)) == [
        "google",
        "vk",
        "yandex",
    ]


def test_a_provider_account_of_someone_else_cannot_be_connected(client):
    social_login(client, "vk")
    complete_social_signup(client, consent="on")
    client.post(reverse("account_logout"))
    other = make_member(email="olga@example.ru", username="olga")
    client.force_login(other)

    response = social_login(client, "vk", process="connect")

    assert response.status_code == 302
    assert SocialAccount.objects.get(provider="vk").user != other
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages


def test_a_member_with_a_password_disconnects_a_provider(client):
    member = make_member(email="olga@example.ru", username="olga")
    client.force_login(member)
    social_login(client, "vk", process="connect")
    account = SocialAccount.objects.get(user=member)

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 302
    assert not SocialAccount.objects.filter(user=member).exists()


def test_the_only_way_to_sign_in_cannot_be_disconnected(client):
    telegram_login(client)
    complete_social_signup(client, consent="on")
    account = SocialAccount.objects.get()

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_another_members_connection_cannot_be_disconnected(client):
    telegram_login(client)
    complete_social_signup(client, consent="on")
    account = SocialAccount.objects.get()
    client.post(reverse("account_logout"))
    client.force_login(make_member(email="olga@example.ru", username="olga"))

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 200
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_the_connections_page_needs_a_signed_in_member(client):
    response = client.get(reverse("socialaccount_connections"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_connections_page_costs_the_same_queries_for_one_or_five_providers(
    client, django_assert_max_num_queries
):
    member = make_member(email="olga@example.ru", username="olga")
    client.force_login(member)
    social_login(client, "vk", process="connect")
    client.get(reverse("socialaccount_connections"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("socialaccount_connections"))
    queries_for_one = len(one.captured_queries)
    for provider_id in ("yandex", "google", "mailru", "telegram"):
        social_login(client, provider_id, process="connect")
    client.get(reverse("socialaccount_connections"))  # shows and clears "connected" messages

    with django_assert_max_num_queries(queries_for_one):
        response = client.get(reverse("socialaccount_connections"))

    assert html_of(response).count('name="account"') == 5


# Which providers are offered.


def test_the_sign_in_page_offers_only_configured_providers_in_the_customers_order(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        key: {**value, "APPS": []} for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()
    }
    configure_providers(settings, "google", "vk")

    html = html_of(client.get(reverse("account_login")))

    assert "/accounts/vk/login/" in html and "/accounts/google/login/" in html
    assert html.index("/accounts/vk/login/") < html.index("/accounts/google/login/")
    for missing in ("yandex", "telegram", "mailru"):
        assert f"/accounts/{missing}/login/" not in html


def test_without_any_keys_no_provider_is_offered_and_its_login_url_is_dead(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        key: {**value, "APPS": []} for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()
    }

    html = html_of(client.get(reverse("account_login")))

    assert "provider-list" not in html
    assert client.post(reverse("vk_login")).status_code == 404


def test_a_provider_added_in_the_admin_is_offered(client, settings):
    from allauth.socialaccount.models import SocialApp

    settings.SOCIALACCOUNT_PROVIDERS = {
        key: {**value, "APPS": []} for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()
    }
    SocialApp.objects.create(provider="yandex", name="Yandex", client_id="id", secret="s")

    html = html_of(client.get(reverse("account_login")))

    assert "/accounts/yandex/login/" in html


def test_sign_in_pages_allow_the_configured_providers_in_form_action_only(client, settings):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]

    assert "form-action 'self' " in policy
    assert "https://id.vk.ru" in policy and "https://oauth.telegram.org" in policy
    assert "script-src 'self';" in policy
    # Other pages keep the site-wide policy.
    assert "https://" not in client.get("/")["Content-Security-Policy"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        key: {**value, "APPS": []} for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()
    }
    assert "https://" not in client.get(reverse("account_login"))["Content-Security-Policy"]
