"""Issue 3 tried as a new customer would, through the real pages: sign up by e-mail, confirm,
change the profile, connect VK (its servers mocked at the boundary), download the archive, delete
the account, and see the thread signed «Удалённый пользователь» with nothing personal left."""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from community.models import Topic
from tests.accounts.conftest import code_from_mail, configure_providers, last_mail_to, oauth2_login
from tests.accounts.profile_helpers import image_bytes, media_root, stored_files
from tests.conftest import make_topic
from tests.pages import html_of, in_russian

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

PASSWORD = "Vmeste-2025-pass"


def test_a_customer_joins_edits_connects_downloads_and_leaves(
    client, settings, media_root, django_capture_on_commit_callbacks
):
    configure_providers(settings, "vk")
    question = make_topic(title="Как подключить СБП в приложении?")

    # Sign up with the consent, confirm the address with the code from the e-mail.
    client.post(
        reverse("account_signup"),
        {
            "email": "olga@example.ru",
            "username": "olga",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )
    code = code_from_mail(last_mail_to("olga@example.ru"))
    client.post(reverse("account_email_verification_sent"), {"code": code})
    olga = User.objects.get(username="olga")
    assert client.session["_auth_user_id"] == str(olga.pk)

    # Change the profile, with a picture.
    response = client.post(
        "/settings/",
        {
            "display_name": "Ольга Новикова",
            "about": "Пользуюсь СБП каждый день.",
            "language": "ru",
            "email_on_official_answer": "on",
            "avatar": SimpleUploadedFile("me.jpg", image_bytes("JPEG", size=(640, 480))),
        },
    )
    assert response.status_code == 302
    olga.refresh_from_db()
    assert olga.display_name == "Ольга Новикова" and olga.avatar

    # Connect VK to the same account.
    oauth2_login(client, "vk", process="connect")
    assert SocialAccount.objects.get(user=olga).provider == "vk"

    # Take part: a reply in someone's thread.
    client.post(f"/t/{question.pk}/reply/", {"body": "Настройки → СБП → Подключить."})

    # Download the archive.
    archive = json.loads(client.post("/settings/data/").content)
    assert archive["profile"]["display_name"] == "Ольга Новикова"
    assert [row["email"] for row in archive["email_addresses"]] == ["olga@example.ru"]
    assert [row["provider"] for row in archive["connected_accounts"]] == ["vk"]
    assert [row["body"] for row in archive["replies"]] == ["Настройки → СБП → Подключить."]
    assert [row["document"] for row in archive["consents"]] == ["personal_data"]

    # Delete the account.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/delete/", {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    # The reply stays, signed «Удалённый пользователь»; nothing personal is left anywhere.
    visitor = Client()
    thread = html_of(visitor.get(Topic.objects.get(pk=question.pk).get_absolute_url()))
    assert "Настройки → СБП → Подключить." in thread
    assert in_russian("Deleted user") in thread
    row = json.dumps(User.objects.filter(pk=olga.pk).values().get(), default=str)
    for personal in ["olga", "Ольга", "Новикова", "example.ru", "СБП каждый"]:
        assert personal not in row and personal not in thread.replace(question.title, "")
    assert not SocialAccount.objects.exists()
    assert stored_files(media_root) == []
    # And the old password opens nothing.
    client.post(reverse("account_login"), {"login": "olga@example.ru", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
