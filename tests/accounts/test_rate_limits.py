"""Rate limits on signing up, signing in and resetting passwords, counted per client IP, and the
one notion of "client IP" behind proxies that allauth and django-ratelimit share."""

import pytest
from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django_ratelimit.core import get_usage

from accounts.adapters import client_ip
from tests.accounts.conftest import make_member
from tests.pages import html_of, in_russian

pytestmark = pytest.mark.django_db


def _request(remote_addr="10.0.0.5", **headers):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **meta)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_CLIENT_IP_HEADER = ""


def test_without_trusted_proxies_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_CLIENT_IP_HEADER = ""

    assert client_ip(_request(x_forwarded_for="1.2.3.4", x_real_ip="5.6.7.8")) == "10.0.0.5"


def test_behind_one_proxy_the_address_it_appended_is_the_client(behind_one_proxy):
    # The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
    request = _request(x_forwarded_for="6.6.6.6, 203.0.113.7")

    assert client_ip(request) == "203.0.113.7"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_CLIENT_IP_HEADER = ""

    assert client_ip(_request(x_forwarded_for="6.6.6.6, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"


def test_a_trusted_client_ip_header_wins(settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"

    assert client_ip(_request(x_real_ip="2001:db8::1", x_forwarded_for="6.6.6.6")) == "2001:db8::1"


def test_garbage_in_the_header_falls_back_to_the_connection_address(behind_one_proxy):
    assert client_ip(_request(x_forwarded_for="<script>")) == "10.0.0.5"
    assert client_ip(_request()) == "10.0.0.5"


def test_no_address_at_all_is_refused():
    with pytest.raises(PermissionDenied):
        client_ip(_request(remote_addr=""))


def test_allauth_and_django_ratelimit_count_the_same_client(behind_one_proxy, settings):
    first = _request(x_forwarded_for="6.6.6.6, 203.0.113.7")
    spoofed = _request(x_forwarded_for="9.9.9.9, 203.0.113.7")

    assert get_adapter().get_client_ip(first) == get_adapter().get_client_ip(spoofed)
    usage = [
        get_usage(request, group="test", key="ip", rate="1/m", increment=True)
        for request in (first, spoofed)
    ]
    # django-ratelimit put both requests into one bucket: the spoofed entry changed nothing.
    assert [u["should_limit"] for u in usage] == [False, True]


def _sign_up(client, n, **extra):
    return client.post(
        reverse("account_signup"),
        {
            "email": f"member{n}@example.ru",
            "username": f"member{n}",
            "password1": "Vmeste-2025-pass",
            "password2": "Vmeste-2025-pass",
            "consent": "on",
        },
        **extra,
    )


def test_too_many_signups_from_one_address_get_the_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    assert _sign_up(client, 1).status_code == 302
    client.cookies.clear()
    assert _sign_up(client, 2).status_code == 302
    client.cookies.clear()

    response = _sign_up(client, 3)

    assert response.status_code == 429
    assert in_russian("Too many attempts") in html_of(response)
    assert not response.wsgi_request.user.is_authenticated


def test_the_429_page_is_in_english_for_english_visitors(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "0/h/ip"}

    response = _sign_up(client, 1, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "Too many attempts" in html_of(response)


def test_behind_a_proxy_each_customer_has_their_own_signup_budget(
    client, settings, behind_one_proxy
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    assert _sign_up(client, 1, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    client.cookies.clear()

    other = _sign_up(client, 2, HTTP_X_FORWARDED_FOR="198.51.100.9")
    client.cookies.clear()
    same_again = _sign_up(client, 3, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")

    assert other.status_code == 302
    assert same_again.status_code == 429


def test_password_reset_requests_for_one_address_are_limited(client):
    make_member(email="olga@example.ru", username="olga")
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "olga@example.ru"}).status_code
        for _ in range(4)
    ]

    # Three an hour per address (RATE_LIMIT_RESET_PASSWORD).
    assert statuses == [302, 302, 302, 429]


def test_failed_sign_ins_lock_the_login_for_a_while(client):
    make_member(email="olga@example.ru", username="olga", password="right-Passw0rd")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "olga", "password": "wrong"})

    response = client.post(
        reverse("account_login"), {"login": "olga", "password": "right-Passw0rd"}
    )

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    if response.status_code == 200:
        assert response.context["form"].errors
