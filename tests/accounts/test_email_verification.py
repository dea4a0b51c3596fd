"""The e-mail journey through the locmem backend: sign up, get a code, confirm, sign out, sign in;
password reset; adding an address."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import code_from_mail, last_mail_to, make_member, signed_in_user

pytestmark = pytest.mark.django_db

PASSWORD = "Vmeste-2025-pass"


def _sign_up(client, email="olga@example.ru", username="olga"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )


def test_sign_up_verify_by_code_sign_out_and_sign_in_again(client):
    response = _sign_up(client)

    # Not signed in yet: the account waits for the code sent to the address.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user(client) is None
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "olga@example.ru" in page.content.decode()
    message = last_mail_to("olga@example.ru")

    response = client.post(
        reverse("account_email_verification_sent"), {"code": code_from_mail(message)}
    )

    assert response.status_code == 302
    user = User.objects.get(username="olga")
    assert signed_in_user(client) == user
    assert EmailAddress.objects.get(user=user).verified

    client.post(reverse("account_logout"))
    assert signed_in_user(client) is None

    response = client.post(
        reverse("account_login"), {"login": "olga@example.ru", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_a_wrong_code_is_refused_and_the_account_stays_unverified(client):
    _sign_up(client)

    response = client.post(reverse("account_email_verification_sent"), {"code": "ZZZZZZ"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user(client) is None
    assert not EmailAddress.objects.get(email="olga@example.ru").verified


def test_an_unverified_account_cannot_sign_in_and_gets_a_fresh_code(client):
    _sign_up(client)
    client.cookies.clear()
    mail.outbox.clear()
    # Some time later: one code per address per 10 seconds is all the rate limit allows.
    cache.clear()

    response = client.post(reverse("account_login"), {"login": "olga", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user(client) is None
    code = code_from_mail(last_mail_to("olga@example.ru"))
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert signed_in_user(client) == User.objects.get(username="olga")


def test_the_code_page_needs_no_javascript_and_offers_a_new_code_and_another_address(client):
    _sign_up(client)

    html = client.get(reverse("account_email_verification_sent")).content.decode()

    assert 'form="resend"' in html and 'id="resend"' in html
    assert 'name="action" value="change"' in html
    assert "<script" not in html.split("</header>")[1]


def test_password_reset_through_the_link_in_the_mail(client):
    make_member(email="olga@example.ru", username="olga", password="old-Passw0rd-x")

    response = client.post(reverse("account_reset_password"), {"email": "olga@example.ru"})

    assert response.status_code == 302
    link = re.search(r"https?://\S+/password/reset/key/\S+", last_mail_to("olga@example.ru").body)
    assert link
    path = link.group(0).split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    response = client.post(action, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(username="olga").check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing_useful(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.ru"})

    assert response.status_code == 302
    assert all("password/reset/key" not in message.body for message in mail.outbox)


def test_a_member_adds_a_second_address_after_entering_its_code(client):
    user = make_member(email="olga@example.ru", username="olga")
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "olga@work.ru"})

    assert response.status_code == 302
    # Not stored until the code from the new address is entered.
    assert not EmailAddress.objects.filter(email="olga@work.ru").exists()
    code = code_from_mail(last_mail_to("olga@work.ru"))
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert EmailAddress.objects.get(email="olga@work.ru").verified


def test_the_email_page_lists_addresses_in_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    user = make_member(email="olga@example.ru", username="olga")
    client.force_login(user)
    client.get(reverse("account_email"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("account_email"))
    queries_for_one = len(few.captured_queries)
    for n in range(4):
        EmailAddress.objects.create(user=user, email=f"olga{n}@example.ru", verified=True)

    with django_assert_max_num_queries(queries_for_one):
        response = client.get(reverse("account_email"))

    assert response.content.decode().count('name="email" value=') == 5
