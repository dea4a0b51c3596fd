"""Filters and sorts for topic lists, shared by the pages and (later) the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from community.models import Category, Topic, TopicQuerySet, TopicStatus, status_choices

SORTS = [
    ("active", _("Active")),
    ("new", _("New")),
    ("top", _("Top")),
    ("unanswered", _("Unanswered")),
]


class TopicFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TopicStatus.choices, empty_label=_("Any status")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label=_("All categories"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Topic
        fields = ["status", "category"]

    def __init__(self, *args, kind: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind:
            self.filters["status"].extra["choices"] = status_choices(kind)

    def filter_sort(self, queryset: TopicQuerySet, name: str, value: str) -> TopicQuerySet:
        return {
            "new": queryset.newest,
            "top": queryset.top,
            "unanswered": queryset.unanswered,
        }.get(value, queryset.active)()

    @property
    def qs(self) -> TopicQuerySet:
        queryset = super().qs
        # "Active" is the default order when no sort was asked for.
        if not self.is_bound or not self.form.is_valid() or not self.form.cleaned_data.get("sort"):
            queryset = queryset.active()
        return queryset
