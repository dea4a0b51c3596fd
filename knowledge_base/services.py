"""Every write to the knowledge base: check the right, validate, save, keep the counters on the
row with F(), all in one transaction. Views and the demo call these; nothing else writes articles.

Articles are saved with `save()` (never `update()`) whenever their text or status changes, so
the search app's signal handlers see each change; view and feedback counters move with
`update()` and do not re-index the article."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from community.markup import render_markdown
from community.models import Category, Reply, Topic
from community.sensitive import LABELS, MASK_ORDER, mask_sensitive
from community.slugs import FALLBACK_SLUG, slugify_title
from knowledge_base import permissions
from knowledge_base.models import Article, ArticleFeedback, ArticleStatus, Section

# A published article is checked again after this long unless a reviewer sets another date; the
# staff list of overdue articles is built from it.
REVIEW_INTERVAL = timedelta(days=365)
ARTICLE_SLUG_FALLBACK = "article"
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def visitor_key(*, user: User | None = None, session_key: str | None = None) -> str:
    """Who answered "Was this article helpful?", as a keyed hash (HMAC with SECRET_KEY): stable
    for one signed-in member or one browser session, and useless to anyone without the key.
    A member keeps one vote across devices; an anonymous visitor, one per session."""
    if user is not None and user.is_authenticated:
        value = f"user:{user.pk}"
    elif session_key:
        value = f"session:{session_key}"
    else:
        raise ValueError("A visitor is a signed-in user or a session.")
    return salted_hmac("knowledge_base.feedback", value, algorithm="sha256").hexdigest()


def _clean_text(value: str, *, field: str, max_length: int, masked: set[str]) -> str:
    """Strip, require, bound and mask card numbers, CVV codes and phones, as community posts are:
    an article is public, and a pasted customer thread may carry them."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field cannot be empty.")})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("At most %(limit)d characters, please (now %(length)d).")
                % {"limit": max_length, "length": len(value)}
            }
        )
    result = mask_sensitive(value)
    masked |= result.kinds
    return result.text


def _slug_for(title: str) -> str:
    slug = slugify_title(title)
    return ARTICLE_SLUG_FALLBACK if slug == FALLBACK_SLUG and title != FALLBACK_SLUG else slug


def _tell_what_was_masked(article: Article, masked: set[str]) -> None:
    # A transient attribute, as on topics: the view turns it into a message for the editor.
    article.masked_labels = [str(LABELS[kind]) for kind in MASK_ORDER if kind in masked]


def _set_text(article: Article, *, title: str, body: str) -> None:
    masked: set[str] = set()
    article.title = _clean_text(title, field="title", max_length=TITLE_MAX_LENGTH, masked=masked)
    article.body = _clean_text(body, field="body", max_length=BODY_MAX_LENGTH, masked=masked)
    article.body_html = render_markdown(article.body)
    # Article URLs carry the id; a stale slug redirects, so the slug may follow the title.
    article.slug = _slug_for(article.title)
    _tell_what_was_masked(article, masked)


@transaction.atomic
def article_create(
    *,
    author: User,
    title: str,
    body: str,
    section: Section,
    review_by: date | None = None,
    at: datetime | None = None,
) -> Article:
    """A new draft, written from scratch by a representative."""
    _deny_unless(
        permissions.can_create_article(author),
        _("Only official representatives write knowledge-base articles."),
    )
    at = at or timezone.now()
    article = Article(
        section=section,
        status=ArticleStatus.DRAFT,
        review_by=review_by,
        author=author,
        created_at=at,
        updated_at=at,
    )
    _set_text(article, title=title, body=body)
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def article_edit(
    *,
    article: Article,
    editor: User,
    title: str,
    body: str,
    section: Section,
    review_by: date | None = None,
    at: datetime | None = None,
) -> Article:
    _deny_unless(
        permissions.can_edit_article(editor, article),
        _(
            "You cannot edit this article. A published article is changed by a reviewer other "
            "than its author."
        ),
    )
    _set_text(article, title=title, body=body)
    article.section = section
    article.review_by = review_by
    article.updated_at = at or timezone.now()
    if article.is_published:
        # Whoever changes a published text answers for it, as its reviewer did.
        article.reviewer = editor
    article.full_clean()
    article.save()
    return article


def section_for_category(category: Category | None) -> Section | None:
    """The section a promoted topic's article is suggested: the one linked to the topic's
    category, else one with the category's slug or name, else the first top-level section."""
    sections = Section.objects.order_by("position", "name", "pk")
    if category is not None:
        match = (
            sections.filter(category=category).first()
            or sections.filter(Q(slug=category.slug) | Q(name__iexact=category.name)).first()
        )
        if match:
            return match
    return sections.filter(parent__isnull=True).first()


def _answer_of(topic: Topic) -> Reply | None:
    """The official answer, or else the answer the author accepted."""
    answers = topic.replies.filter(Q(is_official=True) | Q(is_accepted=True))
    return answers.order_by("-is_official", "created_at").first()


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


