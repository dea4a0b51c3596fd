from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A bank department whose employees answer in the community (cards, lending, support…)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def representatives(self) -> "UserQuerySet":
        """Official representatives for the People page, grouped by department."""
        return (
            self.filter(is_active=True)
            .filter(models.Q(is_representative=True) | models.Q(is_community_owner=True))
            .select_related("department")
            .order_by("department__position", "department__name", "display_name", "username")
        )

    def staff(self) -> "UserQuerySet":
        """Everyone holding a role, for the owner's staff page."""
        return (
            self.filter(deleted_at__isnull=True)
            .filter(
                models.Q(is_representative=True)
                | models.Q(is_moderator=True)
                | models.Q(is_manager=True)
                | models.Q(is_community_owner=True)
            )
            .select_related("department")
            .order_by("display_name", "username", "pk")
        )

    def search(self, query: str) -> "UserQuerySet":
        """Members whose username, name or e-mail contains the query (the staff page's search).
        Deleted accounts have none of these left and are never found."""
        query = " ".join(query.split())
        if not query:
            return self.none()
        # SQLite folds the case of ASCII letters only, so "петр" would miss "Петров" there; the
        # usual spellings of the query are tried as well (PostgreSQL needs none of them).
        spellings = {query, query.lower(), query.upper(), query.capitalize(), query.title()}
        matches = models.Q()
        for spelling in spellings:
            for field in ("username", "display_name", "first_name", "last_name", "email"):
                matches |= models.Q(**{f"{field}__icontains": spelling})
        return (
            self.filter(deleted_at__isnull=True)
            .filter(matches)
            .select_related("department")
            .order_by("display_name", "username", "pk")
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A community member. Customers are plain users; the role flags below make a bank employee
    a representative (answers officially, sets statuses), a moderator (pins, locks, hides), a
    manager (reads reports) or the community owner (everything, with the "Community creator"
    badge). Flags combine: the owner of the Bank24 community was also its most active
    representative."""

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    is_representative = models.BooleanField(_("official representative"), default=False)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    is_community_owner = models.BooleanField(_("community owner"), default=False)
    is_manager = models.BooleanField(
        _("manager"), default=False, help_text=_("Reads the community's reports.")
    )
    title = models.CharField(
        _("title"), max_length=120, blank=True, help_text=_("Shown in the representative badge.")
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )

    # Profile.
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    avatar_url = models.URLField(_("avatar from the sign-in provider"), max_length=500, blank=True)
    about = models.TextField(_("about"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # Notification preferences, read by the notifications issue.
    email_on_official_answer = models.BooleanField(
        _("e-mail me when my topic gets an official answer"), default=True
    )
    email_on_status_change = models.BooleanField(
        _("e-mail me when the status of my topic changes"), default=True
    )
    email_on_reply = models.BooleanField(_("e-mail me about new replies"), default=False)
    # Set when the member deleted their account: personal data is erased, content stays.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.deleted_at:
            return str(_("Deleted user"))
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_official(self) -> bool:
        """Speaks for the bank: their posts carry a badge."""
        return self.is_representative or self.is_community_owner

    @property
    def can_moderate(self) -> bool:
        return self.is_moderator or self.is_community_owner

    @property
    def can_read_reports(self) -> bool:
        return self.is_manager or self.is_community_owner


class ConsentDocument(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("consent to personal data processing")


class Consent(models.Model):
    """A member's consent to a document (152-FZ asks for a separate consent to personal-data
    processing): which version they accepted and when. Rows are never edited; withdrawing is a
    new fact recorded in `withdrawn_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(max_length=32, choices=ConsentDocument.choices)
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.user_id} {self.document} {self.version}"


class AuditAction(models.TextChoices):
    ROLES_CHANGED = "roles_changed", _("roles changed")
    DEPARTMENT_CREATED = "department_created", _("department created")
    DEPARTMENT_CHANGED = "department_changed", _("department changed")
    DEPARTMENT_DELETED = "department_deleted", _("department deleted")
    ACCOUNT_DELETED = "account_deleted", _("account deleted")


class AuditEntryQuerySet(models.QuerySet):
    def for_log(self) -> "AuditEntryQuerySet":
        """The audit-log page's rows, newest first, with the people and department they name."""
        return self.select_related("actor", "target_user", "target_department").order_by(
            "-created_at", "-pk"
        )

    def involving(self, user: User) -> "AuditEntryQuerySet":
        """What this person did, and what was done to them."""
        return self.filter(models.Q(actor=user) | models.Q(target_user=user))


class AuditEntry(models.Model):
    """Who changed staff roles or departments, when, and what: append-only."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    target_department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"field": [before, after], …} plus a readable summary frozen at the time of the change.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"
