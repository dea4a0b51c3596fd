from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from community.redirects import same_site_url

# Everything a page needs is served by the site itself: no CDN, fonts or trackers, and no inline
# script, so the policy can stay this strict.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The admin ships inline scripts of its own; leave its pages to Django's defaults.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired is redirected to the sign-in page by
    `login_required`. The browser would follow that redirect inside the XHR and htmx would swap
    the whole sign-in page into a vote button; answer with HX-Redirect instead, so the browser
    goes to the sign-in page and comes back to the page the visitor was on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            redirected = HttpResponse(status=204)
            redirected["HX-Redirect"] = _login_url_back_to_page(request) or response["Location"]
            return redirected
        return response


def _login_url_back_to_page(request: HttpRequest) -> str:
    """The sign-in URL that returns to the page the htmx request came from (HX-Current-URL),
    rather than to the endpoint it posted to, which has nothing to show on a GET."""
    page = urlsplit(same_site_url(request, request.headers.get("HX-Current-URL", "")))
    if not page.path:
        return ""
    return redirect_to_login(page.path + (f"?{page.query}" if page.query else ""))["Location"]
