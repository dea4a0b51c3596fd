"""Sign-up by e-mail and password: the form, its separate personal-data consent, and what is
stored. The whole sign-up → code → sign-in journey is in test_email_verification.py."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.consent import PERSONAL_DATA_VERSION
from accounts.models import Consent, ConsentDocument, User
from tests.accounts.conftest import make_member
from tests.pages import html_of

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def _signup_data(**overrides) -> dict:
    return {
        "email": "olga@example.ru",
        "username": "olga",
        "password1": "Vmeste-2025-pass",
        "password2": "Vmeste-2025-pass",
        "consent": "on",
        **overrides,
    }


def test_the_signup_page_has_a_separate_unchecked_consent_box_linking_to_the_document(client):
    response = client.get(SIGNUP)
    html = html_of(response)

    assert response.status_code == 200
    field = response.context["form"].fields["consent"]
    assert field.required and not field.initial
    assert 'type="checkbox" name="consent"' in html
    assert 'name="consent" class="consent-checkbox" required id="id_consent" checked' not in html
    assert "checked" not in html.split('name="consent"')[1].split(">")[0]
    assert f'href="{reverse("accounts:consent-personal-data")}"' in html
    # The box is described by the link to the document, for screen readers too.
    assert 'aria-describedby="id_consent_helptext"' in html


def test_without_the_consent_no_account_is_created_and_nothing_typed_is_lost(client):
    response = client.post(SIGNUP, _signup_data(consent=""))

    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not User.objects.filter(username="olga").exists()
    assert not Consent.objects.exists()
    assert mail.outbox == []
    html = html_of(response)
    assert 'value="olga@example.ru"' in html
    assert 'value="olga"' in html


def test_the_missing_consent_is_explained_in_the_page_language(client):
    with translation.override("en"):
        response = client.post(SIGNUP, _signup_data(consent=""), HTTP_ACCEPT_LANGUAGE="en")

    assert "please give your consent to the processing of your personal data" in html_of(response)


def test_a_signup_stores_the_account_its_address_and_the_consent_version_and_time(client):
    response = client.post(SIGNUP, _signup_data())

    assert response.status_code == 302
    user = User.objects.get(username="olga")
    assert user.check_password("Vmeste-2025-pass")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("olga@example.ru", True, False)
    consent = Consent.objects.get(user=user)
    assert consent.document == ConsentDocument.PERSONAL_DATA
    assert consent.version == PERSONAL_DATA_VERSION
    assert consent.withdrawn_at is None
    assert abs((consent.accepted_at - user.date_joined).total_seconds()) < 5


def test_a_weak_password_is_refused_with_the_reason(client):
    response = client.post(SIGNUP, _signup_data(password1="12345678", password2="12345678"))

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="olga").exists()


def test_a_taken_username_is_refused(client):
    make_member(email="other@example.ru", username="olga")

    response = client.post(SIGNUP, _signup_data())

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username="olga").count() == 1


def test_signing_up_with_a_taken_address_creates_nothing_and_tells_only_its_owner(client):
    # The page must not reveal which addresses have accounts: it looks like any sign-up, and the
    # owner of the address gets an e-mail saying that someone tried.
    owner = make_member(email="olga@example.ru", username="olga_owner")

    response = client.post(SIGNUP, _signup_data(username="intruder"))

    assert response.status_code == 302
    assert not User.objects.filter(username="intruder").exists()
    assert list(User.objects.filter(email="olga@example.ru")) == [owner]
    assert [message.to for message in mail.outbox] == [["olga@example.ru"]]
    assert not Consent.objects.exists()


def test_a_signed_in_member_is_sent_away_from_the_signup_page(customer_client):
    response = customer_client.get(SIGNUP)

    assert response.status_code == 302
