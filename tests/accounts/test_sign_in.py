"""Password sign-in through django-allauth, and its rate limit on failed attempts."""

import re

import pytest

from tests.accounts.conftest import make_member, social_login
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _sign_in(client, login: str, password: str):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_a_customer_signs_in_with_username_and_password(client):
    make_user(username="ivan", email="ivan@example.ru", password="s3cret-pass")

    response = _sign_in(client, "ivan", "s3cret-pass")

    assert response.status_code == 302
    assert client.get("/").context["user"].username == "ivan"


def test_a_customer_signs_in_with_email_and_password(client):
    make_user(username="ivan", email="ivan@example.ru", password="s3cret-pass")

    response = _sign_in(client, "ivan@example.ru", "s3cret-pass")

    assert response.status_code == 302


def test_a_wrong_password_is_refused_with_a_message_and_the_login_kept(client):
    make_user(username="ivan", password="s3cret-pass")

    response = _sign_in(client, "ivan", "wrong")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="ivan"' in response.content.decode()


def test_after_five_failed_attempts_even_the_right_password_is_refused_for_a_while(client):
    make_user(username="ivan", password="s3cret-pass")
    for _ in range(5):
        assert _sign_in(client, "ivan", "wrong").status_code == 200

    response = _sign_in(client, "ivan", "s3cret-pass")

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(client):
    user = make_user(username="ivan")
    client.force_login(user)

    client.get("/accounts/logout/")
    assert "_auth_user_id" in client.session

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


# Every sign-in page we show is in our layout, works under the strict policy, and is accessible.

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/consent/personal-data/",
]
MEMBER_PAGES = [
    "/accounts/email/",
    "/accounts/3rdparty/",
    "/accounts/password/change/",
    "/accounts/logout/",
]


def _check_page(response, path):
    from tests.test_security_headers import _InlineCode

    html = response.content.decode()
    assert response.status_code == 200, path
    assert 'class="site-header"' in html, path  # our layout
    assert html.count("<h1") == 1, path
    parser = _InlineCode()
    parser.feed(html)
    assert parser.problems == [], path
    # Every visible input has a label.
    for input_id in re.findall(r'<input(?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, (path, input_id)


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_sign_in_pages_use_our_layout_and_label_every_field(client, all_providers, path):
    _check_page(client.get(path), path)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_account_pages_use_our_layout_and_label_every_field(client, all_providers, path):
    user = make_member(email="ivan@example.ru", username="ivan")
    client.force_login(user)

    _check_page(client.get(path), path)


def test_the_social_signup_step_uses_our_layout(client, all_providers):
    social_login(client, "vk")

    _check_page(client.get("/accounts/3rdparty/signup/"), "social signup")


def test_the_code_page_uses_our_layout(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "olga@example.ru",
            "username": "olga",
            "password1": "Vmeste-2025-pass",
            "password2": "Vmeste-2025-pass",
            "consent": "on",
        },
    )

    _check_page(client.get("/accounts/confirm-email/"), "code page")


def test_the_login_page_is_english_for_english_visitors(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in html
    assert "Forgot your password?" in html
