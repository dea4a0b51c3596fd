"""The personal-data consent (152-FZ): the service that records it, the guard in the adapter, and
the document page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from accounts.adapters import AccountAdapter
from accounts.consent import (
    PERSONAL_DATA_VERSION,
    consent_is_current,
    consent_record,
)
from accounts.forms import SignupForm
from accounts.models import Consent, ConsentDocument, User
from tests.conftest import make_user
from tests.pages import html_of

pytestmark = pytest.mark.django_db

AT = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)


def test_a_consent_is_recorded_with_its_version_and_time():
    user = make_user()

    consent = consent_record(user=user, version="1.0", at=AT)

    assert (consent.user, consent.document, consent.version) == (
        user,
        ConsentDocument.PERSONAL_DATA,
        "1.0",
    )
    assert consent.accepted_at == AT
    assert consent.withdrawn_at is None


def test_accepting_the_same_version_again_keeps_the_original_time():
    user = make_user()
    first = consent_record(user=user, version="1.0", at=AT)

    again = consent_record(user=user, version="1.0", at=AT + timedelta(days=3))

    assert again == first
    assert Consent.objects.get().accepted_at == AT


def test_a_new_version_is_a_new_consent_and_the_old_one_stays_on_record():
    user = make_user()
    consent_record(user=user, version="1.0", at=AT)

    consent_record(user=user, version="2.0", at=AT + timedelta(days=30))

    assert list(Consent.objects.filter(user=user).values_list("version", flat=True)) == [
        "2.0",
        "1.0",
    ]


def test_after_a_withdrawal_accepting_again_is_a_new_fact():
    user = make_user()
    consent = consent_record(user=user, version="1.0", at=AT)
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=AT + timedelta(days=1))

    renewed = consent_record(user=user, version="1.0", at=AT + timedelta(days=2))

    assert renewed.pk != consent.pk
    assert Consent.objects.filter(user=user).count() == 2


def test_a_consent_must_name_its_version():
    with pytest.raises(ValueError):
        consent_record(user=make_user(), version="", at=AT)


def test_only_the_current_unwithdrawn_version_counts_as_current():
    user = make_user()
    assert not consent_is_current(user)
    consent_record(user=user, version="0.9", at=AT)
    assert not consent_is_current(user)

    consent = consent_record(user=user, version=PERSONAL_DATA_VERSION, at=AT)
    assert consent_is_current(user)

    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=AT)
    assert not consent_is_current(user)


def test_the_adapter_refuses_to_save_an_account_from_a_form_without_consent():
    # A guard behind the form: any future sign-up path that forgets the box still cannot save.
    form = SignupForm(
        data={
            "email": "olga@example.ru",
            "username": "olga",
            "password1": "Vmeste-2025-pass",
            "password2": "Vmeste-2025-pass",
        }
    )
    form.is_valid()
    form.cleaned_data["consent"] = False
    request = RequestFactory().post("/accounts/signup/")

    with pytest.raises(PermissionDenied):
        AccountAdapter(request).save_user(request, User(), form)

    assert not User.objects.filter(username="olga").exists()


@pytest.mark.parametrize(
    ("language", "heading", "date"),
    [
        ("ru", "Согласие на обработку персональных данных", "1 июня 2025"),
        ("en", "Consent to the processing of personal data", "1 June 2025"),
    ],
)
def test_the_document_page_shows_the_version_in_the_page_language(client, language, heading, date):
    response = client.get(reverse("accounts:consent-personal-data"), HTTP_ACCEPT_LANGUAGE=language)
    html = html_of(response)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert PERSONAL_DATA_VERSION in html
    assert date in html
    assert "152-" in html


def test_the_document_names_the_operator_the_purposes_the_data_and_how_to_withdraw(client):
    html = html_of(client.get(reverse("accounts:consent-personal-data"), HTTP_ACCEPT_LANGUAGE="ru"))

    for section in ("Оператор", "Цели обработки", "Перечень персональных данных", "отозвать"):
        assert section in html
    assert "Банк Вместе" in html
