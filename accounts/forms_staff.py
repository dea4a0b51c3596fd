"""Forms of the owner's staff pages. They only validate; accounts/services.py writes and
records each change in the audit log."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from community.models import Category


class StaffSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a member"),
        required=False,
        max_length=100,
        help_text=_("Username, name or e-mail."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class CategoryChoiceLabelMixin:
    """Categories are listed with the department that has them now, so the owner sees that
    choosing one moves it."""

    def label_from_instance(self, category: Category) -> str:
        if category.department_id:
            return _("%(category)s (now: %(department)s)") % {
                "category": category.name,
                "department": category.department.name,
            }
        return category.name


class CategoriesField(CategoryChoiceLabelMixin, forms.ModelMultipleChoiceField):
    pass


class RolesForm(forms.Form):
    is_representative = forms.BooleanField(
        label=_("Official representative"),
        required=False,
        help_text=_("Answers officially; their posts carry the badge with their title."),
    )
    title = forms.CharField(
        label=_("Title in the badge"),
        required=False,
        max_length=User._meta.get_field("title").max_length,
        help_text=_("For example, “Head of card products”."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("No department"),
    )
    is_moderator = forms.BooleanField(
        label=_("Moderator"), required=False, help_text=_("Pins, locks and hides topics.")
    )
    is_manager = forms.BooleanField(
        label=_("Manager"), required=False, help_text=_("Reads the community's reports.")
    )
    is_community_owner = forms.BooleanField(
        label=_("Community owner"),
        required=False,
        help_text=_("Everything, including this page. Shown as “Community creator”."),
    )

    def __init__(self, *args, member: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "is_representative": member.is_representative,
                "title": member.title,
                "department": member.department_id,
                "is_moderator": member.is_moderator,
                "is_manager": member.is_manager,
                "is_community_owner": member.is_community_owner,
            },
        )
        super().__init__(*args, **kwargs)


class DepartmentForm(forms.ModelForm):
    categories = CategoriesField(
        label=_("Categories it answers in"),
        queryset=Category.objects.select_related("department").order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Department
        fields = ["name", "position"]
        labels = {"name": _("Department name"), "position": _("Position in lists")}
        help_texts = {"position": _("Smaller numbers come first on the People page.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["categories"] = [
                category.pk for category in self.instance.categories.all()
            ]


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        label=_("Member (username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
