"""Forms of the member's own pages: settings and account deletion. They only validate; the
services in accounts/services.py write. (accounts/forms.py holds the sign-in forms.)"""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts import avatars
from accounts.models import User

AVATAR_TYPES = "image/jpeg,image/png,image/webp"


class SettingsForm(forms.Form):
    """A plain Form, not a ModelForm: a ModelForm writes the typed values into the instance
    while validating, and the instance here is request.user, whose unsaved name would then
    show in the page header next to the errors."""

    display_name = forms.CharField(
        label=_("Name shown in the community"),
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text=_("Leave empty to be shown by your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    about = forms.CharField(
        label=_("About you"),
        max_length=User._meta.get_field("about").max_length,
        required=False,
        help_text=_("Plain text, shown on your public profile. Never post card or phone numbers."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    avatar = forms.FileField(
        label=_("New picture"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 2 MB. We cut it to a square."),
        widget=forms.ClearableFileInput(attrs={"accept": AVATAR_TYPES}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the site"),
        required=False,
        help_text=_("Applied now and every time you sign in."),
    )
    email_on_official_answer = forms.BooleanField(
        label=_("An official representative answers my topic"), required=False
    )
    email_on_status_change = forms.BooleanField(
        label=_("The status of my topic changes"), required=False
    )
    email_on_reply = forms.BooleanField(
        label=_("Someone replies in a topic I wrote"), required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "about": user.about,
                "language": user.language,
                "email_on_official_answer": user.email_on_official_answer,
                "email_on_status_change": user.email_on_status_change,
                "email_on_reply": user.email_on_reply,
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["language"].choices = [
            ("", _("As chosen at the bottom of the page")),
            *settings.LANGUAGES,
        ]
        # The plain file input: "clear" is the separate remove_avatar checkbox.
        self.fields["avatar"].widget = forms.FileInput(attrs={"accept": AVATAR_TYPES})

    def clean_avatar(self) -> bytes | None:
        upload: UploadedFile | None = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if upload.size > avatars.max_bytes():
            raise forms.ValidationError(
                _("The picture is too large: at most %(megabytes)s MB.")
                % {"megabytes": avatars.max_bytes() // (1024 * 1024)}
            )
        data = upload.read()
        # Checked here, so the error shows beside the field; the service checks again.
        avatars.avatar_thumbnail(data)
        return data


class AccountDeleteForm(forms.Form):
    """The confirmation step: a checkbox, plus the password where the account has one, or the
    username typed out where it has none (accounts created through VK, Telegram…)."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted for good."),
        required=True,
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    username = forms.CharField(
        label=_("Type your username to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["username"]
        else:
            del self.fields["password"]
            self.fields["username"].help_text = _("Your username is %(username)s.") % {
                "username": user.username
            }

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if username != self.user.username:
            raise forms.ValidationError(_("This is not your username."))
        return username
