"""How django-allauth signs members up and in here: a recorded personal-data consent on every
sign-up path, no silent social sign-ups, profile data carried over from the provider, and one
notion of the client's IP address shared with django-ratelimit."""

import ipaddress
import logging
from importlib import import_module

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts.consent import PERSONAL_DATA_VERSION, consent_record
from accounts.models import User

logger = logging.getLogger(__name__)

# Where each provider sends the browser to sign in (and the hosts it bounces through on the way).
# Browsers apply the page's `form-action` policy to the redirects that follow a form submission,
# so the sign-in pages must name these origins or the "Sign in with…" buttons would be blocked.
PROVIDER_FORM_ACTION_ORIGINS = {
    "vk": ["https://id.vk.ru", "https://id.vk.com", "https://*.vk.ru", "https://*.vk.com"],
    "yandex": ["https://*.yandex.ru", "https://*.yandex.com"],
    "google": ["https://accounts.google.com"],
    "mailru": ["https://*.mail.ru"],
    "telegram": ["https://oauth.telegram.org"],
}

# Profile pictures are never shown from the provider's servers (no third-party requests): only
# their address is kept, and the picture is copied to our own storage after sign-up.
_https_url = URLValidator(schemes=["https"])
_AVATAR_URL_MAX_LENGTH = User._meta.get_field("avatar_url").max_length


def client_ip(request: HttpRequest) -> str:
    """The client's address as our own proxies saw it. Behind a proxy REMOTE_ADDR is the proxy, so
    trust either the header the proxy sets (TRUSTED_CLIENT_IP_HEADER, e.g. X-Real-IP) or the
    entry that the nearest of TRUSTED_PROXY_COUNT proxies appended to X-Forwarded-For. Everything
    to the left of that entry was written by the client and is ignored. django-ratelimit
    (RATELIMIT_IP_META_KEY) and allauth (AccountAdapter.get_client_ip) both call this, so the
    per-IP limits on sign-in and on posting count the same address."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    candidate = None
    header = settings.TRUSTED_CLIENT_IP_HEADER
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if header:
        candidate = request.headers.get(header, "").strip()
    elif proxy_count > 0:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxy_count:
            candidate = hops[-proxy_count]
    for value in (candidate, remote_addr):
        try:
            return str(ipaddress.ip_address(value or ""))
        except ValueError:
            continue
    # No usable address at all (a misconfigured socket proxy): refuse rather than put every
    # such request into one shared rate-limit bucket that an attacker could fill for everyone.
    raise PermissionDenied("Unable to determine the client's IP address.")


class EmailVerificationStage(stages.EmailVerificationStage):
    """Mandatory verification checks the addresses a member gave us. A member who gave none has
    nothing to verify: Telegram hands over no e-mail, and accounts created by staff in the admin
    have none yet. Blocking them would lock them out for good, so they sign in and can add (and
    verify) an address later. Every e-mail sign-up stores its address, so it is always checked."""

    def handle(self):
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def get_login_stages(self) -> list[str]:
        return [
            f"{__name__}.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Both sign-up forms (e-mail and the social step) end here. The account and the consent
        are saved together: there is no moment at which an account exists without one."""
        if not form.cleaned_data.get("consent"):
            # The forms refuse this already; this guards any future sign-up path.
            raise PermissionDenied("Sign-up without consent to personal-data processing.")
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                consent_record(user=user, version=PERSONAL_DATA_VERSION, at=timezone.now())
        return user


