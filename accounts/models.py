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


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A community member. Customers are plain users; the role flags below make a bank employee
    a representative (answers officially, sets statuses), a moderator (pins, locks, hides) or
    the community owner (everything, with the "Community creator" badge). Flags combine: the
    owner of the Bank24 community was also its most active representative."""

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    is_representative = models.BooleanField(_("official representative"), default=False)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    is_community_owner = models.BooleanField(_("community owner"), default=False)
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

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_official(self) -> bool:
        """Speaks for the bank: their posts carry a badge."""
        return self.is_representative or self.is_community_owner

    @property
    def can_moderate(self) -> bool:
        return self.is_moderator or self.is_community_owner
