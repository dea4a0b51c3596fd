from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User


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
        "is_community_owner",
        "department",
    ]
    list_filter = ["is_representative", "is_moderator", "is_community_owner", "department"]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("Community role"),
            {
                "fields": [
                    "display_name",
                    "is_representative",
                    "is_moderator",
                    "is_community_owner",
                    "title",
                    "department",
                ]
            },
        ),
    ]
