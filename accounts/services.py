"""Every write to accounts outside sign-in: the member's own profile and settings, staff roles and
departments (each change written to the audit log in the same transaction), and account
deletion. Services check permissions again, so a forged request gets the same answer as the page."""

import uuid
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts import avatars, permissions
from accounts.models import AuditAction, AuditEntry, Consent, Department, User
from community.sensitive import LABELS, MASK_ORDER, mask_sensitive

ROLE_FLAGS = ("is_representative", "is_moderator", "is_manager", "is_community_owner")
NOTIFICATION_FLAGS = ("email_on_official_answer", "email_on_status_change", "email_on_reply")


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _audit(
    action: str,
    *,
    actor: User | None,
    at: datetime,
    target_user: User | None = None,
    target_department: Department | None = None,
    changes: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        target_user=target_user,
        target_department=target_department,
        changes=changes or {},
        created_at=at,
    )


# The member's own profile ----------------------------------------------------------------------


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    about: str,
    language: str,
    email_on_official_answer: bool,
    email_on_status_change: bool,
    email_on_reply: bool,
    avatar: bytes | None = None,
    remove_avatar: bool = False,
) -> User:
    """Save the settings page: name, about, language, notification preferences, and a new
    avatar (the uploaded file's bytes) or its removal."""
    _deny_unless(permissions.can_edit_profile(user), _("Sign in to change your profile."))
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    user.display_name = " ".join(display_name.split())
    # The profile is public: card numbers and phones are masked as in posts, and the view tells
    # the member what was hidden (a transient attribute, as community services do).
    masked = mask_sensitive(about.strip())
    user.about = masked.text
    user.masked_labels = [str(LABELS[kind]) for kind in MASK_ORDER if kind in masked.kinds]
    user.language = language
    user.email_on_official_answer = email_on_official_answer
    user.email_on_status_change = email_on_status_change
    user.email_on_reply = email_on_reply
    user.full_clean(exclude=["password", "username", "avatar", "email"])
    user.save(update_fields=["display_name", "about", "language", *NOTIFICATION_FLAGS])
    if avatar is not None:
        try:
            avatars.avatar_save(user=user, data=avatar)
        except ValidationError as error:
            # The whole save rolls back, and the form shows the error beside the file field.
            raise ValidationError({"avatar": error.messages}) from None
    elif remove_avatar:
        avatars.avatar_remove(user=user)
    return user


# Staff roles and departments -------------------------------------------------------------------


def _role_snapshot(user: User) -> dict:
    return {
        **{flag: getattr(user, flag) for flag in ROLE_FLAGS},
        "title": user.title,
        "department": user.department.name if user.department_id else None,
    }


@transaction.atomic
def roles_set(
    *,
    actor: User,
    user: User,
    is_representative: bool,
    is_moderator: bool,
    is_manager: bool,
    is_community_owner: bool,
    title: str = "",
    department: Department | None = None,
    at: datetime | None = None,
) -> User:
    """Grant or revoke staff roles. The audit entry records each changed field as
    [before, after]; nothing is written when nothing changes."""
    _deny_unless(
        permissions.can_manage_staff(actor), _("Only the community owner manages staff roles.")
    )
    at = at or timezone.now()
    if not is_community_owner:
        # This change may take an owner role away. Lock every owner row first, always in the
        # same order, so that two owners revoking each other at once queue up instead of both
        # seeing the other still in place (or deadlocking).
        owner_pks = list(
            User.objects.select_for_update()
            .filter(is_community_owner=True, is_active=True, deleted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    # Lock the row so two owners editing the same person cannot both read the same "before"
    # (the row alone: PostgreSQL cannot lock the nullable side of the department join).
    user = User.objects.select_for_update(of=("self",)).select_related("department").get(pk=user.pk)
    if user.is_deleted:
        raise ValidationError(_("This account is deleted; it cannot hold roles."))
    if user.is_community_owner and not is_community_owner and owner_pks == [user.pk]:
        raise ValidationError(
            _(
                "The community must keep at least one owner. Make someone else an owner "
                "before removing this role."
            )
        )

    title = " ".join(title.split())
    if not is_representative and not is_community_owner:
        # The title and department are what the official badge shows; without the badge they
        # would linger unseen and come back by surprise on the next promotion.
        title, department = "", None
    before = _role_snapshot(user)
    user.is_representative = is_representative
    user.is_moderator = is_moderator
    user.is_manager = is_manager
    user.is_community_owner = is_community_owner
    user.title = title
    user.department = department
    user.full_clean(exclude=["password", "username", "avatar", "email"])
    after = _role_snapshot(user)
    changes = {
        field: [before[field], after[field]] for field in before if before[field] != after[field]
    }
    if not changes:
        return user
    user.save(update_fields=[*ROLE_FLAGS, "title", "department"])
    _audit(AuditAction.ROLES_CHANGED, actor=actor, at=at, target_user=user, changes=changes)
    return user


def role_snapshot(user: User) -> dict:
    """The role fields as the audit log records them: before a change made outside roles_set."""
    return _role_snapshot(user)


@transaction.atomic
def roles_record(
    *, actor: User, user: User, before: dict, at: datetime | None = None
) -> AuditEntry | None:
    """Audit a role change saved elsewhere (the Django admin), so that no path changes roles
    without leaving a trace."""
    user = User.objects.select_related("department").get(pk=user.pk)
    after = _role_snapshot(user)
    changes = {
        field: [before[field], after[field]] for field in before if before[field] != after[field]
    }
    if not changes:
        return None
    return _audit(
        AuditAction.ROLES_CHANGED,
        actor=actor,
        at=at or timezone.now(),
        target_user=user,
        changes=changes,
    )


def _clean_department_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("This field cannot be empty.")})
    return name