# The order of the sign-in buttons: what the bank's customers use most comes first.
PROVIDER_ORDER = ["vk", "yandex", "telegram", "google", "mailru"]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_providers(self, request: HttpRequest) -> list:
        providers = super().list_providers(request)
        rank = {provider_id: n for n, provider_id in enumerate(PROVIDER_ORDER)}
        return sorted(providers, key=lambda provider: rank.get(provider.id, len(rank)))

    def get_provider(self, request: HttpRequest, provider, client_id=None):
        # A provider without keys does not exist here: its URLs answer 404, not a server error.
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as missing:
            raise Http404("This sign-in provider is not configured.") from missing

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # A provider's "yes" is not consent to our processing of personal data (152-FZ): every
        # new member passes the sign-up step with its own unchecked consent box.
        return False

    def get_signup_form_initial_data(self, sociallogin: SocialLogin) -> dict:
        """Prefill a username nobody has yet, so that most people only tick the consent box."""
        initial = super().get_signup_form_initial_data(sociallogin)
        adapter = self._account_adapter()
        suggestion = initial.get("username") or ""
        try:
            adapter.clean_username(suggestion)
        except ValidationError:
            suggestion = adapter.generate_unique_username(
                [
                    suggestion,
                    initial.get("first_name"),
                    initial.get("last_name"),
                    initial.get("email"),
                    "user",
                ]
            )
        initial["username"] = suggestion
        return initial

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            user.display_name = profile_name(sociallogin, data)[: _display_name_max_length()]
        if not user.avatar_url:
            user.avatar_url = profile_avatar_url(sociallogin)
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None):
        if form is None:
            raise PermissionDenied("Social sign-up without the sign-up form and its consent.")
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form=form)
        copy_avatar_later(user)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """When a signed-in member connects a provider, fill the profile fields they left empty
        (never overwrite what they chose themselves)."""
        user = request.user
        if (
            sociallogin.state.get("process") != "connect"
            or not user.is_authenticated
            or sociallogin.is_existing
        ):
            return
        changed = []
        if not user.display_name:
            name = profile_name(sociallogin, sociallogin.account.extra_data)
            if name:
                user.display_name = name[: _display_name_max_length()]
                changed.append("display_name")
        if not user.avatar_url and not user.avatar:
            url = profile_avatar_url(sociallogin)
            if url:
                user.avatar_url = url
                changed.append("avatar_url")
        if changed:
            user.save(update_fields=changed)
            if "avatar_url" in changed:
                copy_avatar_later(user)

    @staticmethod
    def _account_adapter() -> AccountAdapter:
        from allauth.account.adapter import get_adapter

        return get_adapter()


def _display_name_max_length() -> int:
    return User._meta.get_field("display_name").max_length


def profile_name(sociallogin: SocialLogin, data: dict) -> str:
    """The name the member uses at the provider: first and last name, else a full-name field."""
    user = sociallogin.user
    parts = [getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or ""]
    name = " ".join(part.strip() for part in parts if part and part.strip())
    if not name:
        extra = sociallogin.account.extra_data or {}
        for key in ("name", "real_name", "display_name"):
            value = data.get(key) or extra.get(key)
            if isinstance(value, str) and value.strip():
                name = value.strip()
                break
    return name


def profile_avatar_url(sociallogin: SocialLogin) -> str:
    """The address of the member's picture at the provider, if it is a plain https URL."""
    extra = sociallogin.account.extra_data or {}
    candidates = []
    try:
        candidates.append(sociallogin.account.get_provider_account().get_avatar_url())
    except Exception:  # noqa: BLE001 - a provider's account class must not break a sign-up
        logger.warning("Could not read the avatar of a %s account", sociallogin.account.provider)
    # Fields the providers' account classes do not read: VK ID "avatar", Telegram "photo_url",
    # Yandex publishes an avatar id to put into its avatar service's address.
    candidates += [extra.get("avatar"), extra.get("photo_url"), extra.get("picture")]
    avatar_id = extra.get("default_avatar_id")
    if avatar_id and not extra.get("is_avatar_empty"):
        candidates.append(f"https://avatars.yandex.net/get-yapic/{avatar_id}/islands-200")
    for url in candidates:
        if not isinstance(url, str) or len(url) > _AVATAR_URL_MAX_LENGTH:
            continue
        try:
            _https_url(url)
        except ValidationError:
            continue
        return url
    return ""


def copy_avatar_later(user: User) -> None:
    """Copy the provider's picture to our storage once the sign-up is committed. The copying
    lives in accounts.avatars (it checks type and size, resizes, never raises)."""
    if not user.avatar_url or user.avatar:
        return
    try:
        avatars = import_module("accounts.avatars")
    except ImportError:
        return
    save_from_url = getattr(avatars, "avatar_save_from_url", None)
    if save_from_url is None:
        return
    user_pk, url = user.pk, user.avatar_url

    def _copy() -> None:
        member = User.objects.filter(pk=user_pk).first()
        if member is not None:
            save_from_url(user=member, url=url)

    transaction.on_commit(_copy)
