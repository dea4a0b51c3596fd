from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import Article, Section
from knowledge_base.services import BODY_MAX_LENGTH, TITLE_MAX_LENGTH


def section_tree(sections) -> list[tuple[Section, int]]:
    """Sections in tree order with their depth (0 for top level), from one list of rows."""
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    ordered: list[tuple[Section, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for section in children.get(parent_id, []):
            ordered.append((section, depth))
            walk(section.pk, depth + 1)

    walk(None, 0)
    return ordered


class _SectionTreeIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for section, depth in section_tree(self.queryset):
            value, label = self.choice(section)
            yield (value, "— " * depth + label)


class SectionChoiceField(forms.ModelChoiceField):
    """Sections as an indented tree, so "Delivery" under "Cards" reads as such in the list."""

    iterator = _SectionTreeIterator

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=Section.objects.all(), label=_("Section"), **kwargs)


class ArticleForm(forms.ModelForm):
    """Writing and editing an article. It only validates; the services write."""

    section = SectionChoiceField()

    class Meta:
        model = Article
        fields = ["title", "section", "review_by", "body"]
        labels = {"title": _("Title"), "review_by": _("Review by"), "body": _("Text")}
        help_texts = {
            "title": _("The customer's question in their words: it is what search matches."),
            "review_by": _(
                "When the article must be checked again. Empty: a year after publication."
            ),
            "body": _(
                "Markdown is supported. Never post card numbers, CVV codes, passwords or SMS codes."
            ),
        }
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH}),
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 16, "maxlength": BODY_MAX_LENGTH}),
        }

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class FeedbackForm(forms.Form):
    """ "Was this article helpful?" — the answer arrives as the name of the pressed button."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
