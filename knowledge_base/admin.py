from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import Article, ArticleFeedback, Section

TREE_ORDER = [
    "root_position",
    "root_id",
    "middle_position",
    "middle_id",
    "leaf_position",
    "leaf_id",
]


def _tree_order(queryset):
    """Sort sections as the tree reads, root by root, within MAX_SECTION_DEPTH: each row gets
    the (position, id) of its root, its level-2 ancestor and itself."""
    depth3 = {"parent__parent__isnull": False}
    depth2 = {"parent__isnull": False}
    none = Value(-1, output_field=IntegerField())
    return queryset.annotate(
        root_position=Coalesce("parent__parent__position", "parent__position", "position"),
        root_id=Coalesce("parent__parent_id", "parent_id", "id"),
        middle_position=Case(
            When(**depth3, then=F("parent__position")),
            When(**depth2, then=F("position")),
            default=none,
        ),
        middle_id=Case(
            When(**depth3, then=F("parent_id")), When(**depth2, then=F("id")), default=none
        ),
        leaf_position=Case(When(**depth3, then=F("position")), default=none),
        leaf_id=Case(When(**depth3, then=F("id")), default=none),
    ).order_by(*TREE_ORDER)


class _TreeChangeList(ChangeList):
    # Column sorting would break the tree apart; the list always reads as the tree.
    def get_ordering(self, request, queryset) -> list[str]:
        return TREE_ORDER


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """The tree in reading order, with positions editable in the list: staff reorder sections
    without opening each one. The model's clean() refuses cycles and too deep nesting."""

    list_display = ["tree_name", "slug", "parent", "position", "category"]
    list_editable = ["position"]
    list_display_links = ["tree_name"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    list_select_related = ["parent__parent", "category"]

    def get_queryset(self, request):
        return _tree_order(super().get_queryset(request))

    def get_changelist(self, request, **kwargs):
        return _TreeChangeList

    @admin.display(description=_("name"))
    def tree_name(self, section: Section) -> str:
        depth = len(section.ancestors)
        return format_html("{}{}", "— " * depth, section.name)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """For looking articles up. Writing happens on the site, where every change goes through a
    service: Markdown is rendered, card numbers masked, and four-eyes publication enforced."""

    list_display = [
        "title",
        "section",
        "status",
        "review_by",
        "view_count",
        "helpful_yes",
        "helpful_no",
        "published_at",
    ]
    list_filter = ["status", "section"]
    search_fields = ["title", "body"]
    raw_id_fields = ["source_topic", "author", "reviewer"]
    date_hierarchy = "published_at"
    list_select_related = ["section"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "is_helpful", "created_at"]
    list_filter = ["is_helpful"]
    raw_id_fields = ["article", "user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
