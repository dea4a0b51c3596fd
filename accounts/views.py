"""The member's own pages (settings, data download, account deletion) and the owner's staff
pages (roles, departments, audit log). Each view: access check → form → one service call →
redirect. Services repeat every permission check, so a forged POST gets a 403 too."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from accounts import permissions, services
from accounts.export import personal_data_export
from accounts.forms_profile import AccountDeleteForm, SettingsForm
from accounts.forms_staff import AuditFilterForm, DepartmentForm, RolesForm, StaffSearchForm
from accounts.language import remember_language
from accounts.models import AuditEntry, Department, User
from community.htmx import is_htmx, rate_setting
from community.models import Category
from community.pagination import page_or_404, query_without_page

STAFF_PER_PAGE = 30
AUDIT_PER_PAGE = 50


def _too_often(request: HttpRequest) -> bool:
    return getattr(request, "limited", False)


# The member's own pages -----------------------------------------------------------------------


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_PROFILE"), method="POST", block=False)
def settings_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = SettingsForm(request.POST, request.FILES, user=user)
        if _too_often(request):
            form.add_error(None, _("You are saving too often. Please wait a few minutes."))
        elif form.is_valid():
            try:
                services.profile_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
                # The service rolled back, but it had already set the new values on
                # request.user, which the page header shows.
                user.refresh_from_db()
            else:
                language = form.cleaned_data["language"]
                if language:
                    translation.activate(language)
                messages.success(request, _("Your settings are saved."))
                if labels := getattr(user, "masked_labels", None):
                    messages.warning(
                        request,
                        _(
                            "We hid %(what)s in your text. This page is public: never publish "
                            "card details or phone numbers."
                        )
                        % {"what": ", ".join(labels)},
                    )
                response = redirect("accounts:settings")
                if language:
                    remember_language(response, language)
                return response
        # Whatever failed, the typed values are in the bound form. A chosen file is the one
        # thing no browser can keep, so the page says so beside the field.
        if request.FILES.get("avatar") and "avatar" not in form.errors:
            form.add_error(
                "avatar", _("Please choose the picture again: the browser could not keep it.")
            )
    else:
        form = SettingsForm(user=user)
    ctx = {
        "form": form,
        "has_password": user.has_usable_password(),
        "can_delete": permissions.can_delete_account(user),
    }
    return render(request, "accounts/settings.html", ctx)


@require_POST
@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_DATA_EXPORT"), method="POST", block=False)
def data_export(request: HttpRequest) -> HttpResponse:
    if _too_often(request):
        messages.error(request, _("You downloaded your data a moment ago. Try again later."))
        return redirect("accounts:settings")
    now = timezone.now()
    data = personal_data_export(
        user=request.user, base_url=request.build_absolute_uri("/").rstrip("/"), at=now
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    filename = f"vmeste-{request.user.pk}-{now:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no proxy or browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_ACCOUNT_DELETE"), method="POST", block=False)
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_delete = permissions.can_delete_account(user)
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=user)
        # Limited before validation: the password field must not become a guessing oracle.
        if _too_often(request):
            form.add_error(None, _("Too many attempts. Please wait a few minutes."))
        elif form.is_valid():
            try:
                services.account_delete(user=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                logout(request)
                messages.success(
                    request,
                    _("Your account is deleted. Your posts stay, signed “Deleted user”."),
                )
                return redirect("community:home")
    else:
        form = AccountDeleteForm(user=user)
    return render(request, "accounts/account_delete.html", {"form": form, "can_delete": can_delete})


# The owner's staff pages ----------------------------------------------------------------------


def _require_owner(request: HttpRequest) -> None:
    if not permissions.can_manage_staff(request.user):
        raise PermissionDenied(_("Only the community owner manages the staff."))


@login_required
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_owner(request)
    form = StaffSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    members = User.objects.search(query) if query else User.objects.staff()
    ctx = {
        "form": form,
        "query_text": query,
        "page": page_or_404(request, members, STAFF_PER_PAGE),
        "query": query_without_page(request),
    }
    if is_htmx(request):
        response = render(request, "accounts/partials/staff_results.html", ctx)
    else:
        response = render(request, "accounts/staff_list.html", ctx)
    # The same URL answers a fragment or a page: no cache may hand one out for the other.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_STAFF"), method="POST", block=False)
def staff_roles(request: HttpRequest, pk: int) -> HttpResponse:
    _require_owner(request)
    member = get_object_or_404(
        User.objects.select_related("department"), pk=pk, deleted_at__isnull=True
    )
    if request.method == "POST":
        form = RolesForm(request.POST, member=member)
        if _too_often(request):
            form.add_error(None, _("Too many changes at once. Please wait a minute."))
        elif form.is_valid():
            try:
                services.roles_set(actor=request.user, user=member, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Roles of %(name)s are saved.") % {"name": member.name})
                return redirect("accounts:staff-roles", pk=member.pk)
    else:
        form = RolesForm(member=member)
    ctx = {
        "member": member,
        "form": form,
        "entries": AuditEntry.objects.for_log().involving(member)[:10],
    }
    return render(request, "accounts/staff_roles.html", ctx)


def _departments():
    return Department.objects.annotate(member_count=Count("members")).prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("position", "name"))
    )


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_STAFF"), method="POST", block=False)
def department_list(request: HttpRequest) -> HttpResponse:
    """Departments with their categories, and the form that adds one."""
    _require_owner(request)
    if request.method == "POST":
        form = DepartmentForm(request.POST)
        if _too_often(request):
            form.add_error(None, _("Too many changes at once. Please wait a minute."))
        elif form.is_valid():
            try:
                department = services.department_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Department “%(name)s” is added.") % {"name": department.name}
                )
                return redirect("accounts:department-list")
    else:
        form = DepartmentForm()
    ctx = {"departments": _departments(), "form": form}
    return render(request, "accounts/department_list.html", ctx)


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_STAFF"), method="POST", block=False)
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_owner(request)
    department = get_object_or_404(Department, pk=pk)
    if request.method == "POST":
        form = DepartmentForm(request.POST, instance=department)
        if _too_often(request):
            form.add_error(None, _("Too many changes at once. Please wait a minute."))
        elif form.is_valid():
            try:
                services.department_update(
                    actor=request.user, department=department, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("accounts:department-list")
    else:
        form = DepartmentForm(instance=department)
    ctx = {"department": department, "form": form, "members": department.members.order_by("pk")}
    return render(request, "accounts/department_edit.html", ctx)


@login_required
@ratelimit(key="user", rate=rate_setting("RATE_LIMIT_STAFF"), method="POST", block=False)
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_owner(request)
    department = get_object_or_404(_departments(), pk=pk)
    if request.method == "POST":
        if _too_often(request):
            messages.error(request, _("Too many changes at once. Please wait a minute."))
            return redirect("accounts:department-list")
        name = department.name
        services.department_delete(actor=request.user, department=department)
        messages.success(request, _("Department “%(name)s” is deleted.") % {"name": name})
        return redirect("accounts:department-list")
    return render(request, "accounts/department_delete.html", {"department": department})


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_owner(request)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.for_log()
    member = None
    username = form.cleaned_data["user"].strip() if form.is_valid() else ""
    if username:
        member = User.objects.filter(username__iexact=username).first()
        entries = entries.involving(member) if member else entries.none()
    ctx = {
        "form": form,
        "member": member,
        "username": username,
        "page": page_or_404(request, entries, AUDIT_PER_PAGE),
        "query": query_without_page(request),
    }
    return render(request, "accounts/audit_log.html", ctx)
