"""Settings for Mobilny Asystent, read from the environment (see README, "Configuration").

Every value has a safe default for the zero-setup demo (SQLite, tasks in-process); anything that
must not be guessed in production (SECRET_KEY) fails loudly when DEBUG is off.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on", "tak"}
_FALSE = {"0", "false", "no", "off", "nie", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes or no stops the start-up."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "insecure-demo-key-only-for-local-runs-with-debug-on"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set DEBUG=true for a local demo, "
            "or SECRET_KEY=<50 random characters> in production."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# API tokens for integrations expire this many days after they are issued.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
# Open311's jurisdiction_id: the site's host name unless set (listed in discovery, checked on every call).
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default=urlsplit(SITE_URL).hostname or "localhost")

INSTALLED_APPS = [
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
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "core",
    "needs",
    "duty",
    "club",
    "bundles",
    "reminders",
    "insight",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed here (static files are pre-compressed by WhiteNoise). Django masks the
    # CSRF token per response and pads gzip output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PolishFirstLocaleMiddleware",
    # Control characters and oversized values are refused (400) before any view sees them.
    "core.guards.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.WriteRateLimitMiddleware",
]

ROOT_URLCONF = "mobilny_asystent.urls"
WSGI_APPLICATION = "mobilny_asystent.wsgi.application"

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
                "core.context_processors.roles",
                "reminders.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (runserver, send_reminders from cron) share the file: wait for locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection on the login form: a lockout per user name and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
# The project's own strings, then Polish for third-party apps whose packages lack it.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "thirdparty" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "KEY_PREFIX": "ma",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
# Without Redis (the demo), tasks run in the web process right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# A request must never hang on a dead broker: publish fails fast and the sweep catches up later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
}
# The result store is Redis too: give up connecting to it quickly as well (Celery's default
# retries for about 20 s), so a task that does keep its result cannot hold up a request either.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"timeout": 2.0}}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mobilny Asystent <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Forms, API -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 (log in again), not 403 (not allowed),
    # which the phone's offline queue tells apart.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedLimitOffsetPagination",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_RATES": {"public_lookup": env.str("PUBLIC_LOOKUP_RATE", default="30/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mobilny Asystent API",
    "DESCRIPTION": "Shifts, anonymous notes, reported problems and the club schedule.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TouchpointEnum": "duty.models.Touchpoint",
        "ShiftStatusEnum": "duty.models.Shift.Status",
        "ProblemStatusEnum": "needs.models.Problem.Status",
    },
    # The docs page is served by the app itself, like every other asset.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
    ],
}

# --- Input bounds (see core/guards.py) ---------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a form or JSON body, files excluded
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)  # a whole multipart body (imports)
MAX_IMPORT_ROWS = env.int("MAX_IMPORT_ROWS", default=5_000)

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# --- The map of places (see README, "Coordinator's overview") --------------------------------------
# Map tiles: OpenStreetMap's standard tiles by default; empty draws the places on a plain background.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.str(
    "MAP_TILES_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


def tiles_origin(url: str) -> list[str]:
    """The one host the map may load images from: the tile server's scheme and host, nothing else."""
    from urllib.parse import urlsplit

    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ImproperlyConfigured("MAP_TILES_URL must be an http(s) URL with a host, or empty.")
    host = parts.hostname.replace("{s}", "*")
    port = f":{parts.port}" if parts.port else ""
    return [f"{parts.scheme}://{host}{port}"]


# Every asset is served by the app itself (map tiles aside); the policy says so to the browser too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *tiles_origin(MAP_TILES_URL)],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_query_strings": {"()": "core.logging.DropQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The development server's request lines, through the same filter (no query strings).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Service thresholds (see README) ----------------------------------------------------------
MA_DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# --- Privacy (see README, "Privacy") --------------------------------------------------------
# Note texts older than this, and internal texts of problems settled this long ago, become a marker
# (nightly task duty.expire_texts; `manage.py expire_texts --dry-run` counts what it would replace).
NOTE_TEXT_RETENTION_DAYS = env.int("NOTE_TEXT_RETENTION_DAYS", default=365)
if NOTE_TEXT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("NOTE_TEXT_RETENTION_DAYS must be at least 1.")
# Signed out after this many seconds without a request, on top of SESSION_COOKIE_AGE.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 60 * 60)
# Failed sign-ins for one user name from any addresses (a higher bar than AXES_FAILURE_LIMIT, which
# counts one user name from one address): spreading guesses over many addresses does not help.
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=30)
# Note and problem writes per user (phone, API, admin), in a sliding window.
WRITE_RATE = env.str("WRITE_RATE", default="120/min")
WRITE_RATE_LIMITED_VIEWS = frozenset(
    [
        "duty:note_create",
        "duty:contact_box",
        "needs:problem_create",
        "needs:problem_from_note",
        "note-list",
        "problem-list",
        "admin:duty_conversationnote_add",
        "admin:duty_conversationnote_change",
        "admin:needs_problem_add",
        "admin:needs_problem_change",
    ]
)
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), camera=(), fullscreen=(self), geolocation=(self), gyroscope=(), magnetometer=(), "
        "microphone=(), midi=(), payment=(), usb=()"
    ),
)

# --- Reminders (see README, "Reminders") ------------------------------------------------------
# A problem reported with coordinates but no place belongs to the nearest place within this distance.
PROBLEM_NEAREST_PLACE_METRES = env.int("PROBLEM_NEAREST_PLACE_METRES", default=1000)
# "Ktoś już to zgłosił": open problems of the same category this close to a new report are suggested.
PROBLEM_SIMILAR_METRES = env.int("PROBLEM_SIMILAR_METRES", default=150)
# "Zapytaj, czy naprawione": the next duty at the place asks this many weeks after a problem was resolved.
PROBLEM_FIX_CHECK_WEEKS = env.int("PROBLEM_FIX_CHECK_WEEKS", default=4)
REMINDER_REPEAT_DAYS = env.int("REMINDER_REPEAT_DAYS", default=3)
REMINDER_UNTOLD_DAYS = env.int("REMINDER_UNTOLD_DAYS", default=3)
REMINDER_SHIFT_OPEN_HOURS = env.int("REMINDER_SHIFT_OPEN_HOURS", default=12)
REMINDER_SHIFT_OVERRUN_HOURS = env.int("REMINDER_SHIFT_OVERRUN_HOURS", default=2)
REMINDER_SESSION_LEADER_HOURS = env.int("REMINDER_SESSION_LEADER_HOURS", default=48)
REMINDER_ATTENDANCE_HOURS = env.int("REMINDER_ATTENDANCE_HOURS", default=24)
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=7)

# --- Statistics (see README, "Coordinator's overview") ----------------------------------------
# Counts below this are shown as "<5" in every breakdown (core/smallnumbers.py).
STATS_MIN_CELL = env.int("STATS_MIN_CELL", default=5)
if STATS_MIN_CELL < 2:
    raise ImproperlyConfigured("STATS_MIN_CELL must be at least 2.")

# --- The phone (see README, "Configuration") ----------------------------------------------------
# A planned shift is offered for starting from this many minutes before its planned start.
SHIFT_START_EARLY_MINUTES = env.int("SHIFT_START_EARLY_MINUTES", default=30)
# The accessibility statement (/dostepnosc/): the date it was drawn up and whom to contact.
ACCESSIBILITY_STATEMENT_DATE = env.str("ACCESSIBILITY_STATEMENT_DATE", default="2026-11-28")
ACCESSIBILITY_CONTACT = env.str("ACCESSIBILITY_CONTACT", default="")
