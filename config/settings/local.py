"""The embedded default for a laptop: SpatiaLite, eager Celery, DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# Benchmarks, the synthetic generator and the headless-Chromium driver (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "apps.bench"]  # noqa: F405
