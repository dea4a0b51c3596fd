"""The search page and the click-through that records a successful search."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from community.models import Topic
from community.pagination import page_number
from knowledge_base.models import Article, ArticleStatus
from search import engine
from search.forms import SearchForm
from search.models import IndexedType, SearchQuery, SearchSource
from search.query_log import log_query

RESULTS_PER_PAGE = 20


def _rate(setting: str):
    """Read per request, so operators can change the rate in the environment."""
    return lambda group, request: getattr(settings, setting)


def _click_key(query_id: int) -> str:
    # Links carry a keyed hash of the query id, so nobody can mark other people's searches
    # successful by walking through ids.
    return salted_hmac("search.open", str(query_id)).hexdigest()[:16]


def _open_url(query_id: int | None, hit: engine.Hit) -> str:
    if query_id is None:
        return hit.url
    path = reverse(
        "search:open",
        kwargs={"query_id": query_id, "object_type": hit.type, "object_id": hit.id},
    )
    return f"{path}?k={_click_key(query_id)}"


def _query_of_this_search(request: HttpRequest, text: str, results, page: int) -> int | None:
    """The logged SearchQuery: created for the first page, carried by the page links after."""
    if page == 1:
        return log_query(
            request, text=text, source=SearchSource.PAGE, result_count=results.matched
        ).pk
    query_id = request.GET.get("qid", "")
    if query_id.isdigit() and constant_time_compare(request.GET.get("k", ""), _click_key(query_id)):
        return int(query_id)
    return None


@require_safe
@ratelimit(key="user_or_ip", rate=_rate("RATE_LIMIT_SEARCH"), method="GET", block=False)
def search_results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    ctx: dict[str, object] = {"form": form, "results": None, "rows": []}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        text = form.cleaned_data["q"].strip()
        page = page_number(request.GET.get("page"))
        if getattr(request, "limited", False):
            ctx["rate_limited"] = True
            return render(request, "search/search_results.html", ctx, status=429)
        results = engine.search(text, page=page, per_page=RESULTS_PER_PAGE, **form.filters())
        if page > 1 and not results.hits:
            raise Http404
        query_id = _query_of_this_search(request, text, results, page)
        base = request.GET.copy()
        for name in ("page", "qid", "k"):
            base.pop(name, None)
        if query_id is not None:
            base["qid"] = str(query_id)
            base["k"] = _click_key(query_id)
        ctx.update(
            text=text,
            results=results,
            rows=[(hit, _open_url(query_id, hit)) for hit in results.hits],
            page_query=base.urlencode(),
        )
    template = (
        "search/partials/search_hits.html"
        if request.headers.get("HX-Request") == "true"
        else "search/search_results.html"
    )
    return render(request, template, ctx)


def _object_url(request: HttpRequest, object_type: str, object_id: int) -> str:
    """The object's own page, if this visitor may see it; 404 otherwise. Never a URL from the
    request: the click-through must not be an open redirect."""
    if object_type == IndexedType.TOPIC:
        topic = Topic.objects.visible_to(request.user).filter(pk=object_id).first()
        if topic is not None:
            return topic.get_absolute_url()
    elif object_type == IndexedType.ARTICLE:
        article = Article.objects.filter(pk=object_id, status=ArticleStatus.PUBLISHED).first()
        if article is not None:
            return engine.object_url(IndexedType.ARTICLE, article.pk, article.slug)
    raise Http404


@require_safe
def search_open(
    request: HttpRequest, query_id: int, object_type: str, object_id: int
) -> HttpResponse:
    """A result opened from the search page: the search was successful (first click only)."""
    target = _object_url(request, object_type, object_id)
    if constant_time_compare(request.GET.get("k", ""), _click_key(query_id)):
        SearchQuery.objects.filter(pk=query_id, clicked_at__isnull=True).update(
            clicked_at=timezone.now()
        )
    return HttpResponseRedirect(target)
