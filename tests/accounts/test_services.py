"""accounts/services.py: the profile, staff roles and departments with their audit entries, and
account deletion."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts import services
from accounts.models import AuditAction, AuditEntry, Department, User
from community.models import Category
from tests.accounts.profile_helpers import image_bytes, media_root
from tests.conftest import make_category

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db

AT = timezone.now() - timedelta(days=1)

PROFILE = {
    "display_name": "  Иван   Петров ",
    "about": "Клиент банка с 2010 года.",
    "language": "en",
    "email_on_official_answer": False,
    "email_on_status_change": True,
    "email_on_reply": True,
}


# Profile ---------------------------------------------------------------------------------------


def test_profile_update_saves_name_about_language_and_notifications(customer):
    services.profile_update(user=customer, **PROFILE)

    customer.refresh_from_db()
    assert customer.display_name == "Иван Петров"
    assert customer.about == "Клиент банка с 2010 года."
    assert customer.language == "en"
    assert (
        customer.email_on_official_answer,
        customer.email_on_status_change,
        customer.email_on_reply,
    ) == (False, True, True)


def test_card_numbers_and_phones_in_about_are_masked_because_the_profile_is_public(customer):
    services.profile_update(
        user=customer, **{**PROFILE, "about": "Карта 4111 1111 1111 1111, тел. +7 912 345-67-89"}
    )

    customer.refresh_from_db()
    assert "4111 1111 1111 1111" not in customer.about
    assert "345-67-89" not in customer.about


def test_an_unknown_language_is_refused(customer):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=customer, **{**PROFILE, "language": "de"})

    assert "language" in error.value.message_dict


def test_a_bad_avatar_rolls_back_the_whole_save_and_names_the_field(customer, media_root):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=customer, **PROFILE, avatar=b"GIF89a not really")

    assert "avatar" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.display_name == "Иван Петров" and customer.language == ""
    assert customer.about == ""


def test_an_avatar_is_stored_and_then_removed(customer, media_root):
    services.profile_update(user=customer, **PROFILE, avatar=image_bytes())
    assert customer.avatar

    services.profile_update(user=customer, **PROFILE, remove_avatar=True)

    customer.refresh_from_db()
    assert not customer.avatar


def test_a_deleted_member_cannot_update_a_profile(customer):
    services.account_delete(user=customer, at=AT)
    customer.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.profile_update(user=customer, **PROFILE)


# Roles -----------------------------------------------------------------------------------------


def _roles(**overrides) -> dict:
    return {
        "is_representative": False,
        "is_moderator": False,
        "is_manager": False,
        "is_community_owner": False,
        "title": "",
        "department": None,
        **overrides,
    }


def test_making_a_representative_writes_an_audit_entry_with_before_and_after(
    owner, customer, department
):
    services.roles_set(
        actor=owner,
        user=customer,
        **_roles(is_representative=True, title=" Старший  специалист ", department=department),
        at=AT,
    )

    customer.refresh_from_db()
    assert customer.is_representative and customer.title == "Старший специалист"
    assert customer.department == department
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_user, entry.created_at) == (
        AuditAction.ROLES_CHANGED,
        owner,
        customer,
        AT,
    )
    assert entry.changes == {
        "is_representative": [False, True],
        "title": ["", "Старший специалист"],
        "department": [None, "Управление карточных продуктов"],
    }


def test_moderator_and_manager_roles_are_granted_and_revoked(owner, customer):
    services.roles_set(actor=owner, user=customer, **_roles(is_moderator=True, is_manager=True))
    services.roles_set(actor=owner, user=customer, **_roles(is_manager=True))

    customer.refresh_from_db()
    assert (customer.is_moderator, customer.is_manager) == (False, True)
    assert [entry.changes for entry in AuditEntry.objects.order_by("pk")] == [
        {"is_moderator": [False, True], "is_manager": [False, True]},
        {"is_moderator": [True, False]},
    ]


def test_revoking_the_representative_role_clears_title_and_department(owner, representative):
    services.roles_set(actor=owner, user=representative, **_roles(title="Оставить?"))

    representative.refresh_from_db()
    assert not representative.is_representative
    assert representative.title == "" and representative.department is None
    assert AuditEntry.objects.get().changes == {
        "is_representative": [True, False],
        "title": ["Руководитель проектов", ""],
        "department": ["Управление карточных продуктов", None],
    }


def test_saving_unchanged_roles_writes_no_audit_entry(owner, representative, department):
    services.roles_set(
        actor=owner,
        user=representative,
        **_roles(is_representative=True, title="Руководитель проектов", department=department),
    )

    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator", "manager"])
def test_only_the_owner_may_change_roles(request, persona, other_customer):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.roles_set(actor=actor, user=other_customer, **_roles(is_moderator=True))

    other_customer.refresh_from_db()
    assert not other_customer.is_moderator
    assert not AuditEntry.objects.exists()


def test_the_last_owner_cannot_drop_their_own_owner_role(owner):
    with translation.override("en"), pytest.raises(ValidationError, match="at least one owner"):
        services.roles_set(actor=owner, user=owner, **_roles(is_representative=True))

    owner.refresh_from_db()
    assert owner.is_community_owner
    assert not AuditEntry.objects.exists()


def test_an_owner_may_step_down_once_there_is_another_owner(owner, customer):
    services.roles_set(actor=owner, user=customer, **_roles(is_community_owner=True))

    services.roles_set(actor=owner, user=owner, **_roles())

    owner.refresh_from_db()
    assert not owner.is_community_owner
    assert User.objects.filter(is_community_owner=True).get() == customer


def test_an_owner_who_stepped_down_can_no_longer_change_roles(owner, customer, other_customer):
    services.roles_set(actor=owner, user=customer, **_roles(is_community_owner=True))
    services.roles_set(actor=owner, user=owner, **_roles())
    owner.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.roles_set(actor=owner, user=other_customer, **_roles(is_moderator=True))


def test_a_deleted_account_cannot_be_given_roles(owner, customer):
    services.account_delete(user=customer, at=AT)

    with pytest.raises(ValidationError):
        services.roles_set(actor=owner, user=customer, **_roles(is_moderator=True))


# Departments -----------------------------------------------------------------------------------


def test_creating_a_department_assigns_its_categories_and_is_audited(owner):
    cards, loans = make_category(name="Карты"), make_category(name="Кредиты")

    department = services.department_create(
        actor=owner, name=" Розничный  бизнес ", position=2, categories=[cards, loans], at=AT
    )

    assert department.name == "Розничный бизнес"
    assert set(department.categories.all()) == {cards, loans}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_department, entry.created_at) == (
        AuditAction.DEPARTMENT_CREATED,
        department,
        AT,
    )
    assert entry.changes == {
        "name": [None, "Розничный бизнес"],
        "position": [None, 2],
        "categories": [[], ["Карты", "Кредиты"]],
    }


def test_a_category_chosen_for_another_department_moves_there(owner):
    cards = make_category(name="Карты")
    first = services.department_create(actor=owner, name="Первый", categories=[cards])
    second = services.department_create(actor=owner, name="Второй", categories=[cards])

    cards.refresh_from_db()
    assert cards.department == second
    assert not first.categories.exists()


def test_updating_a_department_records_only_what_changed(owner):
    cards, loans = make_category(name="Карты"), make_category(name="Кредиты")
    department = services.department_create(actor=owner, name="Карты", categories=[cards])

    services.department_update(
        actor=owner, department=department, name="Карты", position=0, categories=[loans], at=AT
    )

    cards.refresh_from_db()
    assert cards.department is None
    assert list(department.categories.all()) == [loans]
    entry = AuditEntry.objects.get(action=AuditAction.DEPARTMENT_CHANGED)
    assert entry.changes == {"categories": [["Карты"], ["Кредиты"]]}


def test_a_duplicate_department_name_is_refused(owner, department):
    with pytest.raises(ValidationError):
        services.department_create(actor=owner, name="Управление карточных продуктов")


def test_deleting_a_department_keeps_members_roles_and_frees_its_categories(
    owner, representative, department
):
    cards = make_category(name="Карты", department=department)

    services.department_delete(actor=owner, department=department, at=AT)

    representative.refresh_from_db()
    cards.refresh_from_db()
    assert representative.is_representative and representative.department is None
    assert cards.department is None
    assert not Department.objects.exists()
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.DEPARTMENT_DELETED
    assert entry.target_department is None
    # Owner and representative both belonged to it.
    assert entry.changes == {
        "name": ["Управление карточных продуктов", None],
        "position": [0, None],
        "categories": [["Карты"], []],
        "members": [2, 0],
    }


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator", "manager"])
def test_only_the_owner_manages_departments(request, persona, department):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.department_create(actor=actor, name="Новый")
    with pytest.raises(PermissionDenied):
        services.department_update(
            actor=actor, department=department, name="Другое", position=1, categories=[]
        )
    with pytest.raises(PermissionDenied):
        services.department_delete(actor=actor, department=department)

    assert list(Department.objects.values_list("name", flat=True)) == [department.name]
    assert not AuditEntry.objects.exists()
    assert not Category.objects.exists()
