from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AuditEntry, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "is_representative",
        "is_moderator",
        "is_manager",
        "is_community_owner",
        "department",
    ]
    list_filter = [
        "is_representative",
        "is_moderator",
        "is_manager",
        "is_community_owner",
        "department",
    ]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]
    readonly_fields = ["deleted_at"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("Community role"),
            {
                "fields": [
                    "display_name",
                    "is_representative",
                    "is_moderator",
                    "is_manager",
                    "is_community_owner",
                    "title",
                    "department",
                    "deleted_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # The owner's staff page audits every role change; changes made here are audited too.
        before = None
        if change:
            before = services.role_snapshot(
                User.objects.select_related("department").get(pk=obj.pk)
            )
        super().save_model(request, obj, form, change)
        if before is not None:
            services.roles_record(actor=request.user, user=obj, before=before)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, written by the services alone."""

    list_display = ["created_at", "action", "actor", "target_user", "target_department"]
    list_filter = ["action"]
    list_select_related = ["actor", "target_user", "target_department"]
    search_fields = ["actor__username", "target_user__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
