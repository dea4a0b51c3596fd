"""Community pages. Each view: access-checked fetch → form → one service call → redirect, or a
partial for htmx. Services repeat every permission check, so a forged POST gets a 403 too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from accounts.models import User
from community import permissions, services
from community.filters import TopicFilter
from community.forms import ReplyForm, StatusForm, TopicEditForm, TopicForm
from community.htmx import is_htmx, rate_setting
from community.models import EventKind, Reply, Topic, TopicKind, home_lists, tab_counts
from community.pagination import Page, page_or_404, query_without_page
from community.redirects import same_site_url
from community.signals import topic_posted

TOPICS_PER_PAGE = 20
REPLIES_PER_PAGE = 50


def _safe_next(request: HttpRequest) -> str:
    """The `next` the form sent, if it points back into this site."""
    return same_site_url(request, request.POST.get("next", ""))


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(_safe_next(request) or fallback)


def _warn_if_masked(request: HttpRequest, obj: Topic | Reply) -> None:
    if labels := getattr(obj, "masked_labels", None):
        messages.warning(
            request,
            _(
                "We hid %(what)s in your text. This page is public: never publish card "
                "details or phone numbers."
            )
            % {"what": ", ".join(labels)},
        )


def _with_reply_permissions(user, replies):
    """Per-reply controls: the thread shows only buttons that will not answer 403."""
    for reply in replies:
        reply.can_vote = permissions.can_vote_reply(user, reply)
        reply.can_edit = permissions.can_edit_reply(user, reply)
    return replies


def _get_topic(request: HttpRequest, pk: int) -> Topic:
    """The topic if this user may see it; hidden topics 404 for everyone but moderators."""
    # The knowledge-base article made from the thread comes along (its link and the canonical URL
    # on the topic page), without its text.
    topics = Topic.objects.select_related("author", "category", "article").defer(
        "article__body", "article__body_html"
    )
    topic = get_object_or_404(topics, pk=pk)
    if not permissions.can_view_topic(request.user, topic):
        raise Http404
    return topic


def _get_reply(request: HttpRequest, pk: int) -> Reply:
    reply = get_object_or_404(Reply.objects.select_related("topic", "author"), pk=pk)
    if not permissions.can_view_topic(request.user, reply.topic):
        raise Http404
    return reply


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.visible_to(request.user)
    ctx = {
        "counts": tab_counts(request.user),
        "topics": topics.for_list().active()[:TOPICS_PER_PAGE],
        **home_lists(),
        "kinds": TopicKind.choices,
    }
    return render(request, "community/home.html", ctx)


@require_safe
def topic_list(request: HttpRequest, kind: str | None = None) -> HttpResponse:
    topics = Topic.objects.visible_to(request.user)
    if kind:
        topics = topics.filter(kind=kind)
    topic_filter = TopicFilter(request.GET or None, queryset=topics.for_list(), kind=kind)
    ctx = {
        "kind": kind,
        "kind_label": TopicKind(kind).label if kind else None,
        "filter": topic_filter,
        "page": page_or_404(request, topic_filter.qs, TOPICS_PER_PAGE),
        "query": query_without_page(request),
        "counts": tab_counts(request.user),
    }
    return render(request, "community/topic_list.html", ctx)


def _thread(topic: Topic, page: Page, replies) -> list[tuple[str, object]]:
    """Replies of this page interleaved with the status changes that happened between them."""
    events = topic.events.filter(kind=EventKind.STATUS_CHANGED).select_related("actor")
    if page.number > 1 and page.object_list:
        events = events.filter(created_at__gte=page.object_list[0].created_at)
    if page.has_next():
        next_first = replies.values_list("created_at", flat=True)[page.end_index()]
        events = events.filter(created_at__lt=next_first)
    items = [("reply", reply) for reply in page.object_list]
    items += [("event", event) for event in events]
    return sorted(items, key=lambda item: item[1].created_at)


@require_safe
def topic_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    topic = _get_topic(request, pk)
    if slug != topic.slug:
        url = topic.get_absolute_url()
        if request.GET:
            url += "?" + request.GET.urlencode()
        return redirect(url, permanent=True)

    Topic.objects.filter(pk=topic.pk).update(view_count=F("view_count") + 1)
    topic.view_count += 1
    replies = topic.replies.for_thread().with_helpful_vote_of(request.user)
    page = page_or_404(request, replies, REPLIES_PER_PAGE)
    user = request.user
    answers = _with_reply_permissions(
        user, list(replies.filter(Q(is_official=True) | Q(is_accepted=True)))
    )
    _with_reply_permissions(user, page.object_list)
    ctx = {
        "topic": topic,
        "has_voted": user.is_authenticated and topic.votes.filter(user=user).exists(),
        "official_answer": next((r for r in answers if r.is_official), None),
        "accepted_answer": next((r for r in answers if r.is_accepted), None),
        "page": page,
        "thread": _thread(topic, page, replies),
        "reply_form": ReplyForm(),
        **_topic_permissions(user, topic),
    }
    return render(request, "community/topic_detail.html", ctx)


def _topic_permissions(user, topic: Topic) -> dict:
    can_change_status = permissions.can_change_status(user, topic)
    return {
        "can_reply": permissions.can_reply(user, topic),
        "can_vote": permissions.can_vote_topic(user, topic),
        "can_edit": permissions.can_edit_topic(user, topic),
        "can_moderate": permissions.can_moderate_topic(user, topic),
        "can_change_status": can_change_status,
        "status_form": StatusForm(topic=topic) if can_change_status else None,
        # Per-reply rights that depend only on the user and the topic, computed once.
        "can_mark_official": permissions.can_mark_official_in(user, topic),
        "can_accept": permissions.can_accept_in(user, topic),
    }


@login_required
@ratelimit(key="user_or_ip", rate=rate_setting("RATE_LIMIT_POST_TOPIC"), method="POST", block=False)
def topic_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TopicForm(request.POST)
        if getattr(request, "limited", False):
            form.add_error(None, _("You are posting too often. Please wait a few minutes."))
        elif form.is_valid():
            try:
                topic = services.topic_create(author=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The search app ends the customer's suggestion attempt as posted.
                topic_posted.send(sender=Topic, request=request, topic=topic)
                messages.success(request, _("Your topic is published."))
                _warn_if_masked(request, topic)
                return redirect(topic)
    else:
        form = TopicForm(
            initial={
                "title": request.GET.get("title", "")[:200],
                "kind": request.GET.get("kind")
                if request.GET.get("kind") in TopicKind.values
                else TopicKind.QUESTION,
            }
        )
    # The suggestion attempt the customer typed in (a hidden field the search app reads back on
    # posting). Only digits pass: it is echoed into the page.
    attempt_id = (request.POST.get("attempt") or request.GET.get("attempt") or "")[:20]
    ctx = {
        "form": form,
        "attempt_id": attempt_id if attempt_id.isascii() and attempt_id.isdigit() else "",
    }
    return render(request, "community/topic_form.html", ctx)


@login_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get_topic(request, pk)
    if not permissions.can_edit_topic(request.user, topic):
        raise PermissionDenied(_("You cannot edit this topic."))
    if request.method == "POST":
        form = TopicEditForm(request.POST, instance=topic)
        if form.is_valid():
            services.topic_edit(topic=topic, editor=request.user, **form.cleaned_data)
            messages.success(request, _("Changes saved."))
            _warn_if_masked(request, topic)
            return redirect(topic)
    else:
        form = TopicEditForm(instance=topic)
    return render(request, "community/topic_edit.html", {"form": form, "topic": topic})


@require_POST
@login_required
@ratelimit(key="user_or_ip", rate=rate_setting("RATE_LIMIT_POST_REPLY"), method="POST", block=False)
def reply_create(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get_topic(request, pk)
    if not permissions.can_reply(request.user, topic):
        raise PermissionDenied(_("Replies to this topic are closed."))
    form = ReplyForm(request.POST)
    reply = None
    if getattr(request, "limited", False):
        form.add_error(None, _("You are posting too often. Please wait a few minutes."))
    elif form.is_valid():
        reply = services.reply_create(topic=topic, author=request.user, **form.cleaned_data)
        _with_reply_permissions(request.user, [reply])
        _warn_if_masked(request, reply)

    if is_htmx(request):
        ctx = {
            "topic": topic,
            "reply_form": ReplyForm() if reply else form,
            "new_reply": reply,
            **_topic_permissions(request.user, topic),
        }
        return render(request, "community/partials/reply_created.html", ctx)
    if reply:
        return redirect(_thread_url(reply))
    # Without JavaScript, show the form with its errors and the text the customer typed.
    return render(request, "community/reply_form_page.html", {"topic": topic, "reply_form": form})


def _thread_url(reply: Reply) -> str:
    """The thread page the reply is on, scrolled to it."""
    earlier = reply.topic.replies.filter(
        Q(created_at__lt=reply.created_at) | Q(created_at=reply.created_at, pk__lt=reply.pk)
    ).count()
    page = earlier // REPLIES_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{reply.topic.get_absolute_url()}{query}#reply-{reply.pk}"


@require_safe
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply's permanent link (Reply.get_absolute_url)."""
    return redirect(_thread_url(_get_reply(request, pk)))


