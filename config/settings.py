"""The one settings module. Everything that differs between a laptop and a bank's production
servers comes from the environment; see README.md, "Configuration"."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# pytest imports the settings itself; the suite must run without any environment set up.
TESTING = "pytest" in sys.modules


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-local-development-only"
    else:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment (or DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The name customers see in the header, page titles and e-mails.
COMMUNITY_NAME = os.environ.get("COMMUNITY_NAME", "Банк Вместе")
# The site's public address, for links in e-mails sent by scheduled commands (no request there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Each provider is offered only once its keys are configured (below, or in the admin).
    "allauth.socialaccount.providers.vk",
    "allauth.socialaccount.providers.yandex",
    "allauth.socialaccount.providers.telegram",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.mailru",
    "rest_framework",
    # Tokens for the reports API (/api/v1/reports/): managers create and revoke them on a page.
    "rest_framework.authtoken",
    "django_filters",
    "accounts",
    "community",
    "knowledge_base",
    "search",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "accounts.provider_csp.SignInFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.HtmxLoginRedirectMiddleware",
    "accounts.language.MemberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: it sees the final response and the signed-in user (ANALYTICS_PAGE_VIEWS).
    "analytics.middleware.PageViewMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.community",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Tests close every connection at once: the browser tests serve requests from threads.
        conn_max_age=0 if TESTING else int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; the demo and small installs run on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:home"
LOGOUT_REDIRECT_URL = "community:home"

# django-allauth (README.md, "Sign-in providers"). Sign-in by username or e-mail; an e-mail
# sign-up is verified by a code sent to the address before the account can be used; every sign-up
# (e-mail or social) passes a form with the personal-data consent (accounts/forms.py).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
SOCIALACCOUNT_FORMS = {
    "signup": "accounts.forms.SocialSignupForm",
    "disconnect": "accounts.forms.DisconnectForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
# A mistyped address can be corrected on the code page instead of starting over.
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{COMMUNITY_NAME}] "
# Telegram gives no e-mail: a social sign-up may leave the address empty and add it later.
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = int(os.environ.get("SOCIALACCOUNT_REQUESTS_TIMEOUT", "5"))


def _social_app(prefix: str, *, client_id: str = "CLIENT_ID", secret: str = "SECRET") -> list:  # noqa: S107
    """One app from <PREFIX>_CLIENT_ID and <PREFIX>_SECRET, or none when either is missing (the
    provider then stays hidden unless an app is added in the admin)."""
    app = {
        "client_id": os.environ.get(f"{prefix}_{client_id}", ""),
        "secret": os.environ.get(f"{prefix}_{secret}", ""),
    }
    return [app] if app["client_id"] and app["secret"] else []


SOCIALACCOUNT_PROVIDERS = {
    # VK ID (id.vk.ru): OAuth 2.1 with PKCE.
    "vk": {"APPS": _social_app("VK"), "SCOPE": ["email"]},
    # Yandex ID reports whether the address is confirmed; allauth trusts it.
    "yandex": {
        "APPS": _social_app("YANDEX"),
        "SCOPE": ["login:info", "login:email", "login:avatar"],
    },
    # Telegram: the bot's numeric id and its token (from @BotFather); redirect flow, no widget.
    "telegram": {
        "APPS": _social_app("TELEGRAM", client_id="BOT_ID", secret="BOT_TOKEN"),
        "AUTH_PARAMS": {"auth_date_validity": 300},
    },
    "google": {
        "APPS": _social_app("GOOGLE"),
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"prompt": "select_account"},
    },
    "mailru": {"APPS": _social_app("MAILRU")},
}

# Rate limits on the sign-in pages (allauth's own, counted per IP and per login/e-mail "key").
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": os.environ.get("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "20/h/ip"),
    "reset_password": os.environ.get("RATE_LIMIT_RESET_PASSWORD", "20/h/ip,3/h/key"),
    "reset_password_from_key": os.environ.get("RATE_LIMIT_RESET_PASSWORD_FROM_KEY", "20/h/ip"),
    # One verification e-mail per address per 10 s (allauth's default for codes).
    "confirm_email": os.environ.get("RATE_LIMIT_CONFIRM_EMAIL", "1/10s/key"),
    "change_password": os.environ.get("RATE_LIMIT_CHANGE_PASSWORD", "5/m/user"),
    "manage_email": os.environ.get("RATE_LIMIT_MANAGE_EMAIL", "10/m/user"),
}

# The client's address behind a reverse proxy, one answer for allauth and django-ratelimit
# (accounts.adapters.client_ip): either the header the proxy sets (X-Real-IP, CF-Connecting-IP)
# or the number of proxies that append to X-Forwarded-For. Neither is trusted by default: a
# client could otherwise write its own address into the header and dodge every per-IP limit.
TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "").strip()
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "accounts.adapters.client_ip"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Avatars (accounts/avatars.py): the largest file accepted, the most pixels decoded (against
# decompression bombs), the side of the stored square, and how long a provider's picture may take.
AVATAR_MAX_BYTES = int(os.environ.get("AVATAR_MAX_BYTES", str(2 * 1024 * 1024)))
AVATAR_MAX_PIXELS = int(os.environ.get("AVATAR_MAX_PIXELS", str(4096 * 4096)))
AVATAR_SIZE = 256
AVATAR_FETCH_TIMEOUT = float(os.environ.get("AVATAR_FETCH_TIMEOUT", "5"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "community@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# Rate limits on writes (django-ratelimit). The counters live in the default cache: set REDIS_URL
# in production so every app server shares them.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATE_LIMIT_POST_TOPIC = os.environ.get("RATE_LIMIT_POST_TOPIC", "5/10m")
RATE_LIMIT_POST_REPLY = os.environ.get("RATE_LIMIT_POST_REPLY", "20/10m")
RATE_LIMIT_VOTE = os.environ.get("RATE_LIMIT_VOTE", "60/m")
# Accounts: the settings page, the data download, the deletion step (it checks a password), and
# the owner's staff pages.
RATE_LIMIT_PROFILE = os.environ.get("RATE_LIMIT_PROFILE", "20/10m")
RATE_LIMIT_DATA_EXPORT = os.environ.get("RATE_LIMIT_DATA_EXPORT", "5/h")
RATE_LIMIT_ACCOUNT_DELETE = os.environ.get("RATE_LIMIT_ACCOUNT_DELETE", "5/10m")
RATE_LIMIT_STAFF = os.environ.get("RATE_LIMIT_STAFF", "120/10m")
# Suggestions while typing, per IP: one request per pause in typing (debounced in the browser).
RATE_LIMIT_SUGGEST = os.environ.get("RATE_LIMIT_SUGGEST", "120/m")
# The search page, per user or IP (each first page of results writes a query-log row).
RATE_LIMIT_SEARCH = os.environ.get("RATE_LIMIT_SEARCH", "120/m")
# Surveys (CSAT, NPS): answers and dismissals per user.
RATE_LIMIT_SURVEY = os.environ.get("RATE_LIMIT_SURVEY", "10/10m")

# Analytics (docs/metrics.md). The SLA for the first official response, in hours.
ANALYTICS_SLA_HOURS = int(os.environ.get("ANALYTICS_SLA_HOURS", "24"))
# Of the contacts the community saves, the share that would have been calls (the rest e-mails).
ANALYTICS_ROI_CALL_SHARE = os.environ.get("ANALYTICS_ROI_CALL_SHARE", "0.5")
# rollup_metrics rolls this many past days again on every run, to pick up late events.
ANALYTICS_REROLL_DAYS = int(os.environ.get("ANALYTICS_REROLL_DAYS", "7"))
# First-party page views (analytics.middleware). Off in the test suite, so every page's query
# count stays its own; tests/analytics turns it on and checks the one INSERT it adds.
ANALYTICS_PAGE_VIEWS = env_bool("ANALYTICS_PAGE_VIEWS", not TESTING)
# NPS: asked at most once per this many days; the prompt stays offered this many days.
ANALYTICS_NPS_INTERVAL_DAYS = int(os.environ.get("ANALYTICS_NPS_INTERVAL_DAYS", "90"))
ANALYTICS_NPS_PROMPT_DAYS = int(os.environ.get("ANALYTICS_NPS_PROMPT_DAYS", "3"))
# The NPS prompt on every page for signed-in customers (one cached query). Off in the test suite
# for the same reason as page views; tests/analytics turns it on.
ANALYTICS_NPS_PROMPT = env_bool("ANALYTICS_NPS_PROMPT", not TESTING)
if not REDIS_URL:
    # The local-memory cache is per process: fine for one `runserver`, not for several workers.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 and HTTPS=1.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Per client IP (anonymous) or user; DRF's rate format, e.g. "60/min", "1000/hour".
    "DEFAULT_THROTTLE_RATES": {
        "search_similar": os.environ.get("API_THROTTLE_SEARCH_SIMILAR", "60/min"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
