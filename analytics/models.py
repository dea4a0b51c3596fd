"""What the analytics app stores: the managers' ROI inputs, report deliveries, and (see below)
page views, surveys and the daily rollups that reports read.

Nothing outside analytics imports these models: the domain apps write their own rows (events,
search attempts, article feedback) and the rollup reads them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportCostsQuerySet(models.QuerySet):
    def current(self) -> "ReportCosts | None":
        """The latest inputs a manager saved, or None before anyone entered them."""
        return self.order_by("-updated_at", "-pk").first()


class ReportCosts(models.Model):
    """The manager's inputs for ROI. Every save is a new row, so a report can show which inputs
    it used and the history of who changed them stays."""

    call = models.DecimalField(
        _("cost of one call-centre contact"), max_digits=12, decimal_places=2
    )
    email = models.DecimalField(_("cost of one e-mail contact"), max_digits=12, decimal_places=2)
    monthly = models.DecimalField(
        _("monthly cost of the community"), max_digits=14, decimal_places=2
    )
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportCostsQuerySet.as_manager()

    class Meta:
        verbose_name = _("report costs")
        verbose_name_plural = _("report costs")
        constraints = [
            models.CheckConstraint(
                name="report_costs_not_negative",
                condition=models.Q(call__gte=0, email__gte=0, monthly__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.call} / {self.email} / {self.monthly}"

    def as_costs(self):
        from analytics.metrics import Costs

        return Costs(call=self.call, email=self.email, monthly=self.monthly)


class PeriodKind(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")


class ReportDelivery(models.Model):
    """A report e-mailed for one period, so a re-run of send_reports sends nothing twice."""

    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    sent_at = models.DateTimeField(_("sent"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-period_start", "period_kind"]
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start"], name="one_delivery_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start}"


# ---------------------------------------------------------------------------------------------
# Page views


class PageKind(models.TextChoices):
    HOME = "home", _("home page")
    LIST = "list", _("list")
    TOPIC = "topic", _("topic")
    ARTICLE = "article", _("knowledge-base article")
    SEARCH = "search", _("search")
    PROFILE = "profile", _("profile")
    OTHER = "other", _("other page")
    # Not a page: a topic or reply posted in this visit. Sessions that posted something are not
    # self-service sessions, and no page-view figure counts these rows.
    CONTRIBUTION = "contribution", _("post")


class ReferrerClass(models.TextChoices):
    SEARCH_ENGINE = "search", _("search engine")
    SOCIAL = "social", _("social network")
    DIRECT = "direct", _("direct")
    INTERNAL = "internal", _("internal")
    OTHER = "other", _("other site")


class DailySalt(models.Model):
    """Today's secret for the visitor hash. A new one each local day; older ones are deleted,
    so nobody (not even the bank's DBA) can join one day's visitors with another's, or
    recompute a hash from an IP address once the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class PageView(models.Model):
    """One successful HTML page a visitor opened. No IP address, user agent, user or full
    referrer is stored: only the page, its kind, where the visitor came from as a class, and a
    hash that is the same for one browser within one local day and unrelated across days."""

    created_at = models.DateTimeField(db_index=True)
    visitor = models.CharField(max_length=16)
    path = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=PageKind.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    referrer = models.CharField(max_length=8, choices=ReferrerClass.choices)

    class Meta:
        verbose_name = _("page view")
        verbose_name_plural = _("page views")

    def __str__(self) -> str:
        return f"{self.path} {self.created_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Surveys


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("answer rating (CSAT)")
    NPS = "nps", _("recommendation (NPS)")


SCORE_RANGES = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10)}


class SurveyResponseQuerySet(models.QuerySet):
    def answered(self) -> "SurveyResponseQuerySet":
        return self.filter(score__isnull=False)

    def latest_nps_of(self, user) -> "SurveyResponse | None":
        return self.filter(kind=SurveyKind.NPS, user=user).order_by("-shown_at", "-pk").first()


