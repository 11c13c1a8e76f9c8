"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

SECRET_KEY = env("SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# --- Apps ---------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "knox",  # API tokens: hashed at rest, expiring, revocable
    "axes",  # login lockouts (apps/users/lockout.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
]
LOCAL_APPS = [
    "apps.users",
    "apps.history",
    "apps.territory",
    "apps.ingest",
    "apps.atlas",
    "apps.api",
    "apps.ops",
    "apps.ogc",
    "apps.exports",
    "apps.zones",
    "apps.areas",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.ops.csp.ContentSecurityPolicyMiddleware",
    "apps.api.middleware.RequestSizeLimitMiddleware",
    "apps.api.middleware.JsonNotFoundMiddleware",
    "apps.ops.middleware.DatabaseUnavailableMiddleware",  # database away: 503, not 500
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.history.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out login answers 429 (AXES_LOCKOUT_CALLABLE)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "users.User"

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


# --- Database -----------------------------------------------------------------------------
# Default: an embedded SpatiaLite file, so `make run` needs no server. Production and the test
# suite use PostGIS: DATABASE_URL=postgis://user:password@host:5432/name
def database_from_env(default: str) -> dict:
    config = env.db("DATABASE_URL", default=default)
    config["ATOMIC_REQUESTS"] = True
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # seconds; keep-alive
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.contrib.gis.db.backends.spatialite":
        config["ENGINE"] = "config.db_backends.spatialite"  # see its docstring
        # Take the write lock when a transaction begins, and wait for it, so concurrent
        # writers queue instead of failing with "database is locked" after reading.
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    return config


DATABASES = {"default": database_from_env(f"spatialite:///{VAR_DIR / 'frontline.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Who is asking, and how often they may guess ------------------------------------------
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the embedded
# server; the compose stack: 1, nginx). Throttles and lockouts count by the address that many
# hops from the right of that header, else by the TCP peer (apps/ops/clients.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Login lockouts (django-axes) on every login path (the admin's form, POST auth/token/): after
# LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one address, that account or
# address is refused (429) for LOGIN_LOCKOUT_MINUTES; a successful login resets its count.
# Staff see and clear them in the admin (Axes: access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.ops.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.users.lockout.lockout_response"
AXES_VERBOSE = False
# API tokens (django-rest-knox): a new one per login, stored as a hash, valid API_TOKEN_TTL_HOURS;
# revoked by DELETE auth/token/ (this one) or auth/tokens/ (all of yours), or in the admin.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=7 * 24)),
    "TOKEN_LIMIT_PER_USER": None,  # the login view drops the oldest beyond API_TOKENS_PER_USER
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# --- Map -----------------------------------------------------------------------------------
# The map's online tiles; empty = only the bundled offline basemap (Natural Earth).
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env(
    "MAP_TILES_ATTRIBUTION",
    default='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
LEAFLET_CONFIG = {  # django-leaflet (the admin's map widgets) uses the same tiles
    "TILES": [("Map", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})]
    if MAP_TILES_URL
    else [],
    "DEFAULT_CENTER": (35.0, 40.0),
    "DEFAULT_ZOOM": 6,
}


# --- Celery -------------------------------------------------------------------------------
# No broker configured: tasks run eagerly, in process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=None)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = False  # per task: only where re-running is harmless (run_import)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long imports: one at a time per worker process
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # longer than any import
# Fail fast when the broker is down: a request that queues a task on commit (on_commit, robust)
# must not hang. Give every interval: the missing ones default to 1 s each (2.6 s in all).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Jobs still pending this long after they were asked for lost their message (Redis was down):
# beat queues them again, as often. Re-running a job is harmless (it checks its status).
TASK_REQUEUE_AFTER_S = env.int("TASK_REQUEUE_AFTER_S", default=60)
CELERY_BEAT_SCHEDULE = {
    "requeue-pending-imports": {
        "task": "ingest.requeue_pending_imports",
        "schedule": float(TASK_REQUEUE_AFTER_S),
    },
    "purge-import-files": {"task": "ingest.purge_import_files", "schedule": 24 * 3600.0},
    "requeue-pending-exports": {
        "task": "exports.requeue_pending_exports",
        "schedule": float(TASK_REQUEUE_AFTER_S),
    },
    "expire-exports": {"task": "exports.expire_exports", "schedule": 3600.0},
    # catches writes whose zone task never reached the broker (no-op unless ZONES_PRECOMPUTE)
    "fill-missing-zones": {"task": "zones.fill_all_missing", "schedule": 600.0},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Debian 12 ships GDAL 3.6, without 3.9's switch that stops GDAL reading files or URLs while
# resolving a spatial reference. User input does reach GDAL: GEOSGeometry parses GeoJSON with
# OGR, which honours a "crs" member. Two guards stand in for the switch: the API refuses any
# crs but EPSG:4326/CRS84 before parsing (apps/api/fields.geojson_geometry), and Django's own
# ExternalCRSBlocker refuses a crs naming a URL or file (SuspiciousOperation, a JSON 400).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- REST API ------------------------------------------------------------------------------
API_MAX_BODY_BYTES = 1024 * 1024  # larger request bodies get 413
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)  # uploads to imports/
# Imports (POST imports/, the admin's upload): each upload is written in chunks to a file under
# IMPORT_ROOT (web and workers share it), read back in chunks; uploads above
# FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, never held in memory. A GeoJSON
# file is parsed whole, so it has a lower cap. Beyond IMPORT_MAX_PENDING_PER_USER pending or
# running imports of one user, an upload answers 429. Without a broker (the embedded default)
# IMPORTS_IN_BACKGROUND runs each import in a thread of the web process after the upload
# commits (the upload answers 202 at once); off, it runs inside the upload request.
IMPORT_ROOT = env("IMPORT_ROOT", default=str(VAR_DIR / "imports"))
IMPORT_MAX_GEOJSON_BYTES = env.int("IMPORT_MAX_GEOJSON_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_PENDING_PER_USER = env.int("IMPORT_MAX_PENDING_PER_USER", default=3)
IMPORTS_IN_BACKGROUND = env.bool("IMPORTS_IN_BACKGROUND", default=CELERY_TASK_ALWAYS_EAGER)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
API_READS_REQUIRE_TOKEN = env.bool("API_READS_REQUIRE_TOKEN", default=False)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.ReadOrEditorWrite"],
    "DEFAULT_RENDERER_CLASSES": ["apps.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],  # with a nesting limit
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.PageNumberPagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.api.negotiation.StrictContentNegotiation",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "apps.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.AnonReadThrottle",
        "apps.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_read": env("API_ANON_READ_RATE", default="3000/hour"),
        "user": env("API_USER_RATE", default="600/minute"),
        "login": env("API_LOGIN_RATE", default="20/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Frontline API",
    "DESCRIPTION": "Who controlled which place on which day, on what evidence.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_error_responses",
        "apps.api.schema.constrain_parameters",
    ],
}

# --- Operations ---------------------------------------------------------------------------
# A Content-Security-Policy on every response (apps/ops/csp.py); the browser tests load every
# page under it, so a page that breaks it fails them.
CONTENT_SECURITY_POLICY = env.bool("CONTENT_SECURITY_POLICY", default=True)
# GIS export files (POST /api/v1/exports/): where they are written and how long they stay.
EXPORT_ROOT = env("EXPORT_ROOT", default=str(VAR_DIR / "exports"))
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)

# Derived zones (apps/zones): how far a place's zone may reach, whether workers compute the
# zones of every date on which control changes as soon as a write affects them (default: when
# a broker is configured; otherwise on first read), and how long a request may spend filling
# missing dates of stats/control-series/ before it answers without them.
ZONES_RADIUS_KM = env.float("ZONES_RADIUS_KM", default=25.0)
# A layer's boundary this close to a coast or border (the coarse bundled Natural Earth 1:110m
# lines) runs along it, and is no front line (apps.areas.frontline).
FRONTLINE_BORDER_KM = env.float("FRONTLINE_BORDER_KM", default=20.0)
ZONES_PRECOMPUTE = env.bool("ZONES_PRECOMPUTE", default=CELERY_BROKER_URL is not None)
ZONES_INLINE_BUDGET_S = env.float("ZONES_INLINE_BUDGET_S", default=5.0)
# Redis for the cache and /healthz; defaults to the Celery broker when that is Redis.
REDIS_URL = env("REDIS_URL", default=None)

# Whole answers (apps/ops/answers.py), kept per data revision: on disk under var/ here (shared
# by every worker, kept across restarts), in Redis in production. Old revisions' entries are
# never read again and go after ANSWER_CACHE_TTL_S, or sooner when the cache is full.
ANSWER_CACHE = env.bool("ANSWER_CACHE", default=True)  # false: build every answer (benchmarks)
ANSWER_CACHE_TTL_S = env.int("ANSWER_CACHE_TTL_S", default=24 * 3600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "answers": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("ANSWER_CACHE_DIR", default=str(VAR_DIR / "cache" / "answers")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# --- Frontline ----------------------------------------------------------------------------
REFERENCE_DATA_DIR = BASE_DIR / "data" / "reference"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # failed logins and lockouts (WARNING) are kept; each success and clean-up is not
    "loggers": {"axes": {"level": "WARNING"}},
}