def _category_names(department: Department) -> list[str]:
    return sorted(department.categories.values_list("name", flat=True))


def _assign_categories(department: Department, categories) -> None:
    from community.models import Category

    chosen = [category.pk for category in categories]
    Category.objects.filter(department=department).exclude(pk__in=chosen).update(department=None)
    # A category has one department: choosing it here takes it from whichever had it.
    Category.objects.filter(pk__in=chosen).update(department=department)


@transaction.atomic
def department_create(
    *,
    actor: User,
    name: str,
    position: int = 0,
    categories=(),
    at: datetime | None = None,
) -> Department:
    _deny_unless(
        permissions.can_manage_staff(actor), _("Only the community owner manages departments.")
    )
    at = at or timezone.now()
    department = Department(name=_clean_department_name(name), position=position)
    department.full_clean()
    department.save()
    _assign_categories(department, categories)
    changes = {
        "name": [None, department.name],
        "position": [None, department.position],
        "categories": [[], _category_names(department)],
    }
    _audit(
        AuditAction.DEPARTMENT_CREATED,
        actor=actor,
        at=at,
        target_department=department,
        changes=changes,
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: User,
    department: Department,
    name: str,
    position: int,
    categories,
    at: datetime | None = None,
) -> Department:
    _deny_unless(
        permissions.can_manage_staff(actor), _("Only the community owner manages departments.")
    )
    at = at or timezone.now()
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = {
        "name": department.name,
        "position": department.position,
        "categories": _category_names(department),
    }
    department.name = _clean_department_name(name)
    department.position = position
    department.full_clean()
    department.save(update_fields=["name", "position"])
    _assign_categories(department, categories)
    after = {
        "name": department.name,
        "position": department.position,
        "categories": _category_names(department),
    }
    changes = {
        field: [before[field], after[field]] for field in before if before[field] != after[field]
    }
    if changes:
        _audit(
            AuditAction.DEPARTMENT_CHANGED,
            actor=actor,
            at=at,
            target_department=department,
            changes=changes,
        )
    return department


@transaction.atomic
def department_delete(*, actor: User, department: Department, at: datetime | None = None) -> None:
    """Delete a department. Its members keep their roles without a department and its
    categories are left without one (both foreign keys are SET_NULL); the audit entry keeps
    the name and the lists, because the row it points to is gone."""
    _deny_unless(
        permissions.can_manage_staff(actor), _("Only the community owner manages departments.")
    )
    at = at or timezone.now()
    changes = {
        "name": [department.name, None],
        "position": [department.position, None],
        "categories": [_category_names(department), []],
        "members": [department.members.count(), 0],
    }
    _audit(AuditAction.DEPARTMENT_DELETED, actor=actor, at=at, changes=changes)
    department.delete()


# Account deletion ------------------------------------------------------------------------------


def _end_sessions(user: User) -> int:
    """Delete the member's stored sessions. With the database (or cached-database) backend the
    rows are found and deleted, cache entries included. With any backend, a session left behind
    (a pure cache or signed-cookie backend cannot be searched) is dead anyway: Django checks a
    hash of the password on every request, the password is replaced and the account is inactive,
    so the next request with it is anonymous and the session is flushed."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if not issubclass(engine, SessionBase) or not hasattr(engine, "get_model_class"):
        return 0
    model = engine.get_model_class()
    ended = 0
    pk = str(user.pk)
    alive = model.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in alive.iterator(chunk_size=2000):
        store = engine(session.session_key)
        if store.decode(session.session_data).get("_auth_user_id") == pk:
            store.delete()
            ended += 1
    return ended


def _erase_allauth_rows(user: User) -> None:
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        # SocialToken rows go with their account (CASCADE).
        SocialAccount.objects.filter(user=user).delete()


@transaction.atomic
def account_delete(*, user: User, at: datetime | None = None) -> User:
    """Erase the member's personal data for good. Their topics and replies stay, signed
    "Deleted user"; their votes stay as anonymous counts; the row itself stays so that the
    content keeps an author. Irreversible: nothing personal is kept anywhere to restore from."""
    at = at or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_deleted:
        return user
    if user.is_community_owner:
        raise ValidationError(
            _(
                "You are the community owner. Hand the owner role to someone else on the staff "
                "page before deleting your account."
            )
        )
    roles_held = [flag for flag in ROLE_FLAGS if getattr(user, flag)]
    avatar_name = user.avatar.name

    # Unique, and saying nothing about who it was.
    user.username = f"deleted-{uuid.uuid4().hex[:16]}"
    user.first_name = user.last_name = user.email = ""
    user.display_name = user.about = user.title = user.language = ""
    user.avatar = ""
    user.avatar_url = ""
    user.department = None
    for flag in (*ROLE_FLAGS, "is_staff", "is_superuser", *NOTIFICATION_FLAGS):
        setattr(user, flag, False)
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.deleted_at = at
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    _erase_allauth_rows(user)
    # Deleting the account withdraws every consent; the rows stay as the record of what was
    # agreed to while the account existed.
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=at)
    _end_sessions(user)
    if avatar_name:
        field = User._meta.get_field("avatar")
        transaction.on_commit(lambda: field.storage.delete(avatar_name))
    _audit(
        AuditAction.ACCOUNT_DELETED,
        actor=user,
        at=at,
        target_user=user,
        changes={"roles": [roles_held, []]} if roles_held else {},
    )
    return user
