"""First-party page views without personal data: which page, what kind, where the visitor came
from (as a class), and a visitor hash that changes every local day.

The hash is blake2b(day's salt, address, user agent), cut to 64 bits: enough to tell a day's
visitors apart, useless for following anyone. The address and user agent are never stored; the
salt is random, kept in the database for its day only (so every app server hashes alike) and
deleted once the day is over, after which no hash can be recomputed or joined across days."""

import hashlib
import re
import secrets
from datetime import date, datetime
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import ResolverMatch

from accounts.adapters import client_ip
from analytics.metrics import local_day
from analytics.models import DailySalt, PageKind, PageView, ReferrerClass

# Crawlers, link previews, monitors, headless browsers and HTTP libraries. A browser always
# sends a user agent; a request without one is not a person either.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|scrap|facebookexternalhit|embedly|preview|"
    r"headless|phantomjs|lighthouse|pagespeed|gtmetrix|python|curl|wget|httpclient|okhttp|"
    r"go-http|java/|libwww|perl|ruby|node-fetch|axios|monitor|uptime|pingdom|statuscake|"
    r"yandex(?:bot|images|metrika|direct|accessibility|screenshot)|mail\.ru_bot|telegrambot|"
    r"whatsapp|vkshare|skypeuripreview|bingpreview",
    re.IGNORECASE,
)

SEARCH_ENGINE_HOSTS = re.compile(
    r"(^|\.)(google\.[a-z.]+|yandex\.[a-z.]+|ya\.ru|bing\.com|duckduckgo\.com|go\.mail\.ru|"
    r"search\.yahoo\.com|yahoo\.co\.jp|ecosia\.org|baidu\.com|nova\.rambler\.ru|qwant\.com|"
    r"startpage\.com|search\.brave\.com|sogou\.com|naver\.com|seznam\.cz)$"
)
SOCIAL_HOSTS = re.compile(
    r"(^|\.)(vk\.com|vk\.ru|ok\.ru|t\.me|telegram\.org|facebook\.com|fb\.com|instagram\.com|"
    r"twitter\.com|x\.com|t\.co|youtube\.com|linkedin\.com|lnkd\.in|reddit\.com|pinterest\.[a-z.]+|"
    r"tiktok\.com|dzen\.ru|zen\.yandex\.ru|pikabu\.ru|whatsapp\.com|wa\.me|viber\.com|"
    r"my\.mail\.ru)$"
)

# Not the community's public pages: the admin, the managers' reports, the API and files.
UNTRACKED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/reports/", "/i18n/")
LIST_PAGES = {"home", "topic-list", "question-list", "idea-list", "problem-list", "thanks-list"}

_salts: dict[date, str] = {}


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_USER_AGENT.search(user_agent))


def referrer_class(referrer: str, host: str) -> str:
    if not referrer:
        return ReferrerClass.DIRECT
    referrer_host = (urlsplit(referrer).hostname or "").lower().rstrip(".")
    if not referrer_host:
        return ReferrerClass.OTHER
    if referrer_host == host.split(":")[0].lower():
        return ReferrerClass.INTERNAL
    if SOCIAL_HOSTS.search(referrer_host):
        return ReferrerClass.SOCIAL
    if SEARCH_ENGINE_HOSTS.search(referrer_host):
        return ReferrerClass.SEARCH_ENGINE
    return ReferrerClass.OTHER


def page_kind(match: ResolverMatch | None) -> tuple[str, int | None]:
    """The kind of page and the topic or article it shows, from the URL pattern that served it."""
    if match is None:
        return PageKind.OTHER, None
    namespace, name = match.namespace, match.url_name or ""
    if namespace == "community":
        if name == "home":
            return PageKind.HOME, None
        if name in LIST_PAGES or name == "people":
            return PageKind.LIST, None
        if name in ("topic-detail", "topic-detail-short"):
            return PageKind.TOPIC, match.kwargs.get("pk")
        if name == "user-profile":
            return PageKind.PROFILE, None
    if namespace == "knowledge_base":
        if name.startswith("article-detail"):
            return PageKind.ARTICLE, match.kwargs.get("pk")
        return PageKind.LIST, None
    if namespace == "search":
        return PageKind.SEARCH, None
    return PageKind.OTHER, None


def salt_for(day: date) -> str:
    """The day's salt, created by the first request of the day (any server), which also
    deletes every older salt."""
    if day in _salts:
        return _salts[day]
    row = DailySalt.objects.filter(day=day).first()
    if row is None:
        try:
            with transaction.atomic():
                row = DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
                DailySalt.objects.filter(day__lt=day).delete()
        except IntegrityError:
            # Another server created it a moment ago.
            row = DailySalt.objects.get(day=day)
    _salts.clear()
    _salts[day] = row.salt
    return row.salt


def forget_salts() -> None:
    """Drop the salts this process remembers (tests; a rotated salt is never needed again)."""
    _salts.clear()


def client_address(request: HttpRequest) -> str:
    """The same address the rate limits count (TRUSTED_CLIENT_IP_HEADER / TRUSTED_PROXY_COUNT),
    so one proxy setting serves both and a client cannot choose its own by a forged header."""
    try:
        return client_ip(request)
    except PermissionDenied:
        return ""


def visitor_hash(request: HttpRequest, *, day: date) -> str:
    material = "\x1f".join(
        [salt_for(day), client_address(request), request.META.get("HTTP_USER_AGENT", "")]
    )
    return hashlib.blake2b(material.encode(), digest_size=8).hexdigest()


def is_tracked_visitor(request: HttpRequest) -> bool:
    """Customers and anonymous visitors; the bank's own people reading the community are not
    its audience."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    return not (user.is_official or user.can_moderate or user.is_manager or user.is_staff)


def record(request: HttpRequest, *, kind: str, object_id: int | None, at: datetime) -> PageView:
    """One INSERT (plus, once a day per process, reading or creating the day's salt)."""
    return PageView.objects.create(
        created_at=at,
        visitor=visitor_hash(request, day=local_day(at)),
        path=request.path[:300],
        kind=kind,
        object_id=object_id,
        referrer=referrer_class(request.META.get("HTTP_REFERER", ""), request.get_host()),
    )
