"""Smart search while typing: suggestions under the ask box and the new-topic title, the
"find similar" step for browsers without JavaScript, opening a suggestion and "Это ответ на мой
вопрос". Every request is tied to the visitor (see `visitor_of`); the writes are in
search/attempts.py."""

import secrets
from urllib.parse import urlencode

import bleach
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from community.htmx import is_htmx, rate_setting
from community.models import Topic, TopicKind
from knowledge_base.models import Article, ArticleStatus
from search import attempts, engine
from search.attempts import Visitor

SUGGESTION_LIMIT = 5
# Fewer characters than this say too little to search for ("ка" matches half the community).
MIN_TEXT_LENGTH = 3
TITLE_MAX_LENGTH = Topic._meta.get_field("title").max_length
# Where the suggestions are shown: under the home page's ask box, under the new-topic title, or
# on the "find similar" step page. Element ids in the templates end with it.
PLACES = ("ask", "form", "step")
VISITOR_SESSION_KEY = "search_visitor"


def _visitor_hash(kind: str, value: object) -> str:
    # Keyed with SECRET_KEY: the stored key cannot be turned back into a user id or a session.
    return salted_hmac("search.visitor", f"{kind}:{value}", algorithm="sha256").hexdigest()


def visitor_of(request: HttpRequest, *, create: bool = True) -> Visitor:
    """The visitor behind this request. Signed-in members are known by their user id, anyone
    else by a random token kept in their session (created on their first search, with
    `create`). The token outlives signing in (Django keeps session data when an anonymous
    session signs in), so an attempt started anonymously still belongs to the member who signs in
    to post it. Not the session key itself: it changes at sign-in."""
    token = request.session.get(VISITOR_SESSION_KEY)
    if not token and create and not request.user.is_authenticated:
        token = secrets.token_urlsafe(18)
        request.session[VISITOR_SESSION_KEY] = token
    session_key = _visitor_hash("session", token) if token else ""
    if request.user.is_authenticated:
        return Visitor(
            key=_visitor_hash("user", request.user.pk),
            user=request.user,
            other_keys=(session_key,) if session_key else (),
        )
    return Visitor(key=session_key)


def _similar(text: str) -> list:
    return engine.similar(text, limit=SUGGESTION_LIMIT)[:SUGGESTION_LIMIT]


def _safe_snippet(snippet: str) -> str:
    # The engine promises escaped text with <mark> around matches; a bank checks anyway.
    return mark_safe(bleach.clean(snippet or "", tags={"mark"}, attributes={}, strip=True))


def _new_topic_url(text: str, kind: str, attempt) -> str:
    query = {"title": text, "kind": kind}
    if attempt is not None:
        query["attempt"] = attempt.pk
    return f"{reverse('community:topic-create')}?{urlencode(query)}"


def _status_text(text: str, hits: list) -> str:
    """What the screen reader announces after each pause in typing."""
    if len(text) < MIN_TEXT_LENGTH:
        return ""
    if not hits:
        return _("No similar answers found.")
    return ngettext("%(count)s similar answer", "%(count)s similar answers", len(hits)) % {
        "count": len(hits)
    }


def _suggest_ctx(place: str, text: str, hits: list, attempt) -> dict:
    return {
        "place": place,
        "text": text,
        "hits": [
            {
                "type": hit.type,
                "id": hit.id,
                "title": hit.title,
                "snippet": _safe_snippet(hit.snippet),
                "target": f"{hit.type}:{hit.id}",
            }
            for hit in hits
        ],
        "attempt": attempt,
        "status_text": _status_text(text, hits),
    }


def _record_attempt(visitor: Visitor, attempt, text: str, suggestion_count: int):
    at = timezone.now()
    if attempt is not None:
        try:
            return attempts.attempt_update(
                attempt=attempt,
                visitor=visitor,
                text=text,
                suggestion_count=suggestion_count,
                at=at,
            )
        except ValidationError:
            # It ended a moment ago in another tab: this text starts a new attempt.
            pass
    return attempts.attempt_start(
        visitor=visitor, text=text, suggestion_count=suggestion_count, at=at
    )


