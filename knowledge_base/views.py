"""Knowledge-base pages. Each view: access-checked fetch → form → one service call → redirect, or
a partial for htmx. Services repeat every permission check, so a forged POST gets a 403 too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from community import permissions as community_permissions
from community.htmx import is_htmx, rate_setting
from community.models import Topic
from community.pagination import page_or_404
from knowledge_base import permissions, services
from knowledge_base.forms import ArticleForm, FeedbackForm, section_tree
from knowledge_base.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Section,
    related_articles,
)

ARTICLES_PER_PAGE = 20
MOST_READ = 10


def _get_article(request: HttpRequest, pk: int, queryset=None) -> Article:
    """The article if this user may see it; drafts and archived articles 404 for customers."""
    queryset = queryset if queryset is not None else Article.objects.select_related("section")
    article = get_object_or_404(queryset, pk=pk)
    if not permissions.can_view_article(request.user, article):
        raise Http404
    return article


def _warn_if_masked(request: HttpRequest, article: Article) -> None:
    if labels := getattr(article, "masked_labels", None):
        messages.warning(
            request,
            _(
                "We hid %(what)s in your text. This page is public: never publish card "
                "details or phone numbers."
            )
            % {"what": ", ".join(labels)},
        )


def _staff_counts(user) -> dict:
    """The review to-do numbers staff see on the KB home; nothing for customers."""
    if not permissions.is_kb_staff(user):
        return {}
    today = timezone.localdate()
    return Article.objects.aggregate(
        drafts_count=Count("pk", filter=Q(status=ArticleStatus.DRAFT)),
        overdue_count=Count("pk", filter=Q(status=ArticleStatus.PUBLISHED, review_by__lt=today)),
    )


@require_safe
def kb_home(request: HttpRequest) -> HttpResponse:
    sections = section_tree(Section.objects.with_article_counts())
    roots = []
    for section, depth in sections:
        section.subsections = []
        section.total_count = section.article_count
        if depth == 0:
            roots.append(section)
        elif depth == 1:
            roots[-1].subsections.append(section)
    # A card counts the articles of its whole branch: «Карты» holds what its sub-sections hold.
    by_pk = {section.pk: section for section, _ in sections}
    for section, depth in reversed(sections):
        if depth and section.parent_id in by_pk:
            by_pk[section.parent_id].total_count += section.total_count
    ctx = {
        "sections": roots,
        "most_read": Article.objects.most_read().for_list()[:MOST_READ],
        "can_create": permissions.can_create_article(request.user),
        **_staff_counts(request.user),
    }
    return render(request, "knowledge_base/kb_home.html", ctx)


@require_safe
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("parent__parent"), slug=slug)
    articles = Article.objects.published().filter(section=section).for_list().by_title()
    ctx = {
        "section": section,
        "subsections": section.children.with_article_counts(),
        "page": page_or_404(request, articles, ARTICLES_PER_PAGE),
        "can_create": permissions.can_create_article(request.user),
    }
    return render(request, "knowledge_base/section_detail.html", ctx)


def _visitor_key(request: HttpRequest, *, create: bool) -> str | None:
    """The visitor's one-vote key; an anonymous visitor gets a session when they vote."""
    if request.user.is_authenticated:
        return services.visitor_key(user=request.user)
    if not request.session.session_key:
        if not create:
            return None
        request.session.save()
    return services.visitor_key(session_key=request.session.session_key)


def _feedback_ctx(request: HttpRequest, article: Article, answer: bool | None) -> dict:
    return {
        "article": article,
        "answer": answer,
        "can_vote": permissions.can_vote_on_article(article),
    }


@require_safe
def article_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    article = _get_article(request, pk, Article.objects.for_page())
    if slug != article.slug:
        url = article.get_absolute_url()
        if request.GET:
            url += "?" + request.GET.urlencode()
        return redirect(url, permanent=True)

    user = request.user
    is_staff = permissions.is_kb_staff(user)
    # Customers' reading is what the KB is measured by; staff previews and checks are work.
    if article.is_published and not is_staff:
        services.article_view_record(article=article)
    key = _visitor_key(request, create=False)
    answer = None
    if key and article.is_published:
        answer = (
            ArticleFeedback.objects.filter(article=article, visitor_key=key)
            .values_list("is_helpful", flat=True)
            .first()
        )
    topic = article.source_topic
    ctx = {
        **_feedback_ctx(request, article, answer),
        "breadcrumbs": [*article.section.ancestors, article.section],
        "related": related_articles(article) if article.is_published else [],
        "source_topic": topic
        if topic and community_permissions.can_view_topic(user, topic)
        else None,
        "is_staff": is_staff,
        "review_overdue": is_staff and article.is_review_overdue(timezone.localdate()),
        "can_edit": permissions.can_edit_article(user, article),
        "can_publish": permissions.can_publish_article(user, article),
        "can_archive": permissions.can_archive_article(user, article),
        "can_confirm_review": permissions.can_confirm_review(user, article),
    }
    return render(request, "knowledge_base/article_detail.html", ctx)


