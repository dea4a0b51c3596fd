from django.contrib import admin

from search.models import SearchQuery, SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """Edits apply to the next search (the cached groups are forgotten on save)."""

    list_display = ["__str__", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["phrases"]


@admin.register(SearchQuery)
class SearchQueryAdmin(admin.ModelAdmin):
    """The query log, for looking up what customers searched and did not find."""

    list_display = ["text", "source", "result_count", "created_at", "clicked_at"]
    list_filter = ["source"]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
