"""What customers searched for and whether the answer found them.

The analytics app computes deflection, successful and zero-result searches from these rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchSource(models.TextChoices):
    PAGE = "page", _("search page")
    ASK = "ask", _("ask box suggestions")
    API = "api", _("API")


class SearchQuery(models.Model):
    """One search as typed (debounced suggestions are logged once per attempt, not per key)."""

    text = models.CharField(max_length=300)
    source = models.CharField(max_length=8, choices=SearchSource.choices)
    result_count = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    # The first result the visitor opened from this search: a successful search.
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "created_at"])]

    def __str__(self) -> str:
        return self.text


class SearchAttempt(models.Model):
    """A new-topic attempt: the customer typed in the ask box or the new-topic form and was shown
    suggestions. It ends deflected ("this answered my question"), posted (they posted anyway),
    or open; an open attempt whose suggestion was opened counts as potentially deflected once
    the session is over (see docs/metrics.md)."""

    visitor_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(max_length=300)
    suggestion_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(db_index=True)
    last_activity_at = models.DateTimeField()
    # The first suggestion opened, and which one ("topic:12" or "article:3").
    opened_at = models.DateTimeField(null=True, blank=True)
    opened = models.CharField(max_length=32, blank=True)
    # "Это ответ на мой вопрос": the attempt ended without a post.
    deflected_at = models.DateTimeField(null=True, blank=True)
    # Posted anyway: the topic created at the end of the attempt.
    topic = models.ForeignKey(
        "community.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deflected_at__isnull=True) | models.Q(posted_at__isnull=True),
                name="attempt_deflected_or_posted",
            )
        ]

    def __str__(self) -> str:
        return self.text


class IndexedType(models.TextChoices):
    TOPIC = "topic", _("topic")
    ARTICLE = "article", _("article")


class SearchDocument(models.Model):
    """One searchable topic or article, as the search index sees it (search/indexing.py keeps it
    current). Only what customers may find is here: hidden or merged topics and unpublished
    articles have no row.

    The analyzed terms are stored as text; the database's own full-text index is built on them
    (an FTS5 table on SQLite, a generated tsvector column with a GIN index on PostgreSQL; see
    migration 0003), so both backends match exactly the same terms."""

    # Small columns first, the long texts last: SQLite then reads a row's filters and lengths
    # without touching the overflow pages of its text.
    object_type = models.CharField(max_length=8, choices=IndexedType.choices)
    object_id = models.PositiveBigIntegerField()
    # Filters of the search page. Articles have no kind or category; their status is "published".
    kind = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=20, blank=True)
    category_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Answered topics and articles are what the ask box suggests (engine.similar()).
    is_answered = models.BooleanField(default=False)
    has_official_answer = models.BooleanField(default=False)
    has_accepted_answer = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    title_length = models.PositiveIntegerField(default=0)
    body_length = models.PositiveIntegerField(default=0)
    slug = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Plain text (question, then the official or accepted answer) for snippets.
    content = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="one_search_document_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class SearchTerm(models.Model):
    """The index vocabulary with document frequencies: the IDF of ranking and the dictionary
    that misspelled query words are corrected against (pg_trgm on PostgreSQL, an FTS5 trigram
    table on SQLite)."""

    term = models.CharField(max_length=64, unique=True)
    # Plain integers, not Positive*: a drifted count must never make a customer's post fail on
    # a CHECK constraint; readers clamp, rebuild_search_index recounts.
    doc_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.term


class SearchIndexStats(models.Model):
    """Totals for BM25 length normalization, one row (pk=1), kept by search/indexing.py in the
    same transaction as the documents."""

    doc_count = models.IntegerField(default=0)
    title_length_sum = models.BigIntegerField(default=0)
    body_length_sum = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.doc_count} documents"


class SynonymGroup(models.Model):
    """Words and phrases that mean the same to customers: "СБП, система быстрых платежей".
    A query containing any of them also finds texts with the others. Edited in the admin;
    applies to the next search, no re-indexing needed."""

    phrases = models.TextField(
        _("words and phrases"),
        help_text=_("One per line or separated by commas, e.g. «СБП, система быстрых платежей»."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return ", ".join(self.phrase_list())

    def phrase_list(self) -> list[str]:
        parts = self.phrases.replace("\n", ",").replace(";", ",").split(",")
        return [part.strip() for part in parts if part.strip()]
