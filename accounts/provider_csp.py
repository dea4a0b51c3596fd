"""The sign-in pages' Content-Security-Policy: the site-wide policy, plus the configured sign-in
providers in `form-action`."""

from collections.abc import Callable

from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.adapters import PROVIDER_FORM_ACTION_ORIGINS
from config.middleware import CONTENT_SECURITY_POLICY


class SignInFormActionMiddleware:
    """Lets the sign-in pages' "Continue with VK/Yandex/…" buttons reach the provider.

    A button posts to our own /accounts/<provider>/login/ (a POST, so another site cannot start a
    sign-in for the visitor), which redirects to the provider. Browsers check `form-action`
    against every hop of that redirect, so under the site-wide `form-action 'self'` the button
    would do nothing. Pages under /accounts/ therefore also allow the origins of the providers
    that are actually configured, and only those; every other page and every other directive
    keep the site-wide policy. Sits inside ContentSecurityPolicyMiddleware, which leaves a policy
    that is already set alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._prefix is None:
            # "/accounts/" unless config/urls.py mounts allauth elsewhere.
            self._prefix = reverse("account_login").rsplit("login/", 1)[0]
        if (
            request.path.startswith(self._prefix)
            and response.get("Content-Type", "").startswith("text/html")
            and "Content-Security-Policy" not in response
        ):
            origins = provider_form_action_origins(request)
            if origins:
                response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                    "form-action 'self'", " ".join(["form-action 'self'", *origins])
                )
        return response


def provider_form_action_origins(request: HttpRequest) -> list[str]:
    """The origins of the configured providers (settings or admin), in a stable order."""
    configured = {provider.id for provider in get_adapter().list_providers(request)}
    origins: list[str] = []
    for provider_id in sorted(configured):
        for origin in PROVIDER_FORM_ACTION_ORIGINS.get(provider_id, []):
            if origin not in origins:
                origins.append(origin)
    return origins
