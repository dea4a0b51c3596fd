"""The owner's staff pages: who may open them, granting and revoking roles, departments, the
audit log, and that roles granted here show as badges on posts and profiles."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import AuditAction, AuditEntry, Department, User
from tests.conftest import make_category, make_reply, make_user
from tests.pages import HTMX, html_of, login_next

pytestmark = pytest.mark.django_db

AT = (timezone.now() - timedelta(days=2)).replace(microsecond=0)


def _urls(member: User, department: Department) -> list[str]:
    return [
        "/staff/",
        "/staff/?q=ivan",
        f"/staff/u/{member.pk}/",
        "/staff/departments/",
        f"/staff/departments/{department.pk}/",
        f"/staff/departments/{department.pk}/delete/",
        "/staff/audit/",
    ]


POSTS = {
    "roles": lambda member, department: (
        f"/staff/u/{member.pk}/",
        {"is_moderator": "on"},
    ),
    "department create": lambda member, department: (
        "/staff/departments/",
        {"name": "Новый отдел", "position": "1"},
    ),
    "department edit": lambda member, department: (
        f"/staff/departments/{department.pk}/",
        {"name": "Переименованный", "position": "1"},
    ),
    "department delete": lambda member, department: (
        f"/staff/departments/{department.pk}/delete/",
        {},
    ),
}


# Who may open the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator", "manager"])
def test_every_staff_page_is_forbidden_to_everyone_but_the_owner(
    request, persona, customer, department
):
    client = Client()
    client.force_login(request.getfixturevalue(persona))

    for url in _urls(customer, department):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["customer", "representative", "moderator", "manager"])
@pytest.mark.parametrize("action", list(POSTS))
def test_every_staff_change_is_forbidden_to_everyone_but_the_owner(
    request, persona, action, other_customer, department
):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    url, data = POSTS[action](other_customer, department)

    assert client.post(url, data).status_code == 403

    other_customer.refresh_from_db()
    assert not other_customer.is_moderator
    assert list(Department.objects.values_list("name", flat=True)) == [department.name]
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, customer, department):
    for url in _urls(customer, department):
        response = client.get(url)
        assert login_next(response) == url


def test_a_blocked_owner_account_cannot_use_the_pages(owner):
    client = Client()
    client.force_login(owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)

    # An inactive account's session no longer signs anyone in.
    assert login_next(client.get("/staff/")) == "/staff/"


@pytest.mark.parametrize("persona", ["owner"])
def test_the_owner_opens_every_staff_page(request, persona, customer, department):
    client = request.getfixturevalue(f"{persona}_client")

    for url in _urls(customer, department):
        assert client.get(url).status_code == 200, url


def test_only_the_owner_sees_the_staff_link(owner_client, representative_client):
    assert 'href="/staff/"' in html_of(owner_client.get("/"))
    assert 'href="/staff/"' not in html_of(representative_client.get("/"))


def test_staff_changes_need_a_csrf_token(owner, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.post(f"/staff/u/{customer.pk}/", {"is_moderator": "on"}).status_code == 403
    customer.refresh_from_db()
    assert not customer.is_moderator


# Finding members -------------------------------------------------------------------------------


def _listed(response) -> list[str]:
    return re.findall(r'href="/staff/u/\d+/" class="author-name">([^<]*)</a>', html_of(response))


def test_without_a_query_the_page_lists_current_staff(
    owner_client, owner, representative, moderator, manager, customer
):
    assert _listed(owner_client.get("/staff/")) == sorted(
        [owner.name, representative.name, moderator.name, manager.name]
    )


@pytest.mark.parametrize("query", ["ivan", "Петров", "IVAN@EXAMPLE", "петр"])
def test_members_are_found_by_username_name_or_e_mail(owner_client, customer, query):
    customer.email = "ivan@example.ru"
    customer.save()
    make_user(username="maria", display_name="Мария")

    assert _listed(owner_client.get("/staff/", {"q": query})) == ["Иван Петров"]


def test_deleted_accounts_are_never_found(owner_client, customer):
    services.account_delete(user=customer, at=AT)
    deleted = User.objects.get(pk=customer.pk)

    assert _listed(owner_client.get("/staff/", {"q": deleted.username})) == []
    assert owner_client.get(f"/staff/u/{customer.pk}/").status_code == 404


def test_the_search_answers_htmx_with_the_results_alone(owner_client, customer):
    response = owner_client.get("/staff/", {"q": "ivan"}, **HTMX)

    html = html_of(response)
    assert html.startswith('<div id="staff-results"')
    assert "<html" not in html
    assert _listed(response) == ["Иван Петров"]
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(owner_client, customer):
    response = owner_client.get(
        "/staff/", {"q": "ivan"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in html_of(response)


def test_search_results_are_paginated(owner_client, monkeypatch):
    from accounts import views

    monkeypatch.setattr(views, "STAFF_PER_PAGE", 2)
    for n in range(3):
        make_user(username=f"bank{n}", display_name=f"Сотрудник {n}")

    first = owner_client.get("/staff/", {"q": "bank"})
    second = owner_client.get("/staff/", {"q": "bank", "page": "2"})

    assert _listed(first) == ["Сотрудник 0", "Сотрудник 1"]
    assert _listed(second) == ["Сотрудник 2"]
    assert 'href="?q=bank&amp;page=2"' in html_of(first)
    assert owner_client.get("/staff/", {"q": "bank", "page": "3"}).status_code == 404


# Roles -----------------------------------------------------------------------------------------


def test_the_owner_makes_a_customer_a_representative(owner_client, owner, customer, department):
    response = owner_client.post(
        f"/staff/u/{customer.pk}/",
        {"is_representative": "on", "title": "Ведущий специалист", "department": department.pk},
    )

    assert response.status_code == 302 and response["Location"] == f"/staff/u/{customer.pk}/"
    customer.refresh_from_db()
    assert customer.is_representative and customer.title == "Ведущий специалист"
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.target_user) == (owner, customer)
    assert entry.changes["is_representative"] == [False, True]


def test_the_form_shows_the_current_roles(owner_client, representative, department):
    form = owner_client.get(f"/staff/u/{representative.pk}/").context["form"]

    assert form.initial["is_representative"] is True
    assert form.initial["title"] == "Руководитель проектов"
    assert form.initial["department"] == department.pk


def test_revoking_every_role_is_a_post_without_the_boxes(owner_client, moderator):
    owner_client.post(f"/staff/u/{moderator.pk}/", {})

    moderator.refresh_from_db()
    assert not moderator.is_moderator
    assert AuditEntry.objects.get().changes == {"is_moderator": [True, False]}


def test_the_last_owner_is_told_they_cannot_drop_the_owner_role(owner_client, owner):
    response = owner_client.post(
        f"/staff/u/{owner.pk}/", {"is_representative": "on", "title": "Директор"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    # What was typed stays in the form.
    assert 'value="Директор"' in html_of(response)
    owner.refresh_from_db()
    assert owner.is_community_owner


def test_a_too_long_title_is_refused_and_kept(owner_client, customer):
    response = owner_client.post(
        f"/staff/u/{customer.pk}/", {"is_representative": "on", "title": "Т" * 121}
    )

    assert "title" in response.context["form"].errors
    assert "Т" * 121 in html_of(response)
    customer.refresh_from_db()
    assert not customer.is_representative


def test_the_roles_page_shows_the_members_recent_history(owner_client, owner, customer):
    services.roles_set(
        actor=owner,
        user=customer,
        is_representative=False,
        is_moderator=True,
        is_manager=False,
        is_community_owner=False,
        at=AT,
    )

    response = owner_client.get(f"/staff/u/{customer.pk}/")

    assert [entry.target_user for entry in response.context["entries"]] == [customer]
    assert 'href="/staff/audit/?user=ivan"' in html_of(response)


# Badges where customers see them -------------------------------------------------------------


def test_roles_granted_on_the_staff_page_show_as_badges_on_posts_and_profile(
    owner_client, customer, question, client
):
    reply = make_reply(question, author=customer, body="Проверьте раздел «Карты».")
    owner_client.post(
        f"/staff/u/{customer.pk}/",
        {"is_representative": "on", "title": "Ведущий специалист", "is_moderator": "on"},
    )

    thread = html_of(client.get(question.get_absolute_url()))
    article = re.search(rf'id="reply-{reply.pk}".*?</article>', thread, re.S).group(0)
    profile = html_of(client.get("/u/ivan/"))

    for html in (article, profile):
        assert re.search(r'class="badge badge-official">[^<]*· Ведущий специалист</span>', html)
        assert 'class="badge badge-moderator"' in html


def test_the_manager_role_is_not_shown_to_customers(client, manager, question):
    make_reply(question, author=manager)

    assert "Manager" not in html_of(client.get(question.get_absolute_url()))
    assert "badge" not in re.search(
        r'<p class="profile-badges">(.*?)</p>', html_of(client.get("/u/manager/")), re.S
    ).group(1)


# Departments -----------------------------------------------------------------------------------


def test_the_owner_adds_a_department_with_its_categories(owner_client, owner):
    cards, loans = make_category(name="Карты"), make_category(name="Кредиты")

    response = owner_client.post(
        "/staff/departments/",
        {"name": "Розничный бизнес", "position": "3", "categories": [cards.pk, loans.pk]},
    )

    assert response.status_code == 302
    department = Department.objects.get(name="Розничный бизнес")
    assert set(department.categories.all()) == {cards, loans}
    assert AuditEntry.objects.get().action == AuditAction.DEPARTMENT_CREATED


def test_a_duplicate_department_name_is_refused_with_the_form_kept(owner_client, department):
    response = owner_client.post("/staff/departments/", {"name": department.name, "position": "7"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'value="7"' in html_of(response)
    assert Department.objects.count() == 1


def test_the_owner_edits_a_department_and_its_categories(owner_client, department):
    cards = make_category(name="Карты", department=department)
    loans = make_category(name="Кредиты")
    form = owner_client.get(f"/staff/departments/{department.pk}/").context["form"]
    assert form.initial["categories"] == [cards.pk]

    owner_client.post(
        f"/staff/departments/{department.pk}/",
        {"name": "Карты и кредиты", "position": "0", "categories": [cards.pk, loans.pk]},
    )

    department.refresh_from_db()
    assert department.name == "Карты и кредиты"
    assert set(department.categories.all()) == {cards, loans}
    assert AuditEntry.objects.get().changes == {
        "name": ["Управление карточных продуктов", "Карты и кредиты"],
        "categories": [["Карты"], ["Карты", "Кредиты"]],
    }


def test_deleting_a_department_asks_first_then_deletes(owner_client, department):
    confirm = owner_client.get(f"/staff/departments/{department.pk}/delete/")
    assert confirm.status_code == 200 and Department.objects.exists()

    response = owner_client.post(f"/staff/departments/{department.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == "/staff/departments/"
    assert not Department.objects.exists()
    assert AuditEntry.objects.get().action == AuditAction.DEPARTMENT_DELETED


# The audit log ---------------------------------------------------------------------------------


def _audit_rows(response) -> list[str]:
    return re.findall(r'<li class="audit-entry">', html_of(response))


def test_the_audit_log_shows_who_when_and_before_after(owner_client, owner, customer):
    services.roles_set(
        actor=owner,
        user=customer,
        is_representative=True,
        is_moderator=False,
        is_manager=False,
        is_community_owner=False,
        title="Специалист",
        at=AT,
    )

    html = html_of(owner_client.get("/staff/audit/"))

    assert owner.name in html and customer.name in html
    assert f'<time datetime="{timezone.localtime(AT).isoformat()}">' in html
    assert re.search(
        r'<span class="audit-before">—</span> → <span class="audit-after">Специалист</span>', html
    )


def test_the_audit_log_is_filtered_by_member(owner_client, owner, customer, other_customer):
    for person in (customer, other_customer, customer):
        services.roles_set(
            actor=owner,
            user=person,
            is_representative=False,
            is_moderator=not person.is_moderator,
            is_manager=False,
            is_community_owner=False,
        )
        person.refresh_from_db()

    assert len(_audit_rows(owner_client.get("/staff/audit/"))) == 3
    filtered = owner_client.get("/staff/audit/", {"user": "IVAN"})
    assert [entry.target_user for entry in filtered.context["page"].object_list] == [customer] * 2
    # The owner did all three: filtering by the actor finds them all.
    assert len(_audit_rows(owner_client.get("/staff/audit/", {"user": "owner"}))) == 3


def test_an_unknown_member_in_the_filter_says_so_and_lists_nothing(owner_client, owner, customer):
    services.department_create(actor=owner, name="Отдел")

    response = owner_client.get("/staff/audit/", {"user": "nobody"})

    assert response.context["member"] is None
    assert _audit_rows(response) == []
    assert 'class="message message-error"' in html_of(response)


def test_the_audit_log_is_paginated_newest_first(owner_client, owner, monkeypatch):
    from accounts import views

    monkeypatch.setattr(views, "AUDIT_PER_PAGE", 2)
    for n in range(3):
        services.department_create(actor=owner, name=f"Отдел {n}", at=AT + timedelta(minutes=n))

    first = owner_client.get("/staff/audit/").context["page"]
    second = owner_client.get("/staff/audit/", {"page": "2"}).context["page"]

    assert [e.changes["name"][1] for e in first.object_list] == ["Отдел 2", "Отдел 1"]
    assert [e.changes["name"][1] for e in second.object_list] == ["Отдел 0"]
    assert first.has_next() and not second.has_next()


def test_an_account_deletion_shows_in_the_log_without_personal_data(owner_client, representative):
    services.account_delete(user=representative, at=AT)

    html = html_of(owner_client.get("/staff/audit/"))

    assert len(_audit_rows(owner_client.get("/staff/audit/"))) == 1
    assert "Яна Ганник" not in html and "Руководитель проектов" not in html


# Query counts ----------------------------------------------------------------------------------


def _grow_staff(owner, n: int, offset: int) -> None:
    for i in range(offset, offset + n):
        department = services.department_create(
            actor=owner, name=f"Отдел {i}", categories=[make_category(), make_category()]
        )
        person = make_user(display_name=f"Сотрудник {i}", email=f"staff{i}@bank.ru")
        services.roles_set(
            actor=owner,
            user=person,
            is_representative=True,
            is_moderator=bool(i % 2),
            is_manager=False,
            is_community_owner=False,
            title=f"Должность {i}",
            department=department,
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, then one query for the page of rows
        ("/staff/", 3),
        ("/staff/?q=bank.ru", 3),
        # session, user, departments with member counts, their categories, the form's categories
        ("/staff/departments/", 5),
        # session, user, the page of entries with actor, target and department joined
        ("/staff/audit/", 3),
        # ... and the member looked up by username
        ("/staff/audit/?user=owner", 4),
    ],
)
def test_staff_pages_cost_the_same_queries_however_many_rows(
    owner_client, owner, url, expected, django_assert_num_queries
):
    _grow_staff(owner, 2, 0)
    with CaptureQueriesContext(connection) as few:
        small = owner_client.get(url)
    _grow_staff(owner, 4, 2)

    with django_assert_num_queries(expected):
        large = owner_client.get(url)

    assert len(few) == expected
    assert len(html_of(large)) > len(html_of(small))


def test_the_roles_page_costs_the_same_queries_however_long_the_history(
    owner_client, owner, customer, department, django_assert_num_queries
):
    def flip(n: int) -> None:
        for i in range(n):
            services.roles_set(
                actor=owner,
                user=customer,
                is_representative=False,
                is_moderator=bool(i % 2 == 0),
                is_manager=False,
                is_community_owner=False,
            )
            customer.refresh_from_db()

    flip(1)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(f"/staff/u/{customer.pk}/")
    flip(6)

    # session, user, member, recent entries, department choices
    with django_assert_num_queries(5):
        owner_client.get(f"/staff/u/{customer.pk}/")
    assert len(few) == 5


# The Django admin ------------------------------------------------------------------------------


def test_role_changes_saved_in_the_django_admin_are_audited_too(rf, customer, department):
    from django.contrib import admin as django_admin

    from accounts.admin import UserAdmin

    operator = make_user(username="root", is_staff=True, is_superuser=True)
    request = rf.post("/admin/")
    request.user = operator
    customer.is_representative = True
    customer.title = "Специалист"
    customer.department = department

    UserAdmin(User, django_admin.site).save_model(request, customer, form=None, change=True)

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.target_user) == (operator, customer)
    assert entry.changes == {
        "is_representative": [False, True],
        "title": ["", "Специалист"],
        "department": [None, "Управление карточных продуктов"],
    }


def test_the_audit_log_cannot_be_edited_in_the_django_admin(rf):
    from django.contrib import admin as django_admin

    from accounts.admin import AuditEntryAdmin

    request = rf.get("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    model_admin = AuditEntryAdmin(AuditEntry, django_admin.site)

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