class SurveyResponse(models.Model):
    """A survey offered to one member: answered (score), dismissed, or still open.

    CSAT rows exist once the topic's author answered or dismissed the rating; who was offered
    one is known from the topics (see docs/metrics.md, "CSAT"). An NPS row is created the first
    time the question is shown, which starts the 90 days before it may be shown again."""

    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.ForeignKey(
        "community.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    shown_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["kind", "answered_at"]),
            models.Index(fields=["user", "kind", "shown_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "user"],
                condition=models.Q(kind="csat"),
                name="one_csat_per_topic_and_user",
            ),
            models.CheckConstraint(
                name="survey_score_in_range",
                condition=models.Q(score__isnull=True)
                | models.Q(kind="csat", score__gte=1, score__lte=5)
                | models.Q(kind="nps", score__gte=0, score__lte=10),
            ),
            models.CheckConstraint(
                name="survey_answered_when_scored",
                condition=models.Q(score__isnull=True, answered_at__isnull=True)
                | models.Q(score__isnull=False, answered_at__isnull=False),
            ),
            models.CheckConstraint(
                name="survey_answered_or_dismissed",
                condition=models.Q(answered_at__isnull=True) | models.Q(dismissed_at__isnull=True),
            ),
            models.CheckConstraint(
                name="csat_is_about_a_topic",
                condition=models.Q(kind="nps") | models.Q(topic__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score if self.score is not None else '—'}"


# ---------------------------------------------------------------------------------------------
# Rollups (filled by `manage.py rollup_metrics`, read by analytics.metrics)


class TopicFact(models.Model):
    """What the metrics need to know about one topic, derived from its events: when it got its
    first official response and its resolution, whether it was reopened, and so on. Medians and
    percentiles cannot be added up from daily counts, so reports read these rows, one per topic
    of the period, instead of the events."""

    topic = models.OneToOneField(
        "community.Topic", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16)
    category = models.ForeignKey(
        "community.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    author_id = models.BigIntegerField()
    # The author speaks for the bank: no CSAT is offered to them.
    author_is_staff = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_day = models.DateField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_by_id = models.BigIntegerField(null=True, blank=True)
    response_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Has an official or an accepted answer now.
    is_answered = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_day = models.DateField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    author_followed_up = models.BooleanField(default=False)
    # Null when the topic had no official response: it is outside FCR's denominator.
    is_fcr = models.BooleanField(null=True, blank=True)
    idea_taken_at = models.DateTimeField(null=True, blank=True)
    idea_done_at = models.DateTimeField(null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_day", "category"], name="fact_created"),
            models.Index(fields=["resolved_day", "category"], name="fact_resolved"),
        ]

    def __str__(self) -> str:
        return f"topic {self.topic_id}"


class DailyCount(models.Model):
    """One number per metric property, local day, category and subgroup (a topic kind, an
    article id, a search query…), as in Zulip's analytics. Category 0 means "no category": the
    property is community-wide or the topic had none."""

    property = models.CharField(max_length=40)
    day = models.DateField()
    category_id = models.BigIntegerField(default=0)
    subgroup = models.CharField(max_length=300, blank=True, default="")
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["property", "day", "category_id", "subgroup"], name="one_count_per_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="dailycount_day")]

    def __str__(self) -> str:
        return f"{self.property} {self.day} {self.subgroup}: {self.value}"


class ParticipantDay(models.Model):
    """A member who posted, replied or voted on a local day, per category, with how many such
    contributions. Distinct participants over a month cannot be summed from daily counts; these
    rows are far fewer than the events they stand for."""

    day = models.DateField()
    user_id = models.BigIntegerField()
    category_id = models.BigIntegerField(default=0)
    contributions = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "user_id", "category_id"], name="one_participant_row_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}"


class FillState(models.Model):
    """How far the daily rollup got. `started` while a day is being written: a run that finds
    it so (the previous one died) redoes that day before going on."""

    STARTED = "started"
    DONE = "done"

    name = models.CharField(max_length=40, unique=True)
    last_day = models.DateField()
    state = models.CharField(max_length=8, choices=[(STARTED, STARTED), (DONE, DONE)])
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_day} {self.state}"
