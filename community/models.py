from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.Model):
    """A product line customers write about: cards, deposits, loans, transfers, the mobile app…
    Managed by staff in the admin."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        help_text=_("The department that answers in this category."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class TopicKind(models.TextChoices):
    QUESTION = "question", _("Question")
    IDEA = "idea", _("Idea")
    PROBLEM = "problem", _("Problem")
    THANKS = "thanks", _("Thanks")


class TopicStatus(models.TextChoices):
    # Labels are the words list rows show, as on the Bank24 community: "с ответом", "в работе".
    OPEN = "open", pgettext_lazy("topic status", "open")
    ANSWERED = "answered", pgettext_lazy("topic status", "answered")
    NEW = "new", pgettext_lazy("topic status", "new")
    UNDER_REVIEW = "under_review", pgettext_lazy("topic status", "under review")
    PLANNED = "planned", pgettext_lazy("topic status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("topic status", "in progress")
    DONE = "done", pgettext_lazy("topic status", "done")
    DECLINED = "declined", pgettext_lazy("topic status", "declined")
    INVESTIGATING = "investigating", pgettext_lazy("topic status", "investigating")
    SOLVED = "solved", pgettext_lazy("topic status", "solved")
    CANNOT_REPRODUCE = "cannot_reproduce", pgettext_lazy("topic status", "cannot reproduce")
    PUBLISHED = "published", pgettext_lazy("topic status", "published")


# The statuses each kind may take, in workflow order; the first is where a new topic starts.
STATUSES_BY_KIND: dict[str, list[str]] = {
    TopicKind.QUESTION: [TopicStatus.OPEN, TopicStatus.ANSWERED],
    TopicKind.IDEA: [
        TopicStatus.NEW,
        TopicStatus.UNDER_REVIEW,
        TopicStatus.PLANNED,
        TopicStatus.IN_PROGRESS,
        TopicStatus.DONE,
        TopicStatus.DECLINED,
    ],
    TopicKind.PROBLEM: [
        TopicStatus.OPEN,
        TopicStatus.INVESTIGATING,
        TopicStatus.SOLVED,
        TopicStatus.CANNOT_REPRODUCE,
    ],
    TopicKind.THANKS: [TopicStatus.PUBLISHED],
}

# What the vote button says for each kind.
VOTE_LABELS = {
    TopicKind.QUESTION: pgettext_lazy("vote button", "Useful question"),
    TopicKind.IDEA: pgettext_lazy("vote button", "+1"),
    TopicKind.PROBLEM: pgettext_lazy("vote button", "Me too"),
    TopicKind.THANKS: pgettext_lazy("vote button", "Join the thanks"),
}


def initial_status(kind: str) -> str:
    return STATUSES_BY_KIND[kind][0]


def status_choices(kind: str) -> list[tuple[str, str]]:
    return [(status, TopicStatus(status).label) for status in STATUSES_BY_KIND[kind]]


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TopicQuerySet":
        """Hidden topics exist only for moderators."""
        if user.is_authenticated and user.can_moderate:
            return self
        return self.filter(is_hidden=False)

    def for_list(self) -> "TopicQuerySet":
        """Everything a list row shows, in one query."""
        return self.select_related("author", "category", "last_reply_by").defer("body", "body_html")

    def active(self) -> "TopicQuerySet":
        return self.order_by("-is_pinned", "-last_activity_at", "-pk")

    def newest(self) -> "TopicQuerySet":
        return self.order_by("-is_pinned", "-created_at", "-pk")

    def top(self) -> "TopicQuerySet":
        return self.order_by("-is_pinned", "-score", "-last_activity_at", "-pk")

    def unanswered(self) -> "TopicQuerySet":
        """Questions and problems still waiting for an answer, oldest first: a staff to-do list."""
        return self.filter(
            kind__in=[TopicKind.QUESTION, TopicKind.PROBLEM],
            status__in=[TopicStatus.OPEN, TopicStatus.INVESTIGATING],
        ).order_by("created_at", "pk")

    def popular_questions(self) -> "TopicQuerySet":
        return self.filter(kind=TopicKind.QUESTION).order_by("-score", "-reply_count", "-pk")

    def frequently_asked(self) -> "TopicQuerySet":
        """Answered questions customers open most: the seed of the knowledge base."""
        return self.filter(kind=TopicKind.QUESTION, status=TopicStatus.ANSWERED).order_by(
            "-view_count", "-pk"
        )

    def counts_by_kind(self) -> dict[str, int]:
        """Tab counters for the home page, in one aggregate query."""
        counts = self.aggregate(
            all=Count("pk"),
            **{kind: Count("pk", filter=Q(kind=kind)) for kind in TopicKind.values},
        )
        return counts


class Topic(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=TopicKind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=False)
    body = models.TextField(_("text"), max_length=20000, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="topics",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
    )
    status = models.CharField(_("status"), max_length=20, choices=TopicStatus.choices)
    score = models.PositiveIntegerField(_("votes"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    last_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("last activity"))
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created"), db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # The topic's id in the forum or FAQ it was imported from (docs/import.md); empty for topics
    # posted here. A second import of the same file finds the topic by it and skips it.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        # One index per list order, each exactly as the ORDER BY of its QuerySet method, so a
        # page is read straight off the index instead of sorting 100,000 rows. Partial: what
        # customers see is never hidden; moderators' lists may sort.
        indexes = [
            models.Index(
                fields=[*prefix, "-is_pinned", *order, "-id"],
                condition=Q(is_hidden=False),
                name=f"topic_{name}",
            )
            for name, prefix, order in [
                ("active", [], ["-last_activity_at"]),
                ("kind_active", ["kind"], ["-last_activity_at"]),
                ("kind_status_active", ["kind", "status"], ["-last_activity_at"]),
                ("category_active", ["category"], ["-last_activity_at"]),
                ("new", [], ["-created_at"]),
                ("kind_new", ["kind"], ["-created_at"]),
                ("top", [], ["-score", "-last_activity_at"]),
                ("kind_top", ["kind"], ["-score", "-last_activity_at"]),
            ]
        ] + [
            models.Index(
                fields=["created_at", "id"],
                condition=Q(
                    is_hidden=False,
                    kind__in=[TopicKind.QUESTION, TopicKind.PROBLEM],
                    status__in=[TopicStatus.OPEN, TopicStatus.INVESTIGATING],
                ),
                name="topic_unanswered",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="topic_status_fits_kind",
                condition=Q(
                    *[
                        Q(kind=kind, status__in=statuses)
                        for kind, statuses in STATUSES_BY_KIND.items()
                    ],
                    _connector=Q.OR,
                ),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="topic_external_id_unique_when_set",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:topic-detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def status_choices(self) -> list[tuple[str, str]]:
        return status_choices(self.kind)

    @property
    def vote_label(self) -> str:
        return VOTE_LABELS[self.kind]

    # Django's get_<field>_display() rebuilds a dict of every translated choice on each call;
    # list rows call these dozens of times, so look the one label up directly.
    @property
    def kind_label(self) -> str:
        return TopicKind(self.kind).label

    @property
    def status_label(self) -> str:
        return TopicStatus(self.status).label


# Reads that every page view repeats and that would cost more than the page itself on 100,000
# topics: the public tab counts and the home page's side lists. They are cached; services forget
# them whenever a topic appears, hides or shows again. Votes and views move the side lists only
# within the timeout.
PUBLIC_READS_TIMEOUT = 10 * 60
TAB_COUNTS_CACHE_KEY = "community:tab-counts:v1"
HOME_LISTS_CACHE_KEY = "community:home-lists:v1"
HOME_LIST_LENGTH = 5


def tab_counts(user) -> dict[str, int]:
    """Topics per kind for the tabs, as this user sees them."""
    if user.is_authenticated and user.can_moderate:
        return Topic.objects.counts_by_kind()
    return cache.get_or_set(
        TAB_COUNTS_CACHE_KEY,
        lambda: Topic.objects.filter(is_hidden=False).counts_by_kind(),
        PUBLIC_READS_TIMEOUT,
    )


def home_lists() -> dict[str, list[Topic]]:
    """Popular and frequently asked questions for the home page's side column."""

    def read() -> dict[str, list[Topic]]:
        public = Topic.objects.filter(is_hidden=False).only("pk", "slug", "title", "score")
        return {
            "popular_questions": list(public.popular_questions()[:HOME_LIST_LENGTH]),
            "frequently_asked": list(public.frequently_asked()[:HOME_LIST_LENGTH]),
        }

    return cache.get_or_set(HOME_LISTS_CACHE_KEY, read, PUBLIC_READS_TIMEOUT)