@require_safe
@ratelimit(key="ip", rate=rate_setting("RATE_LIMIT_SUGGEST"), method=["GET", "HEAD"], block=False)
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """Up to five answered topics and articles like the text typed so far: a partial under the
    input for htmx; without JavaScript, the "find similar" step between the ask box and the
    new-topic form."""
    place = request.GET.get("place", "ask")
    if place not in PLACES:
        place = "ask"
    text = " ".join(request.GET.get("title", "").split())[:TITLE_MAX_LENGTH]
    kind = request.GET.get("kind", "")
    if kind not in TopicKind.values:
        kind = TopicKind.QUESTION
    htmx = is_htmx(request)
    limited = getattr(request, "limited", False)

    if limited and htmx:
        return HttpResponse(_("Too many searches. Please wait a minute."), status=429)
    visitor = visitor_of(request)
    attempt = attempts.attempt_of(visitor, request.GET.get("attempt"), ongoing=True)
    if not htmx and (limited or len(text) < MIN_TEXT_LENGTH or request.GET.get("seen")):
        # Nothing to search for, or suggestions were already shown while typing: asking must
        # never be blocked by the search, so go straight to the form with the text.
        return redirect(_new_topic_url(text, kind, attempt))

    hits = _similar(text) if len(text) >= MIN_TEXT_LENGTH else []
    if len(text) >= MIN_TEXT_LENGTH:
        attempt = _record_attempt(visitor, attempt, text, len(hits))

    ctx = _suggest_ctx(place, text, hits, attempt)
    if htmx:
        return render(request, "search/partials/suggest.html", ctx | {"htmx": True})
    if not hits:
        return redirect(_new_topic_url(text, kind, attempt))
    ctx |= {"kind": kind, "new_topic_url": _new_topic_url(text, kind, attempt)}
    return render(request, "search/suggest_step.html", ctx)


def _target_url(request: HttpRequest, kind: str, pk: int) -> str:
    """The suggestion's own page, looked up here: the redirect never goes anywhere a request
    names, and never to a hidden topic or an unpublished article."""
    if kind == "topic":
        topic = Topic.objects.visible_to(request.user).only("pk", "slug").filter(pk=pk).first()
        if topic is not None:
            return topic.get_absolute_url()
    elif kind == "article":
        article = (
            Article.objects.filter(pk=pk, status=ArticleStatus.PUBLISHED).only("pk", "slug").first()
        )
        if article is not None:
            return article.get_absolute_url()
    raise Http404


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=rate_setting("RATE_LIMIT_SUGGEST"), method="POST", block=False)
def suggestion_open(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A suggestion opened: in a new tab (GET, then a redirect to its page) or in place (an
    htmx POST when its <details> opens, answered with 204)."""
    url = _target_url(request, kind, pk)
    params = request.POST if request.method == "POST" else request.GET
    visitor = visitor_of(request, create=False)
    attempt = attempts.attempt_of(visitor, params.get("attempt"))
    if attempt is not None and not getattr(request, "limited", False):
        attempts.attempt_open(
            attempt=attempt, visitor=visitor, target=f"{kind}:{pk}", at=timezone.now()
        )
    if request.method == "POST":
        return HttpResponse(status=204)
    return redirect(url)


@require_POST
@ratelimit(key="ip", rate=rate_setting("RATE_LIMIT_VOTE"), method="POST", block=False)
def attempt_deflect(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Это ответ на мой вопрос": the attempt ends without a post, and we say thank you."""
    visitor = visitor_of(request, create=False)
    attempt = attempts.attempt_of(visitor, pk)
    if attempt is None:
        # Someone else's attempt, or none at all: the same answer for both.
        raise Http404
    place = request.POST.get("place", "ask")
    if place not in PLACES:
        place = "ask"
    target = request.POST.get("target", "")
    if not attempts.TARGET_RE.match(target):
        target = ""
    error = ""
    if getattr(request, "limited", False):
        error = _("Too many requests. Please wait a minute.")
    else:
        try:
            attempts.attempt_deflect(
                attempt=attempt, visitor=visitor, target=target, at=timezone.now()
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))

    answer_url = ""
    if target:
        kind, target_pk = target.split(":")
        try:
            answer_url = _target_url(request, kind, int(target_pk))
        except Http404:
            answer_url = ""
    if is_htmx(request):
        ctx = {"place": place, "error": error, "answer_url": answer_url}
        return render(request, "search/partials/suggest_thanks.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you! We are glad the answer was already here."))
    return redirect(answer_url or reverse("community:home"))


def attempt_posted_receiver(sender, *, request: HttpRequest, topic: Topic, **kwargs) -> None:
    """community.signals.topic_posted: the customer saw suggestions and posted anyway. The new-
    topic form carries the attempt id in a hidden field; a stale or foreign id is ignored, and
    nothing here may fail the post that already happened."""
    visitor = visitor_of(request, create=False)
    attempt = attempts.attempt_of(visitor, request.POST.get("attempt"), ongoing=True)
    if attempt is None:
        return
    try:
        attempts.attempt_post(attempt=attempt, visitor=visitor, topic=topic, at=topic.created_at)
    except (ValidationError, PermissionDenied):
        # A race with "Это ответ на мой вопрос" in another tab: that ending stands.
        return
