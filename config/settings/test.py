"""Test settings: base plus speed-ups. The suite runs against real PostGIS by default."""

from .base import *  # noqa: F403
from .base import database_from_env

DATABASES = {"default": database_from_env("postgis://postgres@127.0.0.1:5432/frontline")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