def forget_public_reads() -> None:
    # Now, so this request sees the change, and after commit, so that a page that read the old
    # rows in the meantime cannot leave them in the cache.
    keys = [TAB_COUNTS_CACHE_KEY, HOME_LISTS_CACHE_KEY]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


class ReplyQuerySet(models.QuerySet):
    def for_thread(self) -> "ReplyQuerySet":
        return self.select_related("author__department", "marked_official_by").order_by(
            "created_at", "pk"
        )

    def with_helpful_vote_of(self, user) -> "ReplyQuerySet":
        if not user.is_authenticated:
            return self.annotate(has_voted=models.Value(False))
        return self.annotate(
            has_voted=Exists(ReplyVote.objects.filter(reply=OuterRef("pk"), user=user))
        )


class Reply(models.Model):
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="replies",
    )
    body = models.TextField(_("text"), max_length=20000)
    body_html = models.TextField(editable=False, blank=True)
    is_official = models.BooleanField(_("official answer"), default=False)
    marked_official_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_official_at = models.DateTimeField(null=True, blank=True)
    is_accepted = models.BooleanField(_("accepted answer"), default=False)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    created_at = models.DateTimeField(_("created"), db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["topic", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["topic"],
                condition=Q(is_official=True),
                name="one_official_answer_per_topic",
            ),
            models.UniqueConstraint(
                fields=["topic"],
                condition=Q(is_accepted=True),
                name="one_accepted_answer_per_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.topic_id}"

    def get_absolute_url(self) -> str:
        """A permanent link that finds the thread page the reply is on."""
        return reverse("community:reply-detail", kwargs={"pk": self.pk})


class TopicVote(models.Model):
    """A vote for a topic: "+1" on an idea, "me too" on a problem, "useful" on a question."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="one_vote_per_user_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → topic {self.topic_id}"


class ReplyVote(models.Model):
    """A "helpful" mark on a reply."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reply_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="one_vote_per_user_per_reply")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → reply {self.reply_id}"


class EventKind(models.TextChoices):
    TOPIC_CREATED = "topic_created", _("topic created")
    TOPIC_EDITED = "topic_edited", _("topic edited")
    REPLY_CREATED = "reply_created", _("reply created")
    OFFICIAL_ANSWERED = "official_answered", _("official answer marked")
    OFFICIAL_UNMARKED = "official_unmarked", _("official answer unmarked")
    ANSWER_ACCEPTED = "answer_accepted", _("answer accepted")
    ANSWER_UNACCEPTED = "answer_unaccepted", _("answer unaccepted")
    STATUS_CHANGED = "status_changed", _("status changed")
    TOPIC_VOTED = "topic_voted", _("topic voted")
    TOPIC_UNVOTED = "topic_unvoted", _("topic vote withdrawn")
    REPLY_VOTED = "reply_voted", _("reply marked helpful")
    REPLY_UNVOTED = "reply_unvoted", _("reply helpful vote withdrawn")
    TOPIC_MODERATED = "topic_moderated", _("topic moderated")


class Event(models.Model):
    """Append-only record of what happened, written by services in the same transaction as the
    change. The thread shows status changes from here; the analytics app computes its metrics
    from here."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["topic", "kind", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def new_status_label(self) -> str:
        status = self.data.get("to", "")
        return TopicStatus(status).label if status in TopicStatus.values else status
