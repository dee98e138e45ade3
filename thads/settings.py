"""Settings for THADS Directives, read from the environment (and `.env`, if any).

Every variable is documented in `.env.example` and in the README. Nothing here
invents a secret: outside DEBUG, with neither `DJANGO_SECRET_KEY` nor the key
file `make run` generates, the process stops at start-up.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from thads.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# The same configuration for every process, however it starts: `make run`, its
# Procfile processes, and any `manage.py` command typed by hand. Variables
# already in the environment win over the file's lines. Empty: read no file.
ENV_FILE = env.str("THADS_ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The key `make run` generates once per checkout (Makefile, mode 600) serves when
# DJANGO_SECRET_KEY is unset; a key is never invented or embedded here.
SECRET_KEY_FILE = Path(
    env.str("DJANGO_SECRET_KEY_FILE", default=str(BASE_DIR / "var" / "secret_key"))
)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required unless DJANGO_DEBUG=true: set it, or run "
            f"`make run` once to generate {SECRET_KEY_FILE} (see .env.example)."
        )
    # Only a developer's own DEBUG process gets here; it never serves anyone else.
    SECRET_KEY = "django-insecure-debug-only-never-used-to-serve-anyone"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where the embedded default keeps its SQLite file, broker queue, cache and uploads.
VAR_DIR = Path(env.str("THADS_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "thads",
    "changelog",
    "units",
    "directives",
    "notifications",
    "reminders",
    "sync",
    "reports",
    "enforcement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thads.middleware.RequestSizeLimitMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads the user set just above; outside the view's transaction by design.
    "thads.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "thads.urls"
WSGI_APPLICATION = "thads.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'thads.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # API, worker and beat share the file: WAL lets readers run beside one writer,
    # IMMEDIATE makes writers queue on the lock instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # A health check is a `SELECT 1` round trip before each request's first query,
    # as much as a whole hot page costs (docs/benchmarks.md). Without it (Django's
    # default), a connection the server dropped fails one request and is then
    # replaced. On where connections can go stale silently (a proxy in between).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
        "DATABASE_CONN_HEALTH_CHECKS", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results and cache; or the embedded default -----------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "thads.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "thads",
        }
    }
else:
    # A file cache is shared by the API, worker and beat processes on one machine,
    # which login throttling and the worker heartbeat need.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# How long the user behind a token and their scope stay cached between requests
# (units/scope_cache.py); every change that affects them retires them at once. 0: off.
SCOPE_CACHE_SECONDS = env.int("SCOPE_CACHE_SECONDS", default=300)

# --- Celery -------------------------------------------------------------------
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# A task is acknowledged after it ran, so a killed worker's task is delivered again;
# every task is written to be harmless when run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
# Celery's Django fixup closes the database connection around every task unless
# this is set, so each task paid a new PostgreSQL connection (a third of a short
# task's time, docs/benchmarks.md). Connections are kept for this many tasks;
# thads/celery.py still drops a broken or expired one before each task, as
# Django does before each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_SECONDS = env.int("THADS_HEARTBEAT_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "thads.heartbeat", "schedule": HEARTBEAT_SECONDS},
    "idempotency-cleanup": {"task": "thads.idempotency_cleanup", "schedule": 3600},
}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a broker that needs no server, so the embedded
    # default really runs tasks in a separate worker process.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = None

# --- Auth ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- API ----------------------------------------------------------------------
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "units.authentication.SessionJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "thads.api.parsers.NFCJSONParser",
        "thads.api.parsers.NFCFormParser",
        "thads.api.parsers.NFCMultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "thads.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "thads.api.pagination.CursorPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["thads.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "thads.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_RATE", default="10/min"),
        "login_user": env.str("LOGIN_USER_RATE", default="5/min"),
    },
    "DATE_INPUT_FORMATS": ["iso-8601", "%d/%m/%Y"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "THADS Directives API",
    "DESCRIPTION": (
        "Chỉ đạo, giao nhiệm vụ và theo dõi tiến độ của Cục Thi hành án dân sự. "
        "Directives, assignments and progress tracking for a provincial Civil Judgment "
        "Enforcement Department."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a `kind` or `role`; name each choice set after its meaning.
    # Every POST documents the Idempotency-Key header (thads/idempotency.py).
    # Then every operation its error answers (one envelope), ETag and Retry-After,
    # the token pair and the contract's examples (thads/api/openapi.py); last, so
    # it also gives the envelope to the errors the hooks before it declare.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "thads.idempotency.schema_add_idempotency_key",
        "thads.api.openapi.postprocess_errors_headers_examples",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "units.models.UnitKind",
        "MembershipRoleEnum": "units.models.Role",
        "UnitChangeEventEnum": "units.models.UnitChange.Event",
        "DocumentKindEnum": "directives.models.DocumentKind",
        "AssignmentRoleEnum": "directives.models.AssignmentRole",
        "AssignmentStatusEnum": "directives.models.AssignmentStatus",
        "ReportKindEnum": "directives.models.ProgressReport.Kind",
    },
}

# --- Language and time --------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["thads.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# A multipart request may carry up to 10 evidence files (directives.files).
REQUEST_MAX_UPLOAD_BYTES = env.int(
    "REQUEST_MAX_UPLOAD_BYTES", default=10 * EVIDENCE_MAX_BYTES + 1024 * 1024
)
# Longest URI (path and query string) in bytes; 414 in the JSON envelope above.
# Below gunicorn's limit_request_line (8190, gunicorn.conf.py), which answers HTML.
REQUEST_MAX_URI_BYTES = env.int("REQUEST_MAX_URI_BYTES", default=4096)

# --- Idempotency-Key (thads/idempotency.py) --------------------------------------
# How long a POST's key and its stored answer are kept; a later reuse is a new request.
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)
# Bodies up to this size are fingerprinted in memory; larger ones are spooled to disk.
IDEMPOTENCY_MAX_BODY_BYTES = env.int(
    "IDEMPOTENCY_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE
)

# --- Security -----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The health probes come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Reminders ----------------------------------------------------------------
# The daily window (local time, working days) in which reminders are sent, or
# "always". Points outside it wait for the next opening.
REMINDER_WINDOW = env.str("REMINDER_WINDOW", default="07:30-17:00")
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=120)
# A delivery handed to a worker and not confirmed within this time is handed out
# again by a later sweep (a killed worker, a lost message).
REMINDER_DELIVERY_LEASE_SECONDS = env.int("REMINDER_DELIVERY_LEASE_SECONDS", default=120)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=6)
REMINDER_SWEEP_BATCH = env.int("REMINDER_SWEEP_BATCH", default=1000)
# Inbox rows per delivery task: one transaction stores them all (docs/benchmarks.md).
REMINDER_INBOX_BATCH = env.int("REMINDER_INBOX_BATCH", default=100)
# About how long one e-mail, push or webhook delivery keeps the workers busy. A
# row of those channels handed out behind many others gets this much more lease
# per row ahead, so the next sweep does not hand it out again while it waits.
REMINDER_SLOW_DELIVERY_SECONDS = env.float("REMINDER_SLOW_DELIVERY_SECONDS", default=0.5)
REMINDER_DIGEST_TIME = env.str("REMINDER_DIGEST_TIME", default="07:30")
# Leadership and unit heads get one message per sweep listing the assignments
# they hear about (escalations among them) instead of one message per assignment.
REMINDER_LEADERS_DIGEST = env.bool("REMINDER_LEADERS_DIGEST", default=True)
# The address people open the site at, scheme and host (and path prefix, if any):
# links in e-mails, pushes, webhooks and the inbox are built on it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_BASE_URL.lower().startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"PUBLIC_BASE_URL must start with http:// or https://, not {PUBLIC_BASE_URL!r}"
    )
# Web Push (RFC 8030 with VAPID, RFC 8292): the private key (PEM or base64url) and
# the contact the push services see. Without a key, push is not offered.
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env.str("WEBPUSH_VAPID_SUBJECT", default="mailto:thads@localhost")
WEBPUSH_TIMEOUT_SECONDS = env.float("WEBPUSH_TIMEOUT_SECONDS", default=5.0)
# Webhooks: never to private or loopback addresses unless allowed (tests, on-prem).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)

_digest_hour, _digest_minute = (int(part) for part in REMINDER_DIGEST_TIME.split(":"))
CELERY_BEAT_SCHEDULE.update(
    {
        "reminders-sweep": {"task": "reminders.sweep", "schedule": REMINDER_SWEEP_SECONDS},
        "reminders-digest": {
            "task": "reminders.digest",
            "schedule": crontab(hour=_digest_hour, minute=_digest_minute),
        },
        "recurring-fan-out": {"task": "reminders.fan_out_recurring", "schedule": 3600},
        "sync-prune": {"task": "sync.prune", "schedule": crontab(hour=2, minute=15)},
    }
)

# --- Delta sync -----------------------------------------------------------------
# A sync token older than this answers 410 (resync from scratch); change-log rows
# older than this are pruned.
SYNC_TOKEN_TTL_DAYS = env.int("SYNC_TOKEN_TTL_DAYS", default=30)
SYNC_PAGE_SIZE = env.int("SYNC_PAGE_SIZE", default=500)
# "transaction" (the default: PostgreSQL transaction ids, safe with concurrent
# writers) or "sequence" (row ids: only for serialised writers, i.e. tests that
# run inside one uncommitted transaction).
SYNC_WATERMARK = env.str("SYNC_WATERMARK", default="transaction")

# --- Reports, exports, calendar feed ---------------------------------------------
# A download with more rows than this is refused with 409 export_too_large: build
# it with POST /api/v1/exports/ (a Celery task) instead.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=20000)
# How long a finished export can be downloaded; then it is gone (410) and its file
# deleted by the hourly clean-up.
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)
# How long a drawn chart is kept in the cache for the same rows.
CHART_CACHE_SECONDS = env.int("CHART_CACHE_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["exports-prune"] = {"task": "reports.prune_exports", "schedule": 3600}

# --- Mail and logging ----------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="thads@localhost")

# ISO 8601 in UTC on every line of every process (thads/logs.py; gunicorn.conf.py
# and thads/celery.py apply the same configuration).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(LOG_LEVEL)
AUTH_USER_MODEL = "units.User"