@transaction.atomic
def article_promote_from_topic(*, topic: Topic, actor: User, at: datetime | None = None) -> Article:
    """A draft prefilled from an answered thread: its title, the question quoted for context and
    the official (or accepted) answer. A reviewer edits and publishes it; the thread then links to
    the article, and search engines are pointed at the article as the canonical page."""
    _deny_unless(
        permissions.can_promote_topic(actor, topic),
        _("Only official representatives add topics to the knowledge base."),
    )
    if Article.objects.filter(source_topic=topic).exists():
        raise ValidationError(_("This topic is already in the knowledge base."))
    answer = _answer_of(topic)
    if answer is None:
        raise ValidationError(
            _("Only a topic with an official or accepted answer can go into the knowledge base.")
        )
    section = section_for_category(topic.category)
    if section is None:
        raise ValidationError(
            _("The knowledge base has no sections yet: create one in the admin first.")
        )
    at = at or timezone.now()
    body = answer.body if not topic.body.strip() else f"{_quote(topic.body)}\n\n{answer.body}"
    article = Article(
        section=section,
        status=ArticleStatus.DRAFT,
        source_topic=topic,
        author=actor,
        created_at=at,
        updated_at=at,
    )
    _set_text(article, title=topic.title, body=body)
    article.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as error:
        # Two representatives pressed the button at once; the other draft stands.
        raise ValidationError(_("This topic is already in the knowledge base.")) from error
    return article


@transaction.atomic
def article_publish(
    *, article: Article, reviewer: User, review_by: date | None = None, at: datetime | None = None
) -> Article:
    """Four-eyes: the reviewer is not the author, unless the reviewer is the community owner."""
    _deny_unless(
        permissions.can_write_articles(reviewer),
        _("Only official representatives publish articles."),
    )
    if article.is_published:
        raise ValidationError(_("This article is already published."))
    _deny_unless(
        permissions.can_publish_article(reviewer, article),
        _("Another representative must review and publish your article."),
    )
    at = at or timezone.now()
    article.status = ArticleStatus.PUBLISHED
    article.reviewer = reviewer
    # The first publication date stays when an archived article comes back: the analytics app
    # counts publications by it.
    article.published_at = article.published_at or at
    if review_by is not None:
        article.review_by = review_by
    elif article.review_by is None or article.review_by <= at.date():
        article.review_by = (at + REVIEW_INTERVAL).date()
    article.save(update_fields=["status", "reviewer", "published_at", "review_by"])
    return article


@transaction.atomic
def article_archive(*, article: Article, actor: User, at: datetime | None = None) -> Article:
    """Withdraw a published article (or shelve a draft). It disappears for customers and its
    thread goes back to being its own canonical page; nothing is deleted."""
    _deny_unless(
        permissions.can_archive_article(actor, article),
        _("Only official representatives archive articles."),
    )
    article.status = ArticleStatus.ARCHIVED
    article.save(update_fields=["status"])
    return article


@transaction.atomic
def article_review_confirm(*, article: Article, actor: User, at: datetime | None = None) -> Article:
    """The article was checked and is still right: next review in REVIEW_INTERVAL."""
    _deny_unless(
        permissions.can_confirm_review(actor, article),
        _("Only official representatives review published articles."),
    )
    at = at or timezone.now()
    article.review_by = (at + REVIEW_INTERVAL).date()
    article.reviewer = actor
    article.save(update_fields=["review_by", "reviewer"])
    return article


def article_view_record(*, article: Article) -> None:
    """One more view, counted in SQL so concurrent readers never lose one."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    article.view_count += 1


def _counter_change(field: str, delta: int) -> dict:
    return {field: Greatest(F(field) + delta, Value(0))}


@transaction.atomic
def article_feedback_record(
    *,
    article: Article,
    visitor_key: str,
    is_helpful: bool,
    user: User | None = None,
    at: datetime | None = None,
) -> ArticleFeedback:
    """Record "Was this article helpful?". One answer per visitor: answering again changes the
    answer (and moves one count from "no" to "yes" or back) rather than adding a second one."""
    if not permissions.can_vote_on_article(article):
        raise PermissionDenied(_("This article is not published."))
    at = at or timezone.now()
    user = user if user is not None and user.is_authenticated else None
    field = "helpful_yes" if is_helpful else "helpful_no"
    other = "helpful_no" if is_helpful else "helpful_yes"
    rows = ArticleFeedback.objects.select_for_update()
    feedback = rows.filter(article=article, visitor_key=visitor_key).first()
    if feedback is None:
        try:
            with transaction.atomic():
                feedback = ArticleFeedback.objects.create(
                    article=article,
                    user=user,
                    visitor_key=visitor_key,
                    is_helpful=is_helpful,
                    created_at=at,
                )
        except IntegrityError:
            # A double click raced us: the other request's answer is the one to change.
            feedback = rows.get(article=article, visitor_key=visitor_key)
        else:
            Article.objects.filter(pk=article.pk).update(**_counter_change(field, 1))
            return feedback
    if feedback.is_helpful == is_helpful:
        return feedback
    feedback.is_helpful = is_helpful
    # The time of the visitor's current answer: a changed mind counts in the period it changed.
    feedback.created_at = at
    feedback.user = feedback.user or user
    feedback.save(update_fields=["is_helpful", "created_at", "user"])
    Article.objects.filter(pk=article.pk).update(
        **_counter_change(field, 1), **_counter_change(other, -1)
    )
    return feedback


@transaction.atomic
def article_counters_rebuild() -> int:
    """Recompute helpful_yes / helpful_no from the feedback rows. Returns how many articles had
    drifted."""

    def count(is_helpful: bool) -> Coalesce:
        rows = (
            ArticleFeedback.objects.filter(article=OuterRef("pk"), is_helpful=is_helpful)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    yes, no = count(True), count(False)
    return (
        Article.objects.annotate(real_yes=yes, real_no=no)
        .exclude(helpful_yes=F("real_yes"), helpful_no=F("real_no"))
        .update(helpful_yes=yes, helpful_no=no)
    )
