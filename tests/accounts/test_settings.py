"""The settings page: profile, avatar, notifications and language; nothing typed is lost on an
error; the chosen language follows the member to every sign-in."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from tests.accounts.profile_helpers import image_bytes, media_root, stored_files
from tests.conftest import make_user
from tests.pages import html_of, login_next

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

VALID = {
    "display_name": "Иван Петрович",
    "about": "Пользуюсь картой «Мир».",
    "language": "",
    "email_on_official_answer": "on",
    "email_on_reply": "on",
}


def _header_name(response) -> str:
    return re.search(r'class="account-name">([^<]*)</a>', html_of(response)).group(1)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/settings/")

    assert response.status_code == 302
    assert login_next(response) == "/settings/"


def test_the_page_shows_current_values_and_the_sign_in_pages(customer_client, customer):
    response = customer_client.get("/settings/")

    html = html_of(response)
    assert response.status_code == 200
    assert 'value="Иван Петров"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    for url in ["/accounts/email/", "/accounts/3rdparty/", "/accounts/password/change/"]:
        assert f'href="{url}"' in html
    assert 'action="/settings/data/"' in html
    assert 'href="/settings/delete/"' in html


def test_a_member_without_a_password_is_offered_to_set_one(client):
    user = make_user()
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    html = html_of(client.get("/settings/"))

    assert 'href="/accounts/password/set/"' in html
    assert 'href="/accounts/password/change/"' not in html


def test_saving_updates_the_profile_and_notifications(customer_client, customer):
    response = customer_client.post("/settings/", VALID)

    assert response.status_code == 302 and response["Location"] == "/settings/"
    customer.refresh_from_db()
    assert customer.display_name == "Иван Петрович"
    assert customer.about == "Пользуюсь картой «Мир»."
    assert customer.email_on_official_answer and customer.email_on_reply
    assert not customer.email_on_status_change


def test_choosing_a_language_switches_the_site_and_remembers_it(customer_client, customer):
    response = customer_client.post("/settings/", {**VALID, "language": "en"})

    customer.refresh_from_db()
    assert customer.language == "en"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in html_of(customer_client.get("/settings/"))


def test_errors_keep_everything_typed_and_save_nothing(customer_client, customer):
    typed = {**VALID, "display_name": "Я" * 81, "about": "Новый текст о себе"}

    response = customer_client.post("/settings/", typed)

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    html = html_of(response)
    assert "Я" * 81 in html and "Новый текст о себе" in html
    customer.refresh_from_db()
    assert customer.display_name == "Иван Петров" and customer.about == ""
    assert _header_name(response) == "Иван Петров"


def test_a_picture_is_uploaded_resized_and_shown(customer_client, customer, media_root):
    upload = SimpleUploadedFile("me.png", image_bytes("PNG", size=(800, 600)), "image/png")

    customer_client.post("/settings/", {**VALID, "avatar": upload})

    customer.refresh_from_db()
    assert stored_files(media_root) == [customer.avatar.name]
    with Image.open(customer.avatar.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (256, 256))
    assert f'src="/media/{customer.avatar.name}"' in html_of(customer_client.get("/u/ivan/"))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", image_bytes("GIF"), "image/jpeg"),
        ("photo.png", b"<svg onload=alert(1)>", "image/png"),
        ("photo.webp", b"MZ\x90\x00 an executable", "image/webp"),
    ],
)
def test_a_file_that_is_not_really_a_picture_is_refused_beside_the_field(
    customer_client, customer, media_root, name, content, content_type
):
    upload = SimpleUploadedFile(name, content, content_type)

    response = customer_client.post(
        "/settings/", {**VALID, "display_name": "Новое имя", "avatar": upload}
    )

    assert response.status_code == 200
    assert "avatar" in response.context["form"].errors
    assert 'value="Новое имя"' in html_of(response)
    customer.refresh_from_db()
    assert customer.display_name == "Иван Петров" and not customer.avatar
    assert stored_files(media_root) == []


def test_a_picture_over_the_size_cap_is_refused(customer_client, settings, media_root):
    settings.AVATAR_MAX_BYTES = 50_000
    big = SimpleUploadedFile("big.png", image_bytes("PNG", size=(600, 600), compress_level=0))

    response = customer_client.post("/settings/", {**VALID, "avatar": big})

    assert "avatar" in response.context["form"].errors
    assert stored_files(media_root) == []


def test_the_picture_can_be_removed(
    customer_client, customer, media_root, django_capture_on_commit_callbacks
):
    customer_client.post(
        "/settings/", {**VALID, "avatar": SimpleUploadedFile("a.png", image_bytes())}
    )
    assert 'name="remove_avatar"' in html_of(customer_client.get("/settings/"))

    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post("/settings/", {**VALID, "remove_avatar": "on"})

    customer.refresh_from_db()
    assert not customer.avatar
    assert stored_files(media_root) == []


def test_saving_too_often_is_refused_with_the_form_kept(customer_client, customer, settings):
    settings.RATE_LIMIT_PROFILE = "2/10m"
    for _ in range(2):
        customer_client.post("/settings/", VALID)

    response = customer_client.post("/settings/", {**VALID, "display_name": "Третий раз"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="Третий раз"' in html_of(response)
    customer.refresh_from_db()
    assert customer.display_name == "Иван Петрович"


def test_saving_needs_a_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    assert client.post("/settings/", VALID).status_code == 403


def test_the_settings_page_costs_the_same_queries_with_or_without_a_picture(
    customer_client, customer, media_root, django_assert_max_num_queries
):
    # Session, user; nothing else: the form is built from the user already loaded.
    with django_assert_max_num_queries(2):
        customer_client.get("/settings/")
    customer_client.post(
        "/settings/", {**VALID, "avatar": SimpleUploadedFile("a.png", image_bytes())}
    )
    with django_assert_max_num_queries(2):
        customer_client.get("/settings/")


# The language at sign-in ------------------------------------------------------------------------


def test_the_members_language_applies_when_they_sign_in_on_a_new_browser():
    member = make_user(language="en")
    browser = Client()
    browser.force_login(member)

    response = browser.get("/")

    assert '<html lang="en">' in html_of(response)
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_footer_switch_still_works_after_sign_in():
    member = make_user(language="en")
    browser = Client()
    browser.force_login(member)
    browser.get("/")

    browser.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    assert '<html lang="ru">' in html_of(browser.get("/"))
    assert User.objects.get(pk=member.pk).language == "en"


def test_without_a_chosen_language_the_site_default_stays(customer_client):
    response = customer_client.get("/")

    assert '<html lang="ru">' in html_of(response)
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_card_number_in_about_is_masked_and_the_member_told(customer_client, customer):
    customer_client.post("/settings/", {**VALID, "about": "Моя карта 4111 1111 1111 1111"})

    customer.refresh_from_db()
    assert "4111 1111 1111 1111" not in customer.about
    page = customer_client.get("/settings/")
    assert [m.level_tag for m in page.context["messages"]] == ["success", "warning"]


def test_a_good_picture_sent_with_a_bad_field_is_asked_for_again(customer_client, media_root):
    upload = SimpleUploadedFile("me.png", image_bytes())

    response = customer_client.post(
        "/settings/", {**VALID, "display_name": "Я" * 81, "avatar": upload}
    )

    errors = response.context["form"].errors
    assert "display_name" in errors and "avatar" in errors
    assert stored_files(media_root) == []
