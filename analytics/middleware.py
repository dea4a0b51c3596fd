"""Records page views (analytics/pageviews.py) after the page is rendered: at most one INSERT
per request, and none for what is not a person reading a page."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from analytics import pageviews
from analytics.models import PageKind
from community.models import Event, EventKind

logger = logging.getLogger(__name__)

# Posting a topic or a reply: a visit that did this was not self-service.
CONTRIBUTION_VIEWS = {"community:topic-create", "community:reply-create"}


class PageViewMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = timezone.now()
        response = self.get_response(request)
        if settings.ANALYTICS_PAGE_VIEWS:
            try:
                self.track(request, response, started=started)
            except DatabaseError:
                # Counting a view must never cost the visitor the page.
                logger.exception("page view not recorded")
        return response

    def track(self, request: HttpRequest, response: HttpResponse, *, started) -> None:
        if not self.is_person_on_page(request):
            return
        if request.method == "GET" and self.is_html_page(request, response):
            kind, object_id = pageviews.page_kind(request.resolver_match)
            pageviews.record(request, kind=kind, object_id=object_id, at=started)
        elif request.method == "POST" and self.posted_something(request, response, started):
            pageviews.record(request, kind=PageKind.CONTRIBUTION, object_id=None, at=started)

    @staticmethod
    def is_person_on_page(request: HttpRequest) -> bool:
        return (
            not request.path.startswith(pageviews.UNTRACKED_PREFIXES)
            # htmx partials are parts of a page already counted.
            and request.headers.get("HX-Request") != "true"
            # Prefetches and prerenders may never be seen.
            and "prefetch" not in request.headers.get("Sec-Purpose", "")
            and request.headers.get("Purpose") != "prefetch"
            and not pageviews.is_bot(request.headers.get("User-Agent", ""))
            and pageviews.is_tracked_visitor(request)
        )

    @staticmethod
    def is_html_page(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        )

    @staticmethod
    def posted_something(request: HttpRequest, response: HttpResponse, started) -> bool:
        match = request.resolver_match
        if match is None or match.view_name not in CONTRIBUTION_VIEWS:
            return False
        if response.status_code >= 400 or not request.user.is_authenticated:
            return False
        # The form may have been refused (errors are shown with status 200): ask the events.
        return Event.objects.filter(
            actor=request.user,
            kind__in=[EventKind.TOPIC_CREATED, EventKind.REPLY_CREATED],
            created_at__gte=started,
        ).exists()
