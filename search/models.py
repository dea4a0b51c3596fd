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
