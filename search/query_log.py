"""The query log the analytics app reads: searches performed, zero-result and successful ones."""

from django.http import HttpRequest
from django.utils import timezone

from knowledge_base.services import visitor_key
from search.models import SearchQuery


def _visitor_key_of(request: HttpRequest) -> str:
    # Only an existing session: a search must not create one (and a cookie) by itself.
    user = request.user if request.user.is_authenticated else None
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is None and not session_key:
        return ""
    return visitor_key(user=user, session_key=session_key)


def log_query(request: HttpRequest, *, text: str, source: str, result_count: int) -> SearchQuery:
    return SearchQuery.objects.create(
        text=text[: SearchQuery._meta.get_field("text").max_length],
        source=source,
        result_count=result_count,
        user=request.user if request.user.is_authenticated else None,
        visitor_key=_visitor_key_of(request),
        created_at=timezone.now(),
    )
