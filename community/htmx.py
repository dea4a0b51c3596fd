"""What every view needs to know about htmx and its rate limits, in one place."""

from django.conf import settings
from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """An htmx swap. A history restore (the back button after a pushed URL) wants the whole
    page, like a normal request."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def rate_setting(setting: str):
    """A django-ratelimit rate read per request, so operators can change it in the environment."""
    return lambda group, request: getattr(settings, setting)
