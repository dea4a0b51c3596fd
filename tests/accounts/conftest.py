"""Sign-in test helpers: the providers' servers stand-in, and the steps a browser takes.

allauth does not ship its own test mixins in the wheel; these do what they do (allauth's
`mocked_response` replaces `requests.Session.request`): every HTTP call allauth makes to a
provider is answered here by URL, so the whole OAuth dance runs through our real views."""

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.conftest import make_user

PROVIDER_KEYS = {
    "vk": {"client_id": "vk-client", "secret": "vk-secret"},
    "yandex": {"client_id": "ya-client", "secret": "ya-secret"},
    "google": {"client_id": "g-client", "secret": "g-secret"},
    "mailru": {"client_id": "mr-client", "secret": "mr-secret"},
    "telegram": {"client_id": "123456", "secret": "123456:telegram-bot-token"},
}


def configure_providers(settings, *provider_ids: str) -> None:
    """Give these providers keys, as the environment variables would (settings "APPS")."""
    providers = {key: dict(value) for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()}
    for provider_id in provider_ids:
        providers[provider_id] = {**providers[provider_id], "APPS": [PROVIDER_KEYS[provider_id]]}
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def all_providers(settings):
    configure_providers(settings, "vk", "yandex", "telegram", "google", "mailru")


def _response(url: str, payload, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = url
    if isinstance(payload, str):
        response._content = payload.encode()
        response.headers["Content-Type"] = "text/plain"
    else:
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json"
    response.encoding = "utf-8"
    return response


@dataclass
class ProviderServers:
    """Answers by URL prefix; records what was asked so tests can check the conversation."""

    routes: dict[str, object]
    calls: list[tuple[str, str, dict]] = field(default_factory=list)

    def request(self, session, method, url, *args, **kwargs):
        self.calls.append((method.upper(), url, kwargs))
        for prefix, payload in self.routes.items():
            if url.startswith(prefix):
                return _response(url, payload)
        raise AssertionError(f"Unexpected request to a provider: {method} {url}")


# What each provider's servers answer: the token endpoint, then the profile endpoint, with data
# shaped like their real answers (VK ID user_info, Yandex login/info, Google userinfo v2,
# Mail.ru users.getInfo).
PROVIDER_ANSWERS = {
    "vk": lambda profile: {
        "https://id.vk.ru/oauth2/auth": {"access_token": "vk-token", "user_id": 1001},
        "https://id.vk.ru/oauth2/user_info": {
            "user": {
                "user_id": "1001",
                "first_name": "Иван",
                "last_name": "Петров",
                "avatar": "https://sun1.userapi.com/impg/ivan.jpg",
                "email": "ivan@example.ru",
                **profile,
            }
        },
    },
    "yandex": lambda profile: {
        "https://oauth.yandex.ru/token": {"access_token": "ya-token", "token_type": "bearer"},
        "https://login.yandex.ru/info": {
            "id": "2002",
            "login": "maria.s",
            "first_name": "Мария",
            "last_name": "Смирнова",
            "display_name": "maria.s",
            "default_email": "maria@yandex.ru",
            "emails": ["maria@yandex.ru"],
            "default_avatar_id": "131652443/abc",
            "is_avatar_empty": False,
            **profile,
        },
    },
    "google": lambda profile: {
        "https://oauth2.googleapis.com/token": {"access_token": "g-token", "expires_in": 3600},
        "https://www.googleapis.com/oauth2/v2/userinfo": {
            "id": "3003",
            "email": "oleg@gmail.com",
            "verified_email": True,
            "name": "Oleg Ivanov",
            "given_name": "Oleg",
            "family_name": "Ivanov",
            "picture": "https://lh3.googleusercontent.com/a/oleg",
            **profile,
        },
    },
    "mailru": lambda profile: {
        "https://connect.mail.ru/oauth/token": {
            "access_token": "mr-token",
            "x_mailru_vid": "4004",
        },
        "https://www.appsmail.ru/platform/api": [
            {
                "uid": "4004",
                "first_name": "Анна",
                "last_name": "Кузнецова",
                "nick": "anna.k",
                "email": "anna@mail.ru",
                "has_pic": 1,
                "pic_big": "https://avt.appsmail.ru/mail/anna/_avatarbig",
                **profile,
            }
        ],
    },
}


def start_provider_login(client, provider_id: str, *, process: str = "login", next_url=None):
    """Press the provider's button: a POST to our login URL, answered with a redirect to the
    provider. Returns that redirect's query."""
    query = f"?process={process}" + (f"&next={next_url}" if next_url else "")
    response = client.post(reverse(f"{provider_id}_login") + query)
    assert response.status_code == 302, response
    return parse_qs(urlsplit(response["Location"]).query), response["Location"]


def oauth2_login(client, provider_id: str, *, process: str = "login", profile=None):
    """The whole OAuth 2 round trip with the provider's HTTP mocked at the boundary. Returns the
    callback's response and the provider servers' record of the conversation."""
    query, _ = start_provider_login(client, provider_id, process=process)
    servers = ProviderServers(PROVIDER_ANSWERS[provider_id](profile or {}))
    callback = urlsplit(query["redirect_uri"][0]).path
    with mock.patch.object(requests.Session, "request", autospec=True) as request:
        request.side_effect = servers.request
        response = client.get(callback, {"code": "auth-code", "state": query["state"][0]})
    return response, servers


def telegram_auth_result(bot_token: str, **data) -> str:
    """What oauth.telegram.org puts after "#tgAuthResult=": base64 JSON signed with the bot
    token."""
    fields = {
        "id": 5005,
        "first_name": "Пётр",
        "last_name": "Сидоров",
        "username": "petr_s",
        "photo_url": "https://t.me/i/userpic/320/petr.jpg",
        "auth_date": int(time.time()),
        **data,
    }
    payload = "\n".join(sorted(f"{key}={value}" for key, value in fields.items()))
    secret = hashlib.sha256(bot_token.encode()).digest()
    fields["hash"] = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def telegram_login(client, *, process: str = "login", bot_token=None, **data):
    """The Telegram round trip: our redirect to oauth.telegram.org, then the callback page's
    script posting the signed result back (Telegram itself makes no server-side call)."""
    _, location = start_provider_login(client, "telegram", process=process)
    return_to = parse_qs(urlsplit(location).query)["return_to"][0]
    callback = urlsplit(return_to)
    token = bot_token or PROVIDER_KEYS["telegram"]["secret"]
    return client.post(
        f"{callback.path}?{callback.query}",
        {"tgAuthResult": telegram_auth_result(token, **data)},
    )


def social_login(client, provider_id: str, *, process: str = "login", profile=None):
    if provider_id == "telegram":
        return telegram_login(client, process=process, **(profile or {}))
    response, _ = oauth2_login(client, provider_id, process=process, profile=profile)
    return response


def complete_social_signup(client, **fields):
    """The last step of a social sign-up: the prefilled form, the consent box ticked."""
    page = client.get(reverse("socialaccount_signup"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {"email": data.get("email", ""), "username": data.get("username", ""), **fields}
    return client.post(reverse("socialaccount_signup"), data)


def code_from_mail(message) -> str:
    """The verification code in one of allauth's e-mails."""
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, flags=re.M)
    assert match, message.body
    return match.group(1)


def last_mail_to(address: str):
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no e-mail to {address}"
    return sent[-1]


def make_member(*, email: str, password: str = "s3cret-pass-42", verified: bool = True, **fields):
    """A member who signed up by e-mail and confirmed it, as allauth stores them."""
    user = make_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None
