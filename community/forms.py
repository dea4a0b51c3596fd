from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Category, Reply, Topic, TopicKind, status_choices


class CategoryChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=Category.objects.filter(is_active=True),
            required=False,
            empty_label=_("No category"),
            label=_("Category"),
            **kwargs,
        )


class TopicForm(forms.ModelForm):
    """New topic. It only validates; `services.topic_create` writes."""

    kind = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=TopicKind.choices,
        widget=forms.RadioSelect,
        initial=TopicKind.QUESTION,
    )
    category = CategoryChoiceField()

    class Meta:
        model = Topic
        fields = ["kind", "title", "category", "body"]
        labels = {"title": _("Title"), "body": _("Details")}
        help_texts = {
            "title": _("One sentence: what happened or what you want to know."),
            "body": _(
                "Markdown is supported. Never post card numbers, CVV codes, passwords or SMS codes."
            ),
        }
        widgets = {
            "title": forms.TextInput(attrs={"autocomplete": "off"}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 8:
            raise forms.ValidationError(
                _("The title is too short: describe it in a few words (at least 8 characters).")
            )
        return title


class TopicEditForm(TopicForm):
    class Meta(TopicForm.Meta):
        fields = ["title", "category", "body"]

    kind = None


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["body"]
        labels = {"body": _("Your reply")}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args, topic: Topic, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(topic.kind)
        self.fields["status"].initial = topic.status
