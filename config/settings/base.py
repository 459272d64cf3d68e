"""Settings shared by every environment.

All configuration that differs between machines is read from the environment here, in one
place; dev, test and production only change defaults and switch features on.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "config.views.csrf_failure"  # in the site's layout, with a way forward

INSTALLED_APPS = [
    "registry",
    "registry.importexport",
    "cms",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "registry.security.middleware.RejectNullBytesMiddleware",
    # Before the page cache and the sessions: which database a request reads, and who has just
    # written (registry/db_routing.py). Does nothing without a replica.
    "registry.db_routing.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, auth and Wagtail's routing: a cached directory page skips all of them.
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.security.middleware.StaffSessionMiddleware",
    "registry.security.middleware.StaffTwoFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Near the end: a directory page's address, once routed, skips Wagtail's routing at that index version.
    "cms.page_shell.DirectoryShellMiddleware",
    # Last, so that it is the first asked about a view's exception (config/outage.py).
    "config.outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.branding.municipality",
            ],
        },
    },
]

# SQLite in a file next to the code unless DATABASE_URL says otherwise.
DATABASES = {
    # Connections kept for a minute (and checked before reuse): opening one to PostgreSQL for
    # every request made the load test's p50 170 ms instead of 14 ms (docs/benchmarks.md).
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a task worker and a shell share the file. The
    # file read through a memory map (up to SQLite's own limit, 2 GB) and a 64 MB page cache per
    # connection: a search reads its matches' rows scattered over the file, and copying each page
    # out of the OS's cache cost as much as the search itself (docs/benchmarks.md, SQLite).
    # Not temp_store=MEMORY: searches ran no faster with it, and an import's many-row writes,
    # whose statement journals it keeps in memory, ran 2.5 times slower.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=2147418112; "
                "PRAGMA cache_size=-65536;"
            ),
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The directory's searches are short queries over data that sits in memory: JIT compiling
    # them cost more than running them, and with the default random_page_cost of 4 (spinning
    # disks) the planner read all 100,000 listings rather than the ones the full-text index
    # found, 90 ms instead of 10 (docs/benchmarks.md). Empty to leave the server's settings.
    _pg_options = env("DATABASE_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    if _pg_options:
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", _pg_options)
# Seconds a client is asked to wait (Retry-After) when the database is unreachable (config/outage.py).
DATABASE_OUTAGE_RETRY_AFTER = int(env("DATABASE_OUTAGE_RETRY_AFTER", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL streaming replica for the public reads (directory, API, figures, verify), chosen
# request by request by `registry.db_routing`, which owns the rule. A person who has just written
# reads from the primary for DATABASE_REPLICA_STICKY_SECONDS; a replica further behind than
# DATABASE_REPLICA_MAX_LAG_SECONDS (measured at most every DATABASE_REPLICA_CHECK_SECONDS) or
# unreachable (tried again after DATABASE_REPLICA_RETRY_SECONDS) is skipped for the primary.
DATABASE_REPLICA_STICKY_SECONDS = int(env("DATABASE_REPLICA_STICKY_SECONDS", "15"))
DATABASE_REPLICA_MAX_LAG_SECONDS = float(env("DATABASE_REPLICA_MAX_LAG_SECONDS", "5"))
DATABASE_REPLICA_CHECK_SECONDS = float(env("DATABASE_REPLICA_CHECK_SECONDS", "1"))
DATABASE_REPLICA_RETRY_SECONDS = float(env("DATABASE_REPLICA_RETRY_SECONDS", "5"))
DATABASE_REPLICA_READS = env_bool("DATABASE_REPLICA_READS", True)
if env("DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # The same databases as the primary's: without a name in the URL, the primary's.
    DATABASES["replica"]["NAME"] = DATABASES["replica"]["NAME"] or DATABASES["default"]["NAME"]
    # A replica that does not answer must not hold a request for long: its reads go to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": int(env("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))}
    )
    if _pg_options:
        DATABASES["replica"]["OPTIONS"].setdefault("options", _pg_options)
    # A physical copy of the primary: the test database Django creates there reaches the replica
    # through the WAL by itself; the replica is never created, flushed or migrated on its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["registry.db_routing.ReplicaRouter"]

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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "registry:my_registrations"

# django-allauth: e-mail is the identity; migrants often share phones, so verification is
# mandatory before anything can be submitted.
ACCOUNT_ADAPTER = "registry.security.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "registry.security.honeypot.SignupHoneypotForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Registro de Emprendimientos] "
# The admin's login form shares allauth's login counters and lock-out (registry/security/admin_login.py).
WAGTAILADMIN_USER_LOGIN_FORM = "registry.security.admin_login.StaffLoginForm"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "confirm_email": "1/3m/key",
}

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files that browsers and crawlers ask for at the site's root (/favicon.ico, /robots.txt),
# served by WhiteNoise's middleware like the static files.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Applicants' identity documents: never below MEDIA_ROOT, never served by the web server.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))

STORAGES = {
    "default": {"BACKEND": env("DEFAULT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "private": {
        "BACKEND": env("PRIVATE_STORAGE_BACKEND", "registry.security.storage.PrivateFileSystemStorage"),
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Registro de Emprendimientos <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
    }
}
if env("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL"),
    }

# Background work: immediate unless a worker is configured (see README).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", "Registro de Emprendimientos y Organizaciones Migrantes")
WAGTAILADMIN_BASE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_URL = WAGTAILADMIN_BASE_URL
# Pages are translatable: the Spanish tree is the original, editors copy pages to English with
# wagtail.contrib.simple_translation ("Translate" in the page's menu) and translate them in the
# usual editor (docs/architecture.md, "Languages").
WAGTAIL_I18N_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("es", "Español"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("es", "Español"), ("en", "English")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "csv"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default; links without a scheme become https

# The directory's search backend; see search/README in the code and the README.
# One node's URL or several nodes of one cluster, comma-separated (a request is retried on
# another node when its node is gone).
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = env("ELASTICSEARCH_INDEX", "directory")
ELASTICSEARCH_TIMEOUT = float(env("ELASTICSEARCH_TIMEOUT", "1.5"))
# The database backend counts and ranks every match of a text search up to about this many;
# above it the counts are estimated from a sample and the ranking reads only the sample
# (search/sql/sampling.py), so a common word costs the same at any directory size.
SEARCH_EXACT_COUNTS_UP_TO = int(env("SEARCH_EXACT_COUNTS_UP_TO", "2000"))
# Replicas of the directory's index: a number, or a range Elasticsearch follows as nodes join
# and leave ("0-1": none on one node, a copy on each node of a two-node cluster).
ELASTICSEARCH_REPLICAS = env("ELASTICSEARCH_REPLICAS", "0-1")
# Requests per IP to the public API (django-ninja throttle); the load test raises it.
DIRECTORY_API_RATE = env("DIRECTORY_API_RATE", "120/m")
# Anonymous directory pages are cached, keyed by the index version (cms/page_cache.py).
DIRECTORY_PAGE_CACHE_SECONDS = int(env("DIRECTORY_PAGE_CACHE_SECONDS", "300"))
# Sites that may show the embeddable directory in a frame (CSP frame-ancestors of that page
# only; every other page stays unframable): "*" for any site, or origins separated by commas.
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", "*")

# Uploaded supporting documents (Ley 29733: keep what is needed, no more).
REGISTRY_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
REGISTRY_MAX_TOTAL_DOCUMENT_BYTES = int(env("REGISTRY_MAX_TOTAL_DOCUMENT_BYTES", str(60 * 1024 * 1024)))
# Pixels an uploaded image may have, checked from its header before anything is decoded (a small
# PNG can unpack to gigabytes); 50 megapixels is above any phone's photo. Pillow's own
# MAX_IMAGE_PIXELS is set to it as well (registry.apps).
REGISTRY_MAX_IMAGE_PIXELS = int(env("REGISTRY_MAX_IMAGE_PIXELS", str(50_000_000)))
# Invitations to co-manage an organization, per organization and day (sent from the office's
# address: not a free mailer).
REGISTRY_INVITATIONS_PER_DAY = int(env("REGISTRY_INVITATIONS_PER_DAY", "5"))
REGISTRY_MAX_DOCUMENTS = int(env("REGISTRY_MAX_DOCUMENTS", "30"))
# Optional ClamAV scan of uploads: "host:port" or a unix socket path of clamd; empty = off.
CLAMD_ADDRESS = env("CLAMD_ADDRESS", "")
CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT", "10"))
REGISTRY_RETENTION_REJECTED_DAYS = int(env("REGISTRY_RETENTION_REJECTED_DAYS", "180"))
REGISTRY_RETENTION_ABANDONED_DAYS = int(env("REGISTRY_RETENTION_ABANDONED_DAYS", "365"))
# Days a sent, failed or cancelled notice keeps its recipient and error (purge_documents).
REGISTRY_NOTIFICATION_RETENTION_DAYS = int(env("REGISTRY_NOTIFICATION_RETENTION_DAYS", "365"))
# Days before an observation's deadline when the applicant is reminded (remind_observations).
REGISTRY_OBSERVATION_REMINDER_DAYS = int(env("REGISTRY_OBSERVATION_REMINDER_DAYS", "3"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "registry.security.uploads.DocumentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Staff review: days an applicant has by default to answer an observation, and who hears of
# new submissions when the reviewers' group has no members with an e-mail address.
REGISTRY_OBSERVATION_DAYS = int(env("REGISTRY_OBSERVATION_DAYS", "15"))
REGISTRY_STAFF_EMAILS = env_list("REGISTRY_STAFF_EMAILS")

# Notification outbox (registry/notifications.py, registry/messaging.py; README, "Notifications").
# Minutes to wait after each failed attempt; when they run out the notice has failed permanently.
REGISTRY_NOTIFICATION_RETRY_MINUTES = [
    int(minutes) for minutes in env_list("REGISTRY_NOTIFICATION_RETRY_MINUTES", "1,5,30,120,720")
]
REGISTRY_MESSAGE_ID_DOMAIN = env("REGISTRY_MESSAGE_ID_DOMAIN", "registro.localhost")
REGISTRY_MESSAGING_TIMEOUT = float(env("REGISTRY_MESSAGING_TIMEOUT", "10"))
# WhatsApp Business Cloud API (template messages); empty = the channel is off.
REGISTRY_WHATSAPP_API_URL = env("REGISTRY_WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
REGISTRY_WHATSAPP_PHONE_NUMBER_ID = env("REGISTRY_WHATSAPP_PHONE_NUMBER_ID", "")
REGISTRY_WHATSAPP_TOKEN = env("REGISTRY_WHATSAPP_TOKEN", "")
REGISTRY_WHATSAPP_TEMPLATE = env("REGISTRY_WHATSAPP_TEMPLATE", "aviso_registro")
# An SMS gateway speaking Twilio's Messages API; empty = the channel is off.
REGISTRY_SMS_API_URL = env("REGISTRY_SMS_API_URL", "https://api.twilio.com")
REGISTRY_SMS_ACCOUNT_SID = env("REGISTRY_SMS_ACCOUNT_SID", "")
REGISTRY_SMS_AUTH_TOKEN = env("REGISTRY_SMS_AUTH_TOKEN", "")
REGISTRY_SMS_FROM = env("REGISTRY_SMS_FROM", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactPersonalData"}},
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", "json"),
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "elasticsearch": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Registry import and export (registry/importexport, docs/import-export.md).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
REGISTRY_IMPORT_MAX_ROWS = int(env("REGISTRY_IMPORT_MAX_ROWS", "25000"))
REGISTRY_IMPORT_MAX_BYTES = int(env("REGISTRY_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))


# ----- security (see registry/security/) -------------------------------------------------------
# Staff sessions: 30 minutes idle, 12 hours in all. Applicants keep Django's default cookie age.
STAFF_SESSION_IDLE_SECONDS = int(env("STAFF_SESSION_IDLE_SECONDS", str(30 * 60)))
STAFF_SESSION_MAX_SECONDS = int(env("STAFF_SESSION_MAX_SECONDS", str(12 * 60 * 60)))
# Two-factor authentication before the admin opens; on in production, optional elsewhere so that
# `make run` stays a one-command demo.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Registro migrante"

# Content-Security-Policy (django-csp): no inline script anywhere on the public site. The map
# tiles come from OpenStreetMap. Wagtail's admin still needs inline styles, so it gets the same
# policy in report-only mode instead of an enforced one.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "https://tile.openstreetmap.org", "https://*.tile.openstreetmap.org"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY = {"EXCLUDE_URL_PREFIXES": ["/admin/"], "DIRECTIVES": _CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {
    "DIRECTIVES": {**_CSP_DIRECTIVES, "style-src": ["'self'", "'unsafe-inline'"]},
}
# Geolocation for "near me" in the directory; nothing else.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Proxies in front of the portal that append the client's address to X-Forwarded-For (nginx,
# a load balancer): 0 when gunicorn faces the clients. Every rate limit reads the client address
# through registry.security.client_ip with it.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "registry.security.client_ip.client_ip"
# django-ratelimit answers with this view (HTTP 429) when a limit is reached.
RATELIMIT_VIEW = "registry.security.ratelimits.rate_limited"
