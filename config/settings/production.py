"""Production: PostGIS, Redis, Celery workers. Secrets and hosts must come from the environment."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Static files served by the app itself (whitenoise), compressed and with hashed names.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

# X-Forwarded-Proto says "this came over HTTPS" only when our own proxy wrote it: with no
# trusted proxy in front (TRUSTED_PROXY_COUNT=0), a client could send it to pass as secure.
if TRUSTED_PROXY_COUNT > 0:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Cookies only over HTTPS (SECURE_COOKIES=false only for a local stack served over plain HTTP).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# One JSON object per log line (apps/ops/logging.py).
LOGGING["formatters"]["json"] = {"()": "apps.ops.logging.JSONFormatter"}  # noqa: F405
LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405

# The cache (sessions stay in the database) in Redis: REDIS_URL, else the Celery broker's.
_redis = REDIS_URL or (CELERY_BROKER_URL if str(CELERY_BROKER_URL).startswith("redis") else None)  # noqa: F405
if _redis:
    CACHES = {
        "default": {
            "BACKEND": "apps.ops.cache.TolerantRedisCache",
            "LOCATION": _redis,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "answers": {
            "BACKEND": "apps.ops.cache.TolerantRedisCache",
            "LOCATION": _redis,
            "KEY_PREFIX": "answers",
            # a timeline of a million changes is a few MB: give it time to arrive
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 5},
        },
    }
