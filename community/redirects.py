"""Where a form may send the visitor back to: only somewhere on this site."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site_url(request: HttpRequest, url: str) -> str:
    """`url` if it points into this site (over HTTPS when the request is), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
