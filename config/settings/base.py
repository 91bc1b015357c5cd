"""Settings for auditsvc, read from the environment.

Every value comes from an environment variable (secrets may instead come from
a file named by ``<NAME>_FILE``). With nothing set the service runs on the
embedded default: SQLite under ``var/`` and a file-system Celery broker, so
``make run`` works on a bare machine. A bad value fails at start-up, loudly.
The environment readers are in env.py, the service's own settings in auditsvc.py.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The service's own settings, and those of detection (the rules' thresholds,
# alerts, auto-suspend) and of log exports, each in a module of its own.
from .auditsvc import *  # noqa: F403
from .detection import *  # noqa: F403
from .env import BASE_DIR, DEBUG, VAR_DIR, env, env_bool, env_rate, env_secret
from .exports import *  # noqa: F403

# --- Core -------------------------------------------------------------------


SECRET_KEY = env_secret("DJANGO_SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required when DJANGO_DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.AuditsvcAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    # The service's layers, bottom up (see README "Layout").
    "auditsvc.ledger",
    "partners",
    "auditsvc.ingestion",
    "auditsvc.reports",
    "auditsvc.exports",
    "auditsvc.detection",
    "auditsvc.site",
    "auditsvc.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'auditsvc.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must work on a bare checkout: SQLite creates the
    # file, not its folder.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process, the worker and beat share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis ----------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts: with Redis down, requests must still be recorded
            # (the throttle fails open), not hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "auditsvc",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Lock a username after repeated failures from any address together (someone
# guessing from many addresses), and of course from one address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_VERBOSE = False

# Staff must present a second factor: the admin site is django-otp's.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="auditsvc")
AUDITSVC_REQUIRE_OTP = env_bool("AUDITSVC_REQUIRE_OTP", default=True)

# --- Internationalisation -----------------------------------------------------

# Languages, the default (zh-hans) and the staff's switch: config/settings/i18n.py.
from .i18n import *  # noqa: E402,F403

TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# After the session (Django's order), before CommonMiddleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "auditsvc.site.locale.BureauLocaleMiddleware",
)

# --- Static and uploaded files ------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("AUDITSVC_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Qualification documents are evidence: keep them private (no public media URL).
FILE_UPLOAD_PERMISSIONS = 0o640

# --- REST framework -------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.auth.PartnerKeyAuthentication",
        "partners.auth.StaffTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["auditsvc.base.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["auditsvc.base.api.throttling.CredentialRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "credential": env_rate("AUDITSVC_THROTTLE_CREDENTIAL", default="600/min"),
        "anon": env_rate("AUDITSVC_THROTTLE_ANON", default="120/min"),
    },
    "EXCEPTION_HANDLER": "auditsvc.base.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Proxies in front of the service that append to X-Forwarded-For. The
    # anonymous throttle counts per client address: with the wrong number a
    # caller can send its own X-Forwarded-For and escape the limit.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0 if DEBUG else 1),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "auditsvc API",
    "DESCRIPTION": (
        "Identity-access audit log for medical-insurance enrolment partners. "
        "Every record is signed and kept in an RFC 6962 Merkle tree per partner."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- auditsvc: the API contract (answers, pages, body size) ---------------------------
# Largest request body (bytes). Every valid batch must fit: the largest valid
# 1,000-record batch, every non-ASCII character escaped as \uXXXX, is 5,648,020
# bytes (auditsvc.ingestion.validation.limits); the ingestion app's system
# check refuses a limit below that. Larger bodies are answered 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("AUDITSVC_MAX_BODY_BYTES", default=8 * 1024 * 1024)
# Content-Security-Policy on every page (django-csp): nothing from outside the
# service, no inline scripts. Inline styles are allowed: the admin's badges and
# the API docs set style attributes. Workers from blob: are ReDoc's.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# Cache-Control: no-store on every answer under /api/.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "auditsvc.base.api.middleware.ApiAnswersMiddleware",
)
# The API docs load Swagger UI and ReDoc from the service itself (pinned by
# drf-spectacular-sidecar), never from a CDN: bureau intranets have none.
INSTALLED_APPS.insert(INSTALLED_APPS.index("drf_spectacular") + 1, "drf_spectacular_sidecar")
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        # No badge fetched from validator.swagger.io.
        "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
        "DESCRIPTION": SPECTACULAR_SETTINGS["DESCRIPTION"]
        + " Partner software authenticates with an API key (`ask_...`); a test key "
        "(`ask_test_...`) is answered exactly like a live one but records into the "
        "partner's test log (`P0001T`), never evidence. Errors are RFC 9457 problem "
        "details; see docs/partner-guide.md.",
    }
)
# Whom staff call when they are locked out or refused a page (a name, a phone
# extension, an e-mail address): shown on those pages. Empty: "a security officer".
AUDITSVC_STAFF_CONTACT = env.str("AUDITSVC_STAFF_CONTACT", default="").strip()

# --- Celery -----------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # Embedded broker: messages are files under var/, so a worker and beat
    # really run tasks on a machine with no Redis.
    _broker_dir = VAR_DIR / "celery-broker"
    # kombu's file-system transport with messages written whole (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # kombu's exchange-queue tables; by default "control/" in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Above the longest task, so Redis does not redeliver a task that is
    # still running (celery #5935).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Production hardening -----------------------------------------------------------

# Read even in debug, where they are not used, so a bad value is found before production.
_ssl_redirect = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
_hsts_preload = env_bool("DJANGO_HSTS_PRELOAD", default=True)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _ssl_redirect
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _hsts_preload
    SESSION_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging --------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request bodies hold identity numbers: never log them.
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
