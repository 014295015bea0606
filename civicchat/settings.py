"""CivicChat settings: one module, read from the environment.

With nothing set, CivicChat runs for development: SQLite, a Celery broker on the
filesystem, a local-memory cache, and e-mail printed to the console.

``CIVICCHAT_ENV=production`` (the default for the WSGI entry point, see wsgi.py)
turns every embedded default off: the secret key, allowed hosts, database, Redis and
e-mail settings must then be given, and start-up stops with one message naming all
that are missing. See ``.env.example`` for the full list.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded defaults (git-ignored)

env = environ.Env()

CIVICCHAT_ENV = env.str("CIVICCHAT_ENV", default="development")
if CIVICCHAT_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"CIVICCHAT_ENV must be development, test or production, not {CIVICCHAT_ENV!r}."
    )
PRODUCTION = CIVICCHAT_ENV == "production"

if PRODUCTION:
    _required = [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "CIVICCHAT_SITE_URL",
    ]
    _missing = [name for name in _required if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "CIVICCHAT_ENV=production needs these environment variables, which are "
            "not set: " + ", ".join(_missing) + ". See .env.example."
        )

DEBUG = env.bool("DJANGO_DEBUG", default=CIVICCHAT_ENV == "development")
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="" if PRODUCTION else "development-only-insecure-key-never-use-in-production",
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Applications ------------------------------------------------------------------------

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
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "core",
    "accounts",
    "events",
    "recaps",
    "liaisons",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    # Public pages for visitors without a session, from the cache (core/cache.py). First,
    # so a page is stored with the headers every middleware below added (security ones
    # included) and served again with them without running any of them.
    "core.cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, with the per-view exceptions; see "Security" below.
    "civicchat.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civicchat.middleware.StaffSessionMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "core.middleware.CityTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "civicchat.urls"
WSGI_APPLICATION = "civicchat.wsgi.application"

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
                "core.context_processors.site",
            ],
        },
    },
]

# Data stores ---------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'civicchat.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The web server, a worker and beat share one file: wait for the write lock
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # libpq waits forever for a server that accepts and never answers (frozen, or behind
    # a network fault): give up, so /healthz/ answers 503 within seconds. 2 s is libpq's
    # recommended minimum; a connect_timeout in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=2)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "civicchat",
            "TIMEOUT": 300,
            # redis-py waits 5 s on a server that does not answer; a cache is only worth
            # a short wait (each request may touch it several times, /healthz/ twice).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CACHE_SOCKET_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_CACHE_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "civicchat",
        }
    }

# Celery ----------------------------------------------------------------------------------
# Time limits are ordered so that each layer gives up before the one outside it:
# an HTTP call times out before the task's soft limit, the soft limit lets the task
# clean up before the hard limit kills it, and the hard limit fires long before the
# broker would hand an unacknowledged (acks_late) task to another worker.
# tests/core/test_celery_config.py asserts this order.

HTTP_TIMEOUT_SECONDS = env.float("CIVICCHAT_HTTP_TIMEOUT", default=20.0)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Without a socket timeout kombu waits forever on a broker that stopped answering
        # without closing the connection: a publish (a web request queueing a task on
        # commit) hangs. Above BRPOP's own 1 s timeout, so idle workers never trip it.
        "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
        "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
    }
else:
    # kombu's filesystem transport: a broker that needs no server, for `make run`.
    _broker_dir = VAR_DIR / "broker"
    # The embedded defaults keep their files under var/; create it on first use.
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Results go to the database through services, never to a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Tasks are idempotent, so a task is acknowledged only once it has finished and is
# redelivered if its worker dies mid-run.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Authentication ------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# "Send me a sign-in code" instead of a password: answers like password reset, the same
# for known and unknown addresses (tests/security/test_enumeration.py).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CivicChat] "
# allauth's default rate limits stay on; they count in the cache above (Redis in
# production, so every web process shares one count).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CivicChat"
# Staff roles (comms staff, editors, liaison coordinators, superusers) must set up
# two-factor authentication before any staff page opens. Only the embedded demo
# (`make run`) switches this off, and every page then says so.
CIVICCHAT_STAFF_MFA_REQUIRED = env.bool("CIVICCHAT_STAFF_MFA_REQUIRED", default=True)
if PRODUCTION and not CIVICCHAT_STAFF_MFA_REQUIRED:
    raise ImproperlyConfigured(
        "CIVICCHAT_STAFF_MFA_REQUIRED=false is for the embedded demo only, never production."
    )

# E-mail ----------------------------------------------------------------------------------

if PRODUCTION or env.str("EMAIL_URL", default=""):
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... from one URL.
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CivicChat <civicchat@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation --------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored times are UTC; pages show the city's zone (core.City.timezone, activated per
# request by core.middleware). This is the fallback before a city exists.
TIME_ZONE = env.str("CIVICCHAT_DEFAULT_TIMEZONE", default="America/New_York")

# Static files ------------------------------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic writes (the image builds into the default; bench/load.py into a tmp dir).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future caching; the image build runs
        # collectstatic with CIVICCHAT_STATIC_MANIFEST=true to write the manifest.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("CIVICCHAT_STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# REST API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # Tokens first: a request without credentials then gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every view names its own permissions; this default only covers a view that forgets.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.v1.throttles.AnonThrottle", "api.v1.throttles.UserThrottle"],
    # "count/period" with period second, minute, hour or day; counted in the cache.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
    },
    # Proxies in front of gunicorn that append to X-Forwarded-For: the anonymous
    # throttle counts per client address, not per proxy.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "civicchat.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CivicChat API",
    "DESCRIPTION": (
        "Public conversations between a city and its residents. Public reads need no "
        "account; staff endpoints need the role and two-factor authentication. Sign in "
        "(session) or send a personal API token from your profile page. Errors are "
        '`{"code", "detail"}`; lists are cursor-paginated (`next`, `previous`).'
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ChatStatusEnum": "events.models.ChatStatus",
        "ApplicationStatusEnum": "liaisons.models.ApplicationStatus",
        "PlatformEnum": "events.models.Platform",
        "SpokenLanguageEnum": "liaisons.models.SpokenLanguage",
        "AvailabilityEnum": "liaisons.models.Availability",
        "SourceStateEnum": "events.models.SourceState",
        "HighlightRoleEnum": "recaps.models.HighlightRole",
        "ChatMoveEnum": "api.v1.serializers.events.TRANSITION_TARGETS",
        "DecisionEnum": "api.v1.serializers.liaisons.DECISION_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.close_request_bodies",
    ],
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Security -----------------------------------------------------------------------------------
# Every response carries the headers below; tests/security/test_headers.py asserts them
# with these production values, and `manage.py check --deploy --fail-level WARNING` is
# clean (tests/security/test_deploy_check.py).

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No Referer to other sites at all (posts link out to X, Bluesky and Mastodon).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp). No 'unsafe-inline' and no 'unsafe-eval' anywhere
# on our pages: every script and style is a file under static/ (htmx is configured not to
# inject styles or evaluate strings, see templates/base.html). data: images are the TOTP
# QR code. The one exception is civicchat.middleware.CSPMiddleware's (the recap embed may
# be framed); the Django admin needs none. /api/docs/ sets its own, equally strict
# policy (api.docs.DOCS_CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features CivicChat never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Cookies: never readable by scripts (htmx takes the CSRF token from the page, and so do
# the admin and the API docs).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
# Residents stay signed in for two weeks; staff sessions end a fixed 8 hours after
# signing in, whatever "remember me" says (civicchat.middleware.StaffSessionMiddleware).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=14 * 24 * 3600)
CIVICCHAT_STAFF_SESSION_SECONDS = env.int("CIVICCHAT_STAFF_SESSION_SECONDS", default=8 * 3600)

if PRODUCTION:
    # The proxy in front of gunicorn terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only a token in the header: a site is preloaded when its apex domain is submitted
    # to the browsers' list, which is a deliberate step outside this code.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # __Host- cookies are HTTPS-only, for this host only (no Domain), so a sibling
    # subdomain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Capture (issue 4) -----------------------------------------------------------------------
# Every platform's API base URL is a setting, so a proxy, a self-hosted instance or a
# local test server can stand in. Credentials have no default: a platform without them
# gets sources marked "needs credentials", the others still capture.

X_API_BASE_URL = env.str("X_API_BASE_URL", default="https://api.x.com")
X_BEARER_TOKEN = env.str("X_BEARER_TOKEN", default="")
# Authenticated XRPC goes to the account's PDS, which proxies app.bsky.* reads to the
# AppView (searchPosts is not reliably open to anonymous callers on the public AppView).
BLUESKY_API_BASE_URL = env.str("BLUESKY_API_BASE_URL", default="https://bsky.social")
BLUESKY_HANDLE = env.str("BLUESKY_HANDLE", default="")
BLUESKY_APP_PASSWORD = env.str("BLUESKY_APP_PASSWORD", default="")
# Optional tokens per instance: MASTODON_TOKENS=https://mastodon.social=TOKEN,https://...=...
MASTODON_TOKENS: dict[str, str] = {
    url.rstrip("/"): token for url, token in env.dict("MASTODON_TOKENS", default={}).items()
}
# The instances whose hashtag timelines a new chat reads (a timeline only shows what has
# federated to its instance, so more than one may be wanted).
MASTODON_INSTANCES = [
    url.rstrip("/") for url in env.list("MASTODON_INSTANCES", default=["https://mastodon.social"])
]
# The window opens before the start and closes after the end; each source is polled at
# least every CAPTURE_POLL_INTERVAL_SECONDS in it, then swept once after the sweep delay.
CAPTURE_WINDOW_BEFORE_SECONDS = env.int("CAPTURE_WINDOW_BEFORE_SECONDS", default=15 * 60)
CAPTURE_WINDOW_AFTER_SECONDS = env.int("CAPTURE_WINDOW_AFTER_SECONDS", default=60 * 60)
CAPTURE_POLL_INTERVAL_SECONDS = env.int("CAPTURE_POLL_INTERVAL_SECONDS", default=60)
CAPTURE_SWEEP_DELAY_SECONDS = env.int("CAPTURE_SWEEP_DELAY_SECONDS", default=5 * 60)
# 5xx and timeouts: base * 2^(failures-1), capped, with jitter.
CAPTURE_BACKOFF_BASE_SECONDS = env.int("CAPTURE_BACKOFF_BASE_SECONDS", default=15)
CAPTURE_BACKOFF_MAX_SECONDS = env.int("CAPTURE_BACKOFF_MAX_SECONDS", default=10 * 60)
# Pages one cycle may fetch (keeps a cycle well inside the task's soft time limit).
CAPTURE_MAX_PAGES = env.int("CAPTURE_MAX_PAGES", default=50)
# Deletion checks per source in the sweep (Mastodon needs one request per post).
CAPTURE_VERIFY_MAX_POSTS = env.int("CAPTURE_VERIFY_MAX_POSTS", default=250)
# A claimed source is dispatched again after this long if its task never ran.
CAPTURE_CLAIM_LEASE_SECONDS = env.int("CAPTURE_CLAIM_LEASE_SECONDS", default=5 * 60)
# The per-source lock outlives the hard time limit, so a killed poll cannot hold it long.
CAPTURE_LOCK_SECONDS = env.int("CAPTURE_LOCK_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
CAPTURE_DISPATCH_BATCH = env.int("CAPTURE_DISPATCH_BATCH", default=100)
# The Celery queue poll tasks go to (a dedicated capture worker pool can listen on it).
CAPTURE_QUEUE = env.str("CIVICCHAT_CAPTURE_QUEUE", default="celery")

# Imports, live page and question tracker (issue 4, part B) ---------------------------------
# Uploaded archives are kept (default storage, under imports/) as the record of an import.
# The web process stores them and a worker reads them, so in a multi-container deploy
# MEDIA_ROOT must be a volume both mount (or the default storage a shared object store).
MEDIA_ROOT = env.str("CIVICCHAT_MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served: imports are read by the worker, not downloaded
# An archive larger than this, or with more rows, is refused.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# Above either threshold the import runs in the background (task events.import_posts) and
# the page shows its progress; below both it runs within the upload request.
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=1024 * 1024)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=500)
# The report keeps this many refused rows (line and reason); the count covers them all.
IMPORT_MAX_REPORTED_ERRORS = env.int("IMPORT_MAX_REPORTED_ERRORS", default=1000)
# A large import outlives the default task limits; still far below the broker's
# visibility timeout, so a running import is never handed to a second worker.
IMPORT_TASK_SOFT_TIME_LIMIT = env.int("IMPORT_TASK_SOFT_TIME_LIMIT", default=15 * 60)
IMPORT_TASK_TIME_LIMIT = env.int("IMPORT_TASK_TIME_LIMIT", default=16 * 60)
# An import still waiting for a worker this long (its task was lost) is queued again by
# the beat task events.requeue_imports.
IMPORT_REQUEUE_AFTER_SECONDS = env.int("IMPORT_REQUEUE_AFTER_SECONDS", default=10 * 60)
# The live page asks for new posts this often, and for counters and sources this often.
LIVE_POSTS_POLL_SECONDS = env.int("LIVE_POSTS_POLL_SECONDS", default=4)
LIVE_STATS_POLL_SECONDS = env.int("LIVE_STATS_POLL_SECONDS", default=15)

# Liaisons (issue 6) ------------------------------------------------------------------------
# Rejected and withdrawn applications are anonymised this many days after their last
# status change (beat task liaisons.purge_applications, hourly).
LIAISONS_PURGE_AFTER_DAYS = env.int("LIAISONS_PURGE_AFTER_DAYS", default=180)
# Rate limits ("count/period", period s, m, h or d), counted in the cache. Applying counts
# every save of the application form, per account and per IP address; bulk e-mail counts
# sends per coordinator.
LIAISONS_APPLY_RATE_USER = env.str("LIAISONS_APPLY_RATE_USER", default="20/h")
LIAISONS_APPLY_RATE_IP = env.str("LIAISONS_APPLY_RATE_IP", default="60/h")
LIAISONS_BULK_EMAIL_RATE = env.str("LIAISONS_BULK_EMAIL_RATE", default="5/h")
LIAISONS_BULK_EMAIL_MAX_RECIPIENTS = env.int("LIAISONS_BULK_EMAIL_MAX_RECIPIENTS", default=500)
# Registered applicants get a reminder (with the .ics) this many hours before training.
LIAISONS_TRAINING_REMINDER_HOURS = env.int("LIAISONS_TRAINING_REMINDER_HOURS", default=24)
# Coverage: neighborhoods with fewer active liaisons than this are flagged for recruiting.
LIAISONS_COVERAGE_TARGET = env.int("LIAISONS_COVERAGE_TARGET", default=2)
# An e-mail left "sending" this long (its worker died) may be sent again.
LIAISONS_EMAIL_LEASE_SECONDS = env.int(
    "LIAISONS_EMAIL_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT * 2
)

# Webhooks (issue 7) ------------------------------------------------------------------------
# Staff-registered endpoints get chat and recap events as signed JSON (webhooks.services).
# Private, loopback and link-local destinations are refused unless this is on; it is on
# only where the receivers are local (development, tests).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=not PRODUCTION)
# Attempts per delivery (the first included); between them base * 2^(n-1) seconds, capped,
# with jitter: 30 s, 1 min, 2 min ... 2 to 4 hours in all by default.
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=10)
WEBHOOKS_BACKOFF_BASE_SECONDS = env.int("WEBHOOKS_BACKOFF_BASE_SECONDS", default=30)
WEBHOOKS_BACKOFF_MAX_SECONDS = env.int("WEBHOOKS_BACKOFF_MAX_SECONDS", default=2 * 3600)
# A delivery left "sending" (its worker died), or queued but never run, is taken up
# again after this long: longer than any task may run.
WEBHOOKS_LEASE_SECONDS = env.int("WEBHOOKS_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT * 2)
# Deliveries the dispatcher queues per tick (every 15 s).
WEBHOOKS_DISPATCH_BATCH = env.int("WEBHOOKS_DISPATCH_BATCH", default=200)

# CivicChat --------------------------------------------------------------------------------

# Absolute links in e-mails and calendar files (no request to take them from).
CIVICCHAT_SITE_URL = env.str("CIVICCHAT_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Chats: the longest a chat may run, and when followers are reminded (minutes before).
CIVICCHAT_MAX_CHAT_HOURS = env.int("CIVICCHAT_MAX_CHAT_HOURS", default=4)
CIVICCHAT_REMINDER_LEADS = env.list("CIVICCHAT_REMINDER_LEADS", cast=int, default=[1440, 60])
# Remind a chat's owner when its recap is still unpublished this many days after it.
CIVICCHAT_RECAP_REMINDER_DAYS = env.int("CIVICCHAT_RECAP_REMINDER_DAYS", default=3)
# A notification left "sending" this long (a worker died mid-send) may be sent again.
CIVICCHAT_NOTIFICATION_LEASE_SECONDS = env.int(
    "CIVICCHAT_NOTIFICATION_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT * 2
)

# An e-mail row still pending, never attempted, this long after it was queued lost its
# broker message (Redis restarted without its data, or was down when it was queued): the
# beat dispatchers queue it again, at most once per this interval (a send is claimed,
# so a message that was only slow cannot send twice).
CIVICCHAT_REQUEUE_AFTER_SECONDS = env.int("CIVICCHAT_REQUEUE_AFTER_SECONDS", default=15 * 60)

# The embedded demo (make run) sets this so every page says it is a demo.
CIVICCHAT_DEMO = env.bool("CIVICCHAT_DEMO", default=False)
# Public pages are served to visitors without a session from the shared cache for this
# long (core/cache.py; services invalidate them at once when what they show changes).
# 0 switches the page cache off; tests switch it on where they test it.
CIVICCHAT_PAGE_CACHE_SECONDS = env.int(
    "CIVICCHAT_PAGE_CACHE_SECONDS", default=0 if CIVICCHAT_ENV == "test" else 60
)
