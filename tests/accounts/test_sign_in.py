"""Password sign-in through django-allauth, and its rate limit on failed attempts."""

import pytest

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
