"""CoProd settings: one module, configured by environment variables (see .env.example)."""

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in TRUE_WORDS:
        return True
    if value.strip().lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "coprod",
    "workshops",
    "surveys",
    "projects",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "coprod.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can fail, so that error pages (a bad Host, a 500, a 503) are never framed either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coprod.middleware.permissions_policy",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "coprod.middleware.session_lifetime",
    "coprod.middleware.private_no_store",
    "coprod.two_factor.require_verified",
    "coprod.audit.audit_context",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
    "coprod.middleware.method_not_allowed_page",
]

ROOT_URLCONF = "coprod.urls"
WSGI_APPLICATION = "coprod.wsgi.application"

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
                "coprod.context_processors.navigation",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            # No health check: it costs every request a SELECT 1. A connection that died meanwhile fails its
            # request with a 503 (coprod.middleware) and is dropped, and the next request opens a new one.
            conn_health_checks=False,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {error}") from None

# Production: Redis, which every app server shares (REDIS_URL, e.g. redis://127.0.0.1:6379/0): the rate limits'
# counts (coprod.limits) and the dashboard's built sections. Without it (`make run`, one server): a cache table
# in the database (created by a surveys migration) and the rate limits' own table; `check --deploy` warns.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "coprod",
            # A cache that cannot answer in a second is treated as down (a miss), not waited for.
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coprod_cache"}}
# Per worker process, for what never changes once made: a questionnaire's rendered statements.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "coprod-local"}

# Attendees' questionnaire submissions, and wrong short codes, per client address (as CLIENT_IP_META_KEY finds
# it): generous, since a room of 60 may share one venue Wi-Fi address (pre and post, with a few retries each).
# "count/period" (s, m, h, d), e.g. 300/10m; the load benchmark lifts it.
SURVEY_RATE_LIMIT = os.environ.get("SURVEY_RATE_LIMIT", "300/10m")
if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", SURVEY_RATE_LIMIT):
    raise ImproperlyConfigured(f"SURVEY_RATE_LIMIT must look like 300/10m (count/period), not {SURVEY_RATE_LIMIT!r}.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "coprod.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",  # refuses locked-out credentials before the password is even checked
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling. 10 failed guesses for one username from one address lock that username at that address for
# 5 minutes (Cyber Essentials: at most 10 guesses in 5 minutes); colleagues behind the same office or NHS network
# address still log in. Counting the pair, not the address, is what stops one person's typos locking out an office.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (a few guesses at many usernames) is stopped per address, at a figure no office reaches by
# mistyping: 100 failures in 5 minutes would take ten colleagues behind one address each locking themselves out
# within the same 5 minutes, while a sprayer gets at most 100 guesses per address per 5 minutes. Axes cannot give
# this parameter set its own limit, so coprod.middleware.LoginThrottle adds it to axes' database handler.
LOGIN_ADDRESS_FAILURE_LIMIT = 100
AXES_HANDLER = "coprod.middleware.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_VERBOSE = False  # its log lines name the username (often an email); coprod.signals logs without it
AXES_ENABLE_ACCESS_LOG = False
AXES_CLIENT_IP_CALLABLE = "coprod.middleware.client_ip"
AXES_USERNAME_CALLABLE = "coprod.middleware.login_username"
# Behind a reverse proxy: the request.META key of a header the proxy overwrites with the client's address
# (e.g. HTTP_X_REAL_IP). Empty: the connection's address (REMOTE_ADDR).
CLIENT_IP_META_KEY = os.environ.get("CLIENT_IP_META_KEY", "") or "REMOTE_ADDR"
# Behind a reverse proxy that sets X-Request-ID on every request, overwriting any a client sent: use its id in logs
# and the audit trail. Off: each request gets a new id, whatever a client sends.
TRUST_REQUEST_ID = env_bool("TRUST_REQUEST_ID", default=False)

# Two-factor authentication (django-otp): an authenticator app (TOTP) and single-use recovery codes. Required
# for ALLIANCE staff, partnership leads and anyone who can open the admin (coprod.permissions); optional for others.
OTP_TOTP_ISSUER = "CoProd"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour; the token also dies once the password changes

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# With DEBUG off (production, and the tests), `collectstatic` writes hashed and compressed copies, which WhiteNoise
# serves with a year's cache: the deploy steps run it, and so do the tests before they start (tests/conftest.py).
# With DEBUG on (`make run`), files straight from the finders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# The audit trail (django-auditlog): entries in coprod.AuditEntry, each filed under its partnership, carrying the
# request id of the change (coprod.audit registers the audited models and keeps secrets and answers out).
AUDITLOG_LOGENTRY_MODEL = "coprod.AuditEntry"
# The audit trail lives in coprod.AuditEntry; auditlog's own migrations would still create its unused
# LogEntry table, whose foreign key to the users table blocks PostgreSQL's TRUNCATE between tests.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_CID_GETTER = "coprod.audit.current_request_id"

# Retention: attendees' names and emails are erased this many months after their last session
# (manage.py erase_expired_attendees, run daily).
# Days an emailed link to write a certificate's reflective note stays usable (once only).
CERTIFICATE_NOTE_LINK_DAYS = env_int("CERTIFICATE_NOTE_LINK_DAYS", 30)
ATTENDEE_RETENTION_MONTHS = env_int("ATTENDEE_RETENTION_MONTHS", 24)
if ATTENDEE_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured(f"ATTENDEE_RETENTION_MONTHS must be at least 1, not {ATTENDEE_RETENTION_MONTHS}.")

# Results: no figure resting on fewer people than this is shown or exported, at any scope (docs/privacy.md).
SMALL_NUMBER_THRESHOLD = env_int("SMALL_NUMBER_THRESHOLD", 5)
if SMALL_NUMBER_THRESHOLD < 3:
    raise ImproperlyConfigured(f"SMALL_NUMBER_THRESHOLD must be at least 3, not {SMALL_NUMBER_THRESHOLD}.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console unless EMAIL_HOST names an SMTP server.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CoProd <coprod@localhost>")

# Security headers. Everything is served by the app itself, so the policy allows our own origin only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions end after 30 idle minutes and, whatever the activity, 12 hours after signing in
# (coprod.middleware.session_lifetime renews the expiry every few minutes of activity).
SESSION_COOKIE_AGE = 30 * 60

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are sent only over HTTPS, only to this exact host, for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# One logfmt line per record on standard error, with the request id, scrubbed of survey tokens, email addresses
# and database DETAIL lines (coprod.log.LogfmtFormatter).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"logfmt": {"()": "coprod.log.LogfmtFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "logfmt"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
