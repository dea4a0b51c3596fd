from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Category, TopicKind, TopicStatus
from search.engine import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The search page's query and filters. Read from GET, so a search is a link."""

    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *TopicKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *TopicStatus.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label=_("All categories"),
        required=False,
    )
    articles_only = forms.BooleanField(label=_("Knowledge base articles only"), required=False)

    def filters(self) -> dict[str, object]:
        """The engine's keyword arguments for the valid filters."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
            "category": data.get("category"),
            "articles_only": bool(data.get("articles_only")),
        }
