"""Settings, read from the environment (README: Configuration).

The embedded default needs no service: SQLite files under ``var/``, a huey queue in a
SQLite file, a local-memory cache, and email kept in the outbox with a file copy.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from livesession.config.env import (
    BASE_DIR,
    env_bool,
    env_list,
    env_rate,
    secret_key,
    var_dir,
)

VAR_DIR: Path = var_dir()
SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("LIVESESSION_TESTING", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_countries",  # country names in French and English for the country field
    "livesession.core",
    "livesession.protection",
    "livesession.accounts",
    "livesession.audit",
    "livesession.privacy",
    "livesession.events",
    "livesession.registrations",
    "livesession.access",
    "livesession.messaging",
    "livesession.desk",
    "livesession.api",
    "livesession.manager",
    "livesession.portal",
    "livesession.console",
    "livesession.processors",  # sub-processors register (issue 6 §4)
    "livesession.incidents",  # security incidents, base of the breach register (issue 5 §7)
    "livesession.retention",  # retention rules, purge, legal holds (issue 6 §1)
    "livesession.contracts",  # contract lifecycle, return package, destruction (issue 6 §2)
    "livesession.registers",  # registers of processing, compliance evidence (issue 6 §3, §7)
    "livesession.staffaccess",  # staff access to client data, MFA (issue 6 §6)
    "livesession.cookies",  # cookie inventory, consent, audience measurement (issue 7 §1-6)
    "livesession.analytics",  # organizer analytics (issue 7 §7)
    "livesession.comparison",  # participants' anonymized peer comparison (issue 7 §8, P2.2)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "livesession.core.sessions.SessionMiddleware",  # Django's; see the module
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "livesession.accounts.middleware.SessionActivityMiddleware",
    "livesession.contracts.middleware.ReadOnlyClientMiddleware",  # issue 6 §2, P6.9
    "livesession.staffaccess.middleware.ClientMfaMiddleware",  # a client requiring MFA
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: sees the view's answer first (a withdrawal applies to its own request), P1.6.
    "livesession.cookies.middleware.AudienceMiddleware",
]

ROOT_URLCONF = "livesession.config.urls"
WSGI_APPLICATION = "livesession.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "livesession" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------
# The keystore (wrapped data keys) lives in a database of its own so that it is never
# inside the main database's backups: destroying a key shreds every copy (DESIGN rule 4).
_SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN: no "database is locked" upgrade deadlocks,
    # and conditional UPDATEs (capacity) are exact (performance-anchors.md).
    "transaction_mode": "IMMEDIATE",
    # secure_delete: freed pages are overwritten with zeros, so an erased person's bytes do
    # not linger in the file (issue 5 §5, docs/erasure.md).
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                     " PRAGMA secure_delete=ON;"),
    "timeout": 20,
}


def _database(url: str) -> dict:
    config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
        # Persistent, like PostgreSQL's (issue 9): with 0, every request opened the file,
        # ran the PRAGMAs, and closing the last connection checkpointed and removed the
        # WAL, which the next write made again (join: 35 ms wall -> 6 ms, bench/README.md).
        # Nothing relied on that close: secure_delete is set per connection, erasure's
        # job checkpoints the WAL itself (protection/jobs.py), the restore closes its own.
    return config


def _keystore_url(main_url: str) -> str:
    if main_url.startswith("sqlite"):
        return f"sqlite:///{VAR_DIR / 'keystore.sqlite3'}"
    parts = urlsplit(main_url)
    name = parts.path.lstrip("/") or "livesession"
    return urlunsplit(parts._replace(path=f"/{name}_keystore"))


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'livesession.sqlite3'}"
KEYSTORE_DATABASE_URL = os.environ.get("KEYSTORE_DATABASE_URL") or _keystore_url(DATABASE_URL)
DATABASES = {
    "default": _database(DATABASE_URL),
    "keystore": _database(KEYSTORE_DATABASE_URL),
}
DATABASE_ROUTERS = ["livesession.protection.router.KeystoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["livesession.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "livesession.accounts.passwords.PersonalInfoValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "manager:home"
# Short sessions (P3.3): one hour of inactivity, gone when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "3600"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_FAILURE_VIEW = "livesession.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LIVESESSION_LANGUAGE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "livesession" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("LIVESESSION_TIME_ZONE", "Europe/Paris")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; it wants the folder
# The shared stylesheet lives beside the templates, in no app's folder: the app finder
# would miss it and every page would be served unstyled.
STATICFILES_DIRS = [Path(__file__).resolve().parents[1] / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Cache, queue, rate limits ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "name": os.environ.get("LIVESESSION_QUEUE_NAME", "livesession"),
    "redis_url": REDIS_URL,
    "sqlite_path": str(VAR_DIR / "queue.sqlite3"),
    # Tests run tasks in-process right after commit; the outbox rows stay the ledger.
    "immediate": env_bool("LIVESESSION_TASKS_IMMEDIATE", TESTING),
}
# (attempts, window in seconds), counted in Redis with REDIS_URL, else in the main
# database (core.RateCounter): both hold across the web server's worker processes.
RATE_LIMITS = {
    "register": (int(os.environ.get("RATE_LIMIT_REGISTER", "30")), 60),  # per address
    "register_event": (int(os.environ.get("RATE_LIMIT_REGISTER_EVENT", "600")), 60),  # per event
    "login": (int(os.environ.get("RATE_LIMIT_LOGIN", "10")), 60),  # per address
    # Both send mail: per connection, per hour (reference BIZ-3).
    "signup": (int(os.environ.get("RATE_LIMIT_SIGNUP", "10")), 3600),
    "password_reset": (int(os.environ.get("RATE_LIMIT_PASSWORD_RESET", "10")), 3600),
    # "Have my link resent" (issue 4 §1): per connection, and per address asked for.
    "link_resend": (int(os.environ.get("RATE_LIMIT_LINK_RESEND", "10")), 3600),
    "link_resend_address": (int(os.environ.get("RATE_LIMIT_LINK_RESEND_ADDRESS", "3")), 3600),
    # Second-factor codes, per account (docs/mfa.md): 5 tries per 5 minutes.
    "mfa_code": (int(os.environ.get("RATE_LIMIT_MFA_CODE", "5")), 300),
}
# Bots (issue 3 §8): a form sent sooner than this after the page was shown is refused
# (0 turns the check off); proof of work in leading zero bits of SHA-256 (0: off).
REGISTRATION_MIN_FILL_SECONDS = float(os.environ.get("REGISTRATION_MIN_FILL_SECONDS", "3"))
REGISTRATION_POW_DIFFICULTY = int(os.environ.get("REGISTRATION_POW_DIFFICULTY", "0"))

# --- Erasure ---------------------------------------------------------------------------
# The journal of erased people, outside the main database (protection/journal.py): a
# restore replays it so that nobody erased comes back (issue 5 §6).
ERASURE_JOURNAL_PATH = Path(os.environ.get("ERASURE_JOURNAL_PATH",
                                           str(VAR_DIR / "erasure-journal.jsonl")))

# --- Backups (docs/backup.md) ----------------------------------------------------------
# ``livesession backup`` writes here (main/ and keystore/ folders) and then deletes the
# copies older than their retention. The keystore's is shorter: a destroyed key survives
# only in keystore backups, so once those expire every main backup copy of an erased
# person is unreadable for good.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_RETENTION_DAYS = int(os.environ.get("BACKUP_RETENTION_DAYS", "30"))
KEYSTORE_BACKUP_RETENTION_DAYS = int(os.environ.get("KEYSTORE_BACKUP_RETENTION_DAYS", "7"))

# --- Access export (issue 5 §1, GDPR art. 15) -------------------------------------------
# The download link of "My data" works this long, and only in the session that asked.
ACCESS_EXPORT_LINK_SECONDS = int(os.environ.get("ACCESS_EXPORT_LINK_SECONDS", "900"))
# Who runs the platform, and where: named in the export as controller of accounts and as
# processor (hosting) for the organizers.
# The request desk's one-time identity codes (issue 5 §8, R-03): lifetime and wrong tries.
DESK_CODE_TTL_HOURS = int(os.environ.get("DESK_CODE_TTL_HOURS", "24"))
DESK_CODE_MAX_ATTEMPTS = int(os.environ.get("DESK_CODE_MAX_ATTEMPTS", "5"))
# How long the link to a requested copy of one's data works (it works once).
DESK_DELIVERY_DAYS = int(os.environ.get("DESK_DELIVERY_DAYS", "7"))
PLATFORM_OPERATOR_NAME = os.environ.get("PLATFORM_OPERATOR_NAME", "livesession")
HOSTING_COUNTRY = os.environ.get("HOSTING_COUNTRY", "France (EU)")
# Sub-processors (docs/sub-processors.md): who hosts the platform, seeded into the register
# on first migration (the operator itself by default, in HOSTING_COUNTRY), and how long
# clients may object to a new or changed hosting provider.
HOSTING_PROVIDER_NAME = os.environ.get("HOSTING_PROVIDER_NAME", PLATFORM_OPERATOR_NAME)
SUBPROCESSOR_OBJECTION_DAYS = int(os.environ.get("SUBPROCESSOR_OBJECTION_DAYS", "30"))
# Recipients outside the EU, each "name|country|safeguard" separated by ";" (e.g. a mail
# relay in the US: "Relay Inc.|United States|EU-US Data Privacy Framework"). Empty: none.
PERSONAL_DATA_TRANSFERS = [
    item.split("|", 2) for item in os.environ.get("PERSONAL_DATA_TRANSFERS", "").split(";")
    if item.count("|") == 2
]
# Where people write about their data, named in the privacy notice (issue 5 §10): the
# operator's privacy contact (default: privacy@ the site's host) and its postal address.
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "")
PRIVACY_POSTAL_ADDRESS = os.environ.get("PRIVACY_POSTAL_ADDRESS", "")
# The register of processing (docs/registers.md, GDPR art. 30): the operator's legal
# representative, its data protection officer (empty: none designated, the privacy contact
# above answers), and security measures that live outside the code (";"-separated, e.g.
# "Hosting provider certified ISO 27001;Staff trained every year").
PLATFORM_OPERATOR_REPRESENTATIVE = os.environ.get("PLATFORM_OPERATOR_REPRESENTATIVE", "")
DPO_NAME = os.environ.get("DPO_NAME", "")
DPO_EMAIL = os.environ.get("DPO_EMAIL", "")
SECURITY_MEASURES_EXTRA = [item.strip() for item in
                           os.environ.get("SECURITY_MEASURES_EXTRA", "").split(";")
                           if item.strip()]

# --- Email -----------------------------------------------------------------------------
# With no EMAIL_HOST the outbox keeps each message (visible in the operator console) and
# writes a copy under var/mail/; nothing leaves the machine.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "livesession <no-reply@localhost>")
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Transient failures (refused connection, 4xx) are retried with backoff (30 s doubling to
# 1 h) for this many hours after queueing, never fewer than 24 (issue 4 §8); 5xx fail at once.
OUTBOX_RETRY_HOURS = int(os.environ.get("OUTBOX_RETRY_HOURS", "48"))
# Absolute ceiling on attempts (a retry window of 48 h needs about 55).
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "80"))
# A row claimed by a worker that died is re-queued after this many seconds.
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
# Messages handed to SMTP per second, shared by every worker (messaging/pace.py); 0 = no
# limit. Set it to the relay's quota (a provider's sending rate, a shared relay).
OUTBOX_SEND_RATE = env_rate("OUTBOX_SEND_RATE", 0.0)

# --- Rooms ---------------------------------------------------------------------------
# BigBlueButton checksums: "sha1" (every BBB version), or "sha256", "sha384", "sha512" for
# servers that allow them (docs/rooms.md).
BBB_CHECKSUM_ALGORITHM = os.environ.get("BBB_CHECKSUM_ALGORITHM", "sha1")

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["livesession.api.auth.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "livesession.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Trust no X-Forwarded-For unless a proxy is declared: a client could forge it to
    # dodge per-address limits.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "livesession API",
    "DESCRIPTION": "Organizer endpoints (per-client API token) and public registration.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Logging: never personal data (P6.5) -----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "livesession.core.logging.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the URL, which holds personal access tokens.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Staff access to client data (docs/staff-access.md, P3.4) --------------------------
# How long a staff member's justified access to one client's data stays open.
STAFF_ACCESS_HOURS = float(os.environ.get("STAFF_ACCESS_HOURS", "4"))
MFA_ISSUER = os.environ.get("MFA_ISSUER", "livesession")

# --- Contract lifecycle (issue 6 §2; P4.4, P6.9, P6.10; docs/contract-lifecycle.md) --------
# Days between a contract's termination and the destruction of the client's data; never more
# than the retention rule "client_data" (60 days).
CONTRACT_RETURN_DAYS = int(os.environ.get("CONTRACT_RETURN_DAYS", "60"))
# Days a built return package stays downloadable; its encrypted file lives here, outside the
# database backups.
CONTRACT_PACKAGE_DAYS = int(os.environ.get("CONTRACT_PACKAGE_DAYS", "7"))
CONTRACT_PACKAGE_DIR = os.environ.get("CONTRACT_PACKAGE_DIR", str(VAR_DIR / "return-packages"))

# --- Breach register (issue 8; P3.7, P5.1, P5.2, P6.7; docs/breach-runbook.md) ------------
# Hours after awareness within which each affected client is told (contract, GDPR art. 33.2);
# the CNIL and the people concerned have 72 hours (art. 33.1, policy P5.1).
BREACH_CLIENT_NOTICE_HOURS = float(os.environ.get("BREACH_CLIENT_NOTICE_HOURS", "24"))
# An export of more rows than this within an hour, by one member or for one client, opens
# an incident "unusual export" (S-04, B-06).
UNUSUAL_EXPORT_ROWS = int(os.environ.get("UNUSUAL_EXPORT_ROWS", "5000"))

# --- Cookies, consent and audience measurement (issue 7 §1-6; P1.6, P2.3, P7.1-P7.5) ------
# First-party audience measurement records page views only with the visitor's consent. With
# AUDIENCE_EXEMPT_MODE on, the operator claims the CNIL's exemption (anonymous statistics of
# this platform only, no cross-referencing, 13 months, objection possible): page views are
# then recorded unless the visitor objected (docs/cookies.md says what else changes).
AUDIENCE_EXEMPT_MODE = env_bool("AUDIENCE_EXEMPT_MODE", False)

# --- Organizer analytics (issue 7 §7) ----------------------------------------------------
# No group under this many people is shown in a breakdown or a source table (docs/analytics.md).
ANALYTICS_MIN_GROUP = int(os.environ.get("ANALYTICS_MIN_GROUP", "10"))
# Registrations whose breakdown facts a page computes itself before it renders; the rest is
# left to the periodic job (analytics.jobs.refresh_facts).
ANALYTICS_FACTS_ON_DEMAND = int(os.environ.get("ANALYTICS_FACTS_ON_DEMAND", "2000"))
# The longest date range of the client dashboard, in days.
ANALYTICS_MAX_RANGE_DAYS = int(os.environ.get("ANALYTICS_MAX_RANGE_DAYS", "731"))

# --- Peer comparison for participants (issue 7 §8, P2.2) --------------------------------
# K: the smallest cohort whose figures are published (never below 10; docs/comparison.md).
COMPARISON_MIN_COHORT = max(10, int(os.environ.get("COMPARISON_MIN_COHORT", "10")))
# Cross-client pooling: off unless the operator enables it here AND in the console, and then
# only for clients that allow it. The operator is controller of the pooled processing (A10).
COMPARISON_POOLING = env_bool("COMPARISON_POOLING", False)

# --- Benchmarks (issue 9; bench/) --------------------------------------------------------
# /bench/noop, the baseline of the benchmarks (core/bench_urls.py): 404 unless this is on.
# Only `make bench` turns it on, for its throwaway server; never in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)
