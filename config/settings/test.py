"""Test settings: base plus speed-ups. The suite runs against real PostGIS by default."""

from .base import *  # noqa: F403
from .base import database_from_env

DATABASES = {"default": database_from_env("postgis://postgres@127.0.0.1:5432/frontline")}
INSTALLED_APPS = [*INSTALLED_APPS, "apps.bench"]  # noqa: F405  # the generator, headless Chromium
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# Imports run inside the upload request: a thread could not see the test's uncommitted data
# (tests/ingest/test_background.py turns it on, with committed data).
IMPORTS_IN_BACKGROUND = False
IMPORT_ROOT = str(VAR_DIR / "test-imports")  # noqa: F405
# Answers kept in memory (tests/conftest.py empties it around each test).
CACHES = {
    **CACHES,  # noqa: F405
    "answers": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "answers"},
}
