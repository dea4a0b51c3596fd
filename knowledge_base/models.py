"""The knowledge base: answered threads promoted into reviewed articles, grouped in sections.

The analytics app reads these tables for its KB metrics: article views (its own page-view
records), helpfulness from `ArticleFeedback` and publications from `Article.published_at`."""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Q, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Sections nest at most this deep (Cards → Card delivery → Courier): deep enough for a bank's
# product lines, and shallow enough that breadcrumbs and the admin's tree order are one query.
MAX_SECTION_DEPTH = 3


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class SectionQuerySet(models.QuerySet):
    def with_article_counts(self) -> "SectionQuerySet":
        """Sections in admin order, each with its number of published articles. The order is
        explicit: Django leaves Meta.ordering out of aggregate queries."""
        published = Count("articles", filter=Q(articles__status=ArticleStatus.PUBLISHED))
        return self.annotate(article_count=published).order_by("position", "name", "pk")


class Section(models.Model):
    """A node of the knowledge-base tree (Cards → Card delivery), ordered by the admin."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    category = models.ForeignKey(
        "community.Category",
        verbose_name=_("community category"),
        help_text=_("Articles promoted from topics in this category are suggested this section."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_sections",
    )

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="section_is_not_its_own_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge_base:section-detail", kwargs={"slug": self.slug})

    @property
    def ancestors(self) -> list["Section"]:
        """Parents from the root down, for breadcrumbs. Read through `select_related` of
        `parent__parent`, so it costs no query within MAX_SECTION_DEPTH."""
        chain = []
        node = self.parent
        while node is not None and len(chain) < MAX_SECTION_DEPTH:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def clean(self) -> None:
        super().clean()
        depth, node, seen = 1, self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError(
                    {"parent": _("A section cannot be placed inside itself or its sub-sections.")}
                )
            seen.add(node.pk)
            depth += 1
            node = node.parent
        if depth > MAX_SECTION_DEPTH:
            raise ValidationError(
                {
                    "parent": _("Sections nest at most %(depth)d levels deep.")
                    % {"depth": MAX_SECTION_DEPTH}
                }
            )


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(status=ArticleStatus.PUBLISHED)

    def visible_to(self, user) -> "ArticleQuerySet":
        """Drafts and archived articles exist only for staff."""
        from knowledge_base.permissions import is_kb_staff

        return self if is_kb_staff(user) else self.published()

    def for_list(self) -> "ArticleQuerySet":
        """What a list row shows, without the bodies."""
        return self.select_related("section").defer("body", "body_html")

    def for_page(self) -> "ArticleQuerySet":
        """The article page: breadcrumbs up to the root section and the source thread."""
        return self.select_related(
            "section__parent__parent", "source_topic", "author", "reviewer"
        ).defer("source_topic__body", "source_topic__body_html")

    def most_read(self) -> "ArticleQuerySet":
        return self.published().order_by("-view_count", "-pk")

    def by_title(self) -> "ArticleQuerySet":
        return self.order_by("title", "pk")

    def awaiting_review(self) -> "ArticleQuerySet":
        """Drafts, oldest first: the reviewers' to-do list."""
        return self.filter(status=ArticleStatus.DRAFT).order_by("created_at", "pk")

    def review_overdue(self, today: date) -> "ArticleQuerySet":
        """Published articles whose review-by date has passed, the longest overdue first."""
        return self.published().filter(review_by__lt=today).order_by("review_by", "pk")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=False)
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False, blank=True)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    source_topic = models.OneToOneField(
        "community.Topic",
        verbose_name=_("source topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="kb_articles",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_reviewed_articles",
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-view_count"]),
            # A section page lists its published articles by title.
            models.Index(fields=["section", "status", "title"], name="article_section_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge_base:article-detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return ArticleStatus(self.status).label

    def is_review_overdue(self, today: date) -> bool:
        return self.is_published and self.review_by is not None and self.review_by < today

    @property
    def helpful_percent(self) -> int | None:
        """Share of "yes" answers to "Was this article helpful?", or None before any answer."""
        total = self.helpful_yes + self.helpful_no
        return round(100 * self.helpful_yes / total) if total else None


class ArticleFeedback(models.Model):
    """One "Was this article helpful? Yes / No" answer per visitor and article.

    `visitor_key` is a keyed hash of the signed-in user or of the anonymous session, never a raw
    identifier; it only serves the one-vote rule."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor_key = models.CharField(max_length=64)
    is_helpful = models.BooleanField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor_key"], name="one_feedback_per_visitor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.is_helpful else 'no'}"


# Words too common in customers' questions to say that two articles are about the same thing.
_STOP_WORDS = frozenset(
    {
        *("почему", "можно", "нужно", "какой", "какая", "какие", "каким", "когда", "сколько"),
        *("будет", "если", "есть", "этот", "меня", "могу", "надо", "после", "через", "чтобы"),
        *("what", "when", "where", "which", "does", "with", "from", "have", "your", "that", "this"),
    }
)
_RELATED_STEMS = 4


def title_stems(title: str) -> list[str]:
    """The longest distinctive words of a title cut to a stem ("карту" → "карт"), so that
    other forms of the word match: a crude, index-free stand-in for the search app."""
    words = {word.lower() for word in re.findall(r"\w+", title) if len(word) >= 4}
    words -= _STOP_WORDS
    longest = sorted(words, key=lambda word: (-len(word), word))[:_RELATED_STEMS]
    return [word[: max(4, len(word) - 2)] for word in longest]


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    """Other published articles of the same section, most read first, then from other sections
    those sharing a title word. One query."""
    matches = Q(section=article.section_id)
    for stem in title_stems(article.title):
        # At the start of a word («поте» must not match «ипотеке»). A regular expression, because
        # SQLite's LIKE ignores case only for ASCII letters; this one reads the same on both.
        matches |= Q(title__iregex=rf"(^|[\s«\"(-]){stem}")
    same_section_first = Case(When(section=article.section_id, then=0), default=1)
    related = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(matches)
        .for_list()
        .annotate(other_section=same_section_first)
        .order_by("other_section", "-view_count", "-pk")
    )
    return list(related[:limit])