@login_required
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _get_reply(request, pk)
    if not permissions.can_edit_reply(request.user, reply):
        raise PermissionDenied(_("You cannot edit this reply."))
    if request.method == "POST":
        form = ReplyForm(request.POST, instance=reply)
        if form.is_valid():
            services.reply_edit(reply=reply, editor=request.user, **form.cleaned_data)
            messages.success(request, _("Changes saved."))
            _warn_if_masked(request, reply)
            return redirect(_thread_url(reply))
    else:
        form = ReplyForm(instance=reply)
    return render(request, "community/reply_edit.html", {"form": form, "reply": reply})


@require_POST
@login_required
@ratelimit(key="user_or_ip", rate=rate_setting("RATE_LIMIT_VOTE"), method="POST", block=False)
def topic_vote(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get_topic(request, pk)
    if getattr(request, "limited", False):
        return HttpResponse(_("Too many votes. Please wait a minute."), status=429)
    has_voted = services.topic_vote_toggle(topic=topic, user=request.user)
    if is_htmx(request):
        topic.refresh_from_db(fields=["score"])
        ctx = {
            "topic": topic,
            "has_voted": has_voted,
            "can_vote": True,
            # The swapped-in form must send a later no-JavaScript vote back to this page too.
            "vote_next": _safe_next(request) or topic.get_absolute_url(),
        }
        return render(request, "community/partials/topic_vote.html", ctx)
    return _redirect_back(request, topic.get_absolute_url())


@require_POST
@login_required
@ratelimit(key="user_or_ip", rate=rate_setting("RATE_LIMIT_VOTE"), method="POST", block=False)
def reply_vote(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _get_reply(request, pk)
    if getattr(request, "limited", False):
        return HttpResponse(_("Too many votes. Please wait a minute."), status=429)
    has_voted = services.reply_vote_toggle(reply=reply, user=request.user)
    if is_htmx(request):
        reply.refresh_from_db(fields=["helpful_count"])
        reply.has_voted = has_voted
        ctx = {"reply": reply, "can_vote": True}
        return render(request, "community/partials/reply_vote.html", ctx)
    return redirect(_thread_url(reply))


@require_POST
@login_required
def topic_status(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get_topic(request, pk)
    if not permissions.can_change_status(request.user, topic):
        raise PermissionDenied(_("Only official representatives change a topic's status."))
    form = StatusForm(request.POST, topic=topic)
    if form.is_valid():
        services.topic_status_set(
            topic=topic, actor=request.user, status=form.cleaned_data["status"]
        )
        messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("This status does not apply to this kind of topic."))
    return redirect(topic)


@require_POST
@login_required
def reply_official(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _get_reply(request, pk)
    if request.POST.get("action") == "unmark":
        services.answer_unmark_official(reply=reply, actor=request.user)
        messages.success(request, _("The reply is no longer the official answer."))
    else:
        services.answer_mark_official(reply=reply, actor=request.user)
        messages.success(request, _("The reply is marked as the official answer."))
    return redirect(_thread_url(reply))


@require_POST
@login_required
def reply_accept(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _get_reply(request, pk)
    if request.POST.get("action") == "unaccept":
        services.answer_unaccept(reply=reply, user=request.user)
        messages.success(request, _("You withdrew the accepted answer."))
    else:
        services.answer_accept(reply=reply, user=request.user)
        messages.success(request, _("Thank you! The answer is marked as the solution."))
    return redirect(_thread_url(reply))


@require_POST
@login_required
def topic_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get_topic(request, pk)
    if not permissions.can_moderate_topic(request.user, topic):
        raise PermissionDenied(_("Only moderators can do this."))
    action = request.POST.get("action", "")
    if action not in services.MODERATION_ACTIONS:
        return HttpResponse(_("Unknown moderation action."), status=400)
    services.topic_moderate(topic=topic, actor=request.user, action=action)
    messages.success(request, _("Done."))
    return redirect(topic)


PROFILE_TABS = ("topics", "replies", "answers")


@require_safe
def user_profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member's public page: who they are, their badges, and what they wrote, one paginated
    list at a time (topics by default, with their latest replies beside; or all replies; or
    the replies that were accepted or marked official). Deleted members have no page."""
    profile = get_object_or_404(
        User.objects.select_related("department"),
        username=username,
        is_active=True,
        deleted_at__isnull=True,
    )
    tab = request.GET.get("show") if request.GET.get("show") in PROFILE_TABS else "topics"
    topics = Topic.objects.visible_to(request.user).filter(author=profile)
    replies = Reply.objects.filter(author=profile).select_related("topic")
    if not (request.user.is_authenticated and request.user.can_moderate):
        replies = replies.filter(topic__is_hidden=False)
    replies = replies.order_by("-created_at", "-pk")
    answers = replies.filter(Q(is_accepted=True) | Q(is_official=True))
    # Both reply counts in one query.
    reply_counts = replies.aggregate(
        all=Count("pk"), answers=Count("pk", filter=Q(is_accepted=True) | Q(is_official=True))
    )
    ctx = {
        "profile": profile,
        "tab": tab,
        "topic_count": topics.count(),
        "reply_count": reply_counts["all"],
        "answer_count": reply_counts["answers"],
        "query": query_without_page(request),
    }
    if tab == "topics":
        ctx["page"] = page_or_404(request, topics.for_list().newest(), TOPICS_PER_PAGE)
        ctx["topics"] = ctx["page"].object_list
        ctx["replies"] = replies[:TOPICS_PER_PAGE]
    else:
        rows = replies if tab == "replies" else answers
        ctx["page"] = page_or_404(request, rows, TOPICS_PER_PAGE)
    return render(request, "community/user_profile.html", ctx)


@require_safe
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "community/people_list.html", {"people": User.objects.representatives()})
