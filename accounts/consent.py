"""Consent to personal-data processing (152-FZ, art. 9): separate from any other terms, given by
an explicit act (an unchecked box), and provable: we keep which text the member accepted and when.

The document text lives in templates/accounts/consent_personal_data.html. When the text changes,
raise PERSONAL_DATA_VERSION and date it, so every stored consent still names the exact text its
member agreed to."""

from datetime import date, datetime

from django.db import transaction

from accounts.models import Consent, ConsentDocument, User

PERSONAL_DATA_VERSION = "1.0"
PERSONAL_DATA_EFFECTIVE = date(2025, 6, 1)


@transaction.atomic
def consent_record(
    *,
    user: User,
    version: str,
    at: datetime,
    document: str = ConsentDocument.PERSONAL_DATA,
) -> Consent:
    """Record that `user` accepted `version` of `document` at `at`. Accepting the version they
    already hold (and have not withdrawn) changes nothing and returns the existing row, so a
    repeated submit cannot rewrite the time of the original consent."""
    if not version:
        raise ValueError("A consent must name the document version.")
    existing = (
        Consent.objects.select_for_update()
        .filter(user=user, document=document, version=version, withdrawn_at__isnull=True)
        .first()
    )
    if existing:
        return existing
    return Consent.objects.create(user=user, document=document, version=version, accepted_at=at)


def consent_is_current(user: User, *, document: str = ConsentDocument.PERSONAL_DATA) -> bool:
    """Has the member accepted the current version of the document and not withdrawn it?"""
    return Consent.objects.filter(
        user=user, document=document, version=PERSONAL_DATA_VERSION, withdrawn_at__isnull=True
    ).exists()
