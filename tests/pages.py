"""Reading pages in view tests: their HTML, the interface text they show, where they redirect."""

from urllib.parse import parse_qs, urlsplit

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

HTMX = {"HTTP_HX_REQUEST": "true"}


def html_of(response) -> str:
    return response.content.decode()


def in_russian(message: str) -> str:
    """What the page shows for this interface string under the default language, whether or not
    the Russian catalogue is compiled."""
    with translation.override("ru"):
        return escape(gettext(message))


def login_next(response) -> str:
    """The `next` of a redirect to the sign-in page (and that it is one)."""
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    return parse_qs(location.query)["next"][0]
