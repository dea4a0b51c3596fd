"""The knowledge base: answered threads promoted into reviewed articles, grouped in sections.

The analytics app reads these tables for its KB metrics: article views (its own page-view
records), helpfulness from `ArticleFeedback` and publications from `Article.published_at`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


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

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "-view_count"])]

    def __str__(self) -> str:
        return self.title

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
