"""Settings for the Kon Tum poverty campaign portal.

Everything comes from the environment with safe defaults: with nothing set, the portal runs on a
SQLite file with Celery tasks executed eagerly, which is what `make run` uses. `.env.example`
lists every variable.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kontum_poverty.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for a laptop demo: DEBUG is on, nothing here is reachable from outside.
    SECRET_KEY = "insecure-dev-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    # Two-factor sign-in: TOTP apps, recovery codes (static tokens), and the portal's pages.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Counts failed sign-ins and locks a username or an address out (units/accounts/lockout.py).
    "axes",
    # Value-level history of reports, scores and commune statistics (docs/history.md).
    "simple_history",
    # The read-only open-data API (/api/v1/), its OpenAPI schema and its documentation page,
    # whose Swagger UI files come from the sidecar's static files rather than a CDN.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "units",
    "units.accounts.two_factor",
    "campaigns",
    "indicators",
    "reports",
    # The project itself: the home dispatch, the demo builder and its `load_demo` command.
    "kontum_poverty",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out compressed (17-48 KB less on a slow connection); static files already are,
    # served by WhiteNoise above from their .br/.gz copies. Above every middleware that reads or
    # changes the body. The CSRF token is masked per response, so compression does not leak it.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kontum_poverty.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keep these two right here and in this order (system check two_factor.E002).
    "units.accounts.two_factor.middleware.DeviceMiddleware",
    "units.accounts.two_factor.middleware.TwoFactorMiddleware",
    # Records the signed-in person as the author of every value change in the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the session, the user and messages: it signs idle Board and admin sessions out.
    "units.accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kontum_poverty.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "units.notifications.context.unread_notifications",
            ],
        },
    },
]

# Plain inputs and textareas written in Python, the rest by Django's widget templates.
FORM_RENDERER = "kontum_poverty.form_renderer.WidgetRenderer"

WSGI_APPLICATION = "kontum_poverty.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database must fail a request in seconds, not hang it.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", default=3),
        # JIT compilation added ~370 ms to a dashboard query that runs in ~10 ms without it.
        "options": "-c jit=off",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "units.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the person and their unit in one statement per request.
    "units.accounts.backends.AccountBackend",
]

# Validators run whenever a password is set through a form (change, reset, admin); never at
# login, so load_demo's published demo password, which it hashes directly, keeps working.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "units.accounts.validators.VietnameseCommonPasswordValidator"},
    {"NAME": "units.accounts.validators.CampaignWordsValidator"},
]
# Seconds a password-reset link stays valid (default one day).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)

# --- Sign-in lockout (django-axes) ----------------------------------------------------------
# A username is locked after AXES_FAILURE_LIMIT failures and an address after
# AXES_IP_FAILURE_LIMIT; failures are forgotten, and a lock ends, AXES_COOLOFF_MINUTES after the
# last counted failure. Unknown usernames are counted and locked like real ones, so the
# lockout page tells nobody whether an account exists.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_HANDLER = "units.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
# Tries made while locked are refused without being counted: the time the page promises holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "units.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "units.accounts.lockout.client_ip_address"
# Addresses (or networks, CIDR) of the reverse proxies whose X-Forwarded-For is believed; a
# request from anywhere else is counted under its own connecting address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=[])

# --- Sessions of the Board and administrators -----------------------------------------------
# Minutes without a request after which a Board or admin session ends (0: never).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", default=30)
# A leader's dashboard is recomputed at most this often while figures keep changing (the deadline:
# several reports sent or accepted a second); a copy behind the figures says so and since when.
LEADERS_DASHBOARD_REFRESH_SECONDS = env_int("LEADERS_DASHBOARD_REFRESH_SECONDS", default=10)

# --- Two-factor sign-in (units/accounts/two_factor) -------------------------------------------
# The name authenticator apps show beside the account; data, not UI text.
OTP_TOTP_ISSUER = "Thi đua Kon Tum"
# The admin's device pages never show a secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Language, time, formats ----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# dd/mm/yyyy everywhere and Vietnamese number separators (1.234,5) in Vietnamese.
FORMAT_MODULE_PATH = ["kontum_poverty.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence and generated reports are private: no MEDIA_URL is routed, every download
# goes through a view that checks permission. In production point this at shared storage.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Never routed: a string only because Django's test server refuses a missing MEDIA_URL.
MEDIA_URL = "/private-media-is-not-served/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": env_str(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", default=3600)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Excel import and export (django-import-export) ------------------------------------------
# The library's default lets any staff user import; these make it ask for real permissions, and
# the portal's admin classes further limit import and export to administrators.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 3600)
# Sessions stay in the database, never in the cache alone: a Redis outage must not log anyone out.
# Django's database sessions, each read with a prepared statement (kontum_poverty/sessions.py).
SESSION_ENGINE = "kontum_poverty.sessions"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "units.accounts.views.csrf_failure"
# Content-Security-Policy (django-csp 4): scripts and styles only from the portal's own static
# files, never inline; charts are inline SVG drawn with presentation attributes, which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Joining the browsers' HSTS preload list binds the whole registered domain (kontum.gov.vn) and
# every subdomain; that is the domain owner's decision, not this app's. SECURE_HSTS_PRELOAD=1
# still sends the directive once they have made it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Cache, Redis, Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that Redis being down is a cache miss with a logged
            # warning: pages and saves go on from the database (kontum_poverty/cache.py).
            "BACKEND": "kontum_poverty.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # A dead or hanging Redis must cost milliseconds, not hang the request; after a
            # failure the cache is not asked again for RETRY_SECONDS.
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.25},
            "RETRY_SECONDS": 10,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# With Redis down, publishing would otherwise retry for ~19 s while the user waits.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    # Longer than the task time limit, so a running task is not delivered twice.
    "visibility_timeout": 3600,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "timeout": 1},
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}

# --- Paper reports ---------------------------------------------------------------------------
# Who issues the PDF reports (Decree 30/2020 header): official names, data rather than UI text.
REPORT_PARENT_BODY = env_str("REPORT_PARENT_BODY", default="SỞ NỘI VỤ TỈNH KON TUM")
REPORT_ISSUING_BODY = env_str("REPORT_ISSUING_BODY", default="BAN THI ĐUA - KHEN THƯỞNG")
REPORT_ISSUER_CODE = env_str("REPORT_ISSUER_CODE", default="BTĐKT")
REPORT_PLACE = env_str("REPORT_PLACE", default="Kon Tum")

# A queued job nobody picked up, or a running one silent for longer than a task may run, is
# re-sent by the reconciler (Celery beat, every minute; or `manage.py reconcile_reports`).
REPORT_JOB_QUEUED_STALE_SECONDS = env_int("REPORT_JOB_QUEUED_STALE_SECONDS", default=300)
REPORT_JOB_RUNNING_STALE_SECONDS = env_int(
    "REPORT_JOB_RUNNING_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60
)
CELERY_BEAT_SCHEDULE = {
    # One round of deadline reminders a day, in the morning, Vietnam time (CELERY_TIMEZONE).
    "campaigns-send-reminders": {
        "task": "campaigns.tasks.reminders_round",
        "schedule": crontab(hour=7, minute=0),
    },
    "reports-reconcile": {"task": "reports.tasks.reports_reconcile", "schedule": 60.0},
    # Import previews left unconfirmed for a day expire (pages also expire them when opened).
    "indicators-expire-import-previews": {
        "task": "indicators.tasks.expire_import_previews",
        "schedule": 3600.0,
    },
}

# --- Open-data API (reports/api, docs/api.md) -------------------------------------------------
REST_FRAMEWORK = {
    # Tokens only: an integration never holds a person's session or password.
    "DEFAULT_AUTHENTICATION_CLASSES": ["reports.api.tokens.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "reports.api.renderers.CSVRenderer",
    ],
    # Read-only: no request body is ever read.
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "reports.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "reports.api.throttles.AnonymousThrottle",
        "reports.api.throttles.TokenThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
    "EXCEPTION_HANDLER": "reports.api.errors.api_exception_handler",
}
# Requests per client: anonymous clients by address, integrations by token.
API_THROTTLE_RATES = {
    "anonymous": env_str("API_ANONYMOUS_RATE", default="120/minute"),
    "token": env_str("API_TOKEN_RATE", default="1200/minute"),
}
API_PAGE_SIZE = env_int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", default=500)
SPECTACULAR_SETTINGS = {
    "TITLE": "Kon Tum poverty campaign – open data API",
    "DESCRIPTION": (
        "Accepted figures of the emulation movement 3198/UBND-TH, read-only. "
        "Public endpoints need no token; unit reports, scores, rankings, awards and accounts "
        "need a token (Authorization: Bearer …) with the right scope."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "TAGS": [
        {"name": "public", "description": "Accepted figures, for anyone: no token needed."},
        {"name": "token", "description": "Behind a token with the scope each address names."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "SubmissionStatusEnum": "campaigns.models.SubmissionStatus",
        "FigureStatusEnum": "indicators.progress.results.Status.ORDER",
        "ProposalStatusEnum": "campaigns.models.ProposalStatus",
        "PeriodStateEnum": "campaigns.models.PeriodState",
    },
}

# --- E-mail and logging ---------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="thiduakhenthuong@kontum.gov.vn")
# The portal's own address, for the links in e-mails (a worker has no request to ask).
SITE_DOMAIN = env_str("SITE_DOMAIN", default="")
SITE_URL = env_str(
    "SITE_URL", default=f"https://{SITE_DOMAIN}" if SITE_DOMAIN else "http://localhost:8000"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Failed sign-ins and lockouts are warnings; the rest of axes' chatter is not needed.
        "axes": {"level": "WARNING"},
    },
}
