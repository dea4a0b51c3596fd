from django.contrib import admin

from community.models import Category, Event, Reply, Topic


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff change topics and replies on the site, where every change goes through a service,
    re-renders the Markdown and leaves an event. The admin is for looking things up."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "category", "author", "score", "created_at"]
    list_filter = ["kind", "status", "category", "is_hidden", "is_locked", "is_pinned"]
    search_fields = ["title"]
    raw_id_fields = ["author", "last_reply_by"]
    date_hierarchy = "created_at"


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "topic", "author", "is_official", "is_accepted", "created_at"]
    list_filter = ["is_official", "is_accepted"]
    raw_id_fields = ["topic", "author", "marked_official_by"]
    search_fields = ["body"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "topic", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["topic", "reply", "actor"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
