"""``/healthz``: can this process reach its database and Redis right now?"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # any failure is the answer, not a 500
        return {"ok": False, "error": f"{type(error).__name__}: {str(error)[:200]}"}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    """A fresh connection, not the request's pooled one: proves the server accepts new ones."""
    connection = connections.create_connection("default")
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def redis_url() -> str | None:
    return settings.REDIS_URL or (
        settings.CELERY_BROKER_URL
        if str(settings.CELERY_BROKER_URL or "").startswith("redis")
        else None
    )


def _redis() -> None:
    import redis

    url = redis_url()
    if url is None:  # not configured: health() does not ask
        return
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
def healthz(request):
    """200 while the database answers: without Redis the app still serves reads and takes
    writes (tasks wait, see the README), so a load balancer must keep sending traffic; the
    answer then says ``"status": "degraded"``. 503 when the database is away, or with
    ``?strict=1`` when anything is (for monitoring that wants to be woken for Redis too)."""
    checks = {"database": _timed(_database)}
    checks["redis"] = _timed(_redis) if redis_url() else {"ok": True, "configured": False}
    healthy = all(check["ok"] for check in checks.values())
    status = "ok" if healthy else ("degraded" if checks["database"]["ok"] else "down")
    serving = status != "down" and (healthy or request.GET.get("strict") != "1")
    return JsonResponse({"ok": healthy, "status": status, **checks}, status=200 if serving else 503)
