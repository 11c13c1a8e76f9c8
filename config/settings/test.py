"""Test settings: base plus speed-ups. The suite runs against real PostGIS by default."""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, env

DATABASES["default"] = env.db("DATABASE_URL", default="postgis://postgres@127.0.0.1:5432/frontline")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# No collectstatic in tests: serve files as they are.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
