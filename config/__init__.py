from config.sqlite import ensure_loadable_sqlite

# Before Django imports sqlite3: swap in pysqlite3 where the stdlib one cannot load SpatiaLite.
ensure_loadable_sqlite()

from config.celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
