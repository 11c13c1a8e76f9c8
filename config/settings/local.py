"""The embedded default for a laptop: SpatiaLite, eager Celery, DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = env.bool("DEBUG", default=True)
# runserver serves static files from the source folders; no collectstatic needed.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
