from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Set in the session once the member's language has been applied, so that the footer's
# language switch still works for the rest of the session.
LANGUAGE_APPLIED_KEY = "accounts_language_applied"


class MemberLanguageMiddleware:
    """The language a member chose on the settings page follows them to every browser they
    sign in on: the first request of each signed-in session switches to it and sets the same
    cookie as Django's language switch. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = None
        if (
            user is not None
            and user.is_authenticated
            and user.language
            and request.session.get(LANGUAGE_APPLIED_KEY) != user.pk
        ):
            request.session[LANGUAGE_APPLIED_KEY] = user.pk
            if user.language != translation.get_language():
                language = user.language
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            remember_language(response, language)
        return response


def remember_language(response: HttpResponse, language: str) -> None:
    """The same cookie Django's set_language view writes, so the footer switch, the settings
    page and this middleware agree about the language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
