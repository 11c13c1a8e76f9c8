"""A database that is away answers 503 with Retry-After, not 500.

When PostgreSQL is stopped or restarting, every request that touches it raises
``django.db.OperationalError`` (cannot connect, connection terminated) or ``InterfaceError``
(a pooled connection already closed). Those are outages, not bugs: the client should retry,
and a load balancer should not count them as application errors. Django calls
``process_exception`` for exceptions from the view, from ``ATOMIC_REQUESTS``' commit and from
rendering, whatever this middleware's place in ``MIDDLEWARE``. Any other exception is left to
Django (a 500, logged).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5
# PostgreSQL's connection exceptions (class 08) and the server shutting down or starting up.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")


def unavailable(exception) -> bool:
    """Is this the database being away (retry later), not a bug or a slow query (a 500)?
    OperationalError also covers "no such table" on SQLite and statement timeouts."""
    if isinstance(exception, InterfaceError):
        return True  # a connection already closed
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    sqlstate = getattr(cause, "sqlstate", "missing")
    if sqlstate is None:  # psycopg: the connection itself failed (refused, terminated)
        return True
    if sqlstate != "missing":
        return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    return any(text in str(exception) for text in SQLITE_UNAVAILABLE)


MESSAGE = "The database is unavailable; try again shortly."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not unavailable(exception):
            return None
        logger.warning(
            "database unavailable: %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception)[:300],
        )
        response = JsonResponse({"detail": MESSAGE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        response["Cache-Control"] = "no-store"
        return response
