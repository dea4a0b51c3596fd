"""The two sign-up forms: e-mail and password, and the last step of a sign-up through VK, Yandex,
Telegram, Google or Mail.ru. Both carry the separate personal-data consent."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.manage_email import assess_unique_email
from allauth.socialaccount.forms import DisconnectForm as AllauthDisconnectForm
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.consent import PERSONAL_DATA_VERSION


class PersonalDataConsentForm(forms.Form):
    """152-FZ wants the consent separate from everything else and given by an act of the person:
    its own box, unchecked, that the form will not pass without."""

    consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data"),
        label_suffix="",
        required=True,
        initial=False,
        error_messages={
            "required": _(
                "To create an account, please give your consent to the processing of "
                "your personal data."
            )
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: the link follows the page's language. It opens in a new tab so that
        # reading the document does not lose what the person has typed.
        self.fields["consent"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> {}',
            reverse("accounts:consent-personal-data"),
            gettext("Read the consent to personal data processing (version %(version)s)")
            % {"version": PERSONAL_DATA_VERSION},
            gettext("(opens in a new tab)"),
        )
        self.fields["consent"].widget.attrs["class"] = "consent-checkbox"
        # Last, right above the button: the final, separate decision of the form.
        self.fields["consent"] = self.fields.pop("consent")


class SignupForm(PersonalDataConsentForm, AllauthSignupForm):
    """Sign-up by e-mail and password (ACCOUNT_FORMS["signup"])."""


class SocialSignupForm(PersonalDataConsentForm, AllauthSocialSignupForm):
    """The last step of a social sign-up (SOCIALACCOUNT_FORMS["signup"]): the provider told us who
    the person is; we still need their consent, and an e-mail address that is not someone
    else's account."""

    @property
    def provider_name(self) -> str:
        return self.sociallogin.provider.name

    @property
    def email_belongs_to_an_account(self) -> bool:
        """The address the provider gave us is already an account here. Shown before the person
        submits anything, together with what to do about it."""
        email = (self.initial.get("email") or "").strip()
        return bool(email) and assess_unique_email(email) is not True

    def validate_unique_email(self, value: str) -> str:
        # For the e-mail form allauth hides whether an address has an account (it mails the
        # owner instead). Here the person just proved who they are at the provider, and a silent
        # "check your mail" would leave them stuck, so we say what happened and what to do.
        # Taking over the existing account is never an option: the provider's word about an
        # address is not proof that this person owns the account registered with it.
        if assess_unique_email(value) is not True:
            raise forms.ValidationError(
                gettext(
                    "An account with this e-mail address already exists. If it is yours, sign "
                    "in to it first (with your password or the way you signed in before), then "
                    "connect %(provider)s under “Connected accounts”. Or use another address."
                )
                % {"provider": self.provider_name},
                code="email_taken",
            )
        return super().validate_unique_email(value)


class DisconnectForm(AllauthDisconnectForm):
    """The connected-accounts list (SOCIALACCOUNT_FORMS["disconnect"]). Each choice's label names
    its member; loading them together keeps the page at a fixed number of queries."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = self.accounts.select_related("user").order_by("date_joined", "pk")
        self.fields["account"].queryset = self.accounts