@require_POST
@ratelimit(key="user_or_ip", rate=rate_setting("RATE_LIMIT_VOTE"), method="POST", block=False)
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    article = _get_article(request, pk)
    if getattr(request, "limited", False):
        return HttpResponse(_("Too many votes. Please wait a minute."), status=429)
    if not permissions.can_vote_on_article(article):
        raise PermissionDenied(_("This article is not published."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose “Yes” or “No”."), status=400)
    is_helpful = form.cleaned_data["helpful"]
    services.article_feedback_record(
        article=article,
        visitor_key=_visitor_key(request, create=True),
        is_helpful=is_helpful,
        user=request.user,
    )
    if is_htmx(request):
        article.refresh_from_db(fields=["helpful_yes", "helpful_no"])
        ctx = {**_feedback_ctx(request, article, is_helpful), "just_answered": True}
        return render(request, "knowledge_base/partials/feedback.html", ctx)
    messages.success(request, _("Thank you for your answer!"))
    return redirect(article.get_absolute_url() + "#feedback")


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _save_article(request: HttpRequest, form: ArticleForm, save) -> Article | None:
    """Run the service with the form's data; its validation errors go back onto the form."""
    try:
        article = save(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("Changes saved."))
    _warn_if_masked(request, article)
    return article


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    _deny_unless(
        permissions.can_create_article(request.user),
        _("Only official representatives write knowledge-base articles."),
    )
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            article = _save_article(
                request,
                form,
                lambda **data: services.article_create(author=request.user, **data),
            )
            if article:
                return redirect(article)
    else:
        section = Section.objects.filter(slug=request.GET.get("section", "")).first()
        form = ArticleForm(initial={"section": section})
    return render(request, "knowledge_base/article_form.html", {"form": form, "article": None})


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _get_article(request, pk)
    _deny_unless(
        permissions.can_edit_article(request.user, article),
        _(
            "You cannot edit this article. A published article is changed by a reviewer other "
            "than its author."
        ),
    )
    if request.method == "POST":
        form = ArticleForm(request.POST, instance=article)
        if form.is_valid():
            saved = _save_article(
                request,
                form,
                lambda **data: services.article_edit(article=article, editor=request.user, **data),
            )
            if saved:
                return redirect(saved)
    else:
        form = ArticleForm(instance=article)
    ctx = {
        "form": form,
        "article": article,
        "can_publish": permissions.can_publish_article(request.user, article),
    }
    return render(request, "knowledge_base/article_form.html", ctx)


@require_POST
@login_required
def article_promote(request: HttpRequest, topic_pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("category"), pk=topic_pk)
    if not community_permissions.can_view_topic(request.user, topic):
        raise Http404
    _deny_unless(
        permissions.can_promote_topic(request.user, topic),
        _("Only official representatives add topics to the knowledge base."),
    )
    try:
        article = services.article_promote_from_topic(topic=topic, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(topic)
    messages.success(
        request,
        _(
            "A draft article was made from this topic. Edit it, then ask another "
            "representative to review and publish it."
        ),
    )
    return redirect("knowledge_base:article-edit", pk=article.pk)


def _staff_action(request: HttpRequest, pk: int, run, done: str) -> HttpResponse:
    """Publish, archive or confirm a review: one button, one service call, back to the page. The
    service checks the right and says why not (403); a state that changed meanwhile ("already
    published") comes back as a message."""
    article = _get_article(request, pk)
    try:
        run(article)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(article)


@require_POST
@login_required
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda article: services.article_publish(article=article, reviewer=request.user),
        _("The article is published."),
    )


@require_POST
@login_required
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda article: services.article_archive(article=article, actor=request.user),
        _("The article is archived: customers no longer see it."),
    )


@require_POST
@login_required
def article_review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda article: services.article_review_confirm(article=article, actor=request.user),
        _("Review recorded: the next one is due in a year."),
    )


def _review_list(request: HttpRequest, articles, *, title: str, empty: str) -> HttpResponse:
    _deny_unless(permissions.is_kb_staff(request.user), _("This page is for bank staff."))
    page = page_or_404(
        request,
        articles.select_related("section", "author").defer("body", "body_html"),
        ARTICLES_PER_PAGE,
    )
    ctx = {"page": page, "title": title, "empty": empty, "today": timezone.localdate()}
    return render(request, "knowledge_base/review_list.html", ctx)


@require_safe
@login_required
def review_drafts(request: HttpRequest) -> HttpResponse:
    return _review_list(
        request,
        Article.objects.awaiting_review(),
        title=_("Drafts awaiting review"),
        empty=_("No drafts are waiting for review."),
    )


@require_safe
@login_required
def review_overdue(request: HttpRequest) -> HttpResponse:
    return _review_list(
        request,
        Article.objects.review_overdue(timezone.localdate()),
        title=_("Articles past their review date"),
        empty=_("Every published article is within its review date."),
    )
