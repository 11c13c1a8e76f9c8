"""A database that is away answers 503 with Retry-After (apps/ops/middleware.py), not 500.
scripts/fault_test.py checks the same against a real PostgreSQL being stopped."""

import json

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from apps.api.views import records
from apps.ops.middleware import MESSAGE, DatabaseUnavailableMiddleware


def wrapped(message: str, cause=None) -> OperationalError:
    """An OperationalError as Django raises it: the driver's error as its cause."""
    error = OperationalError(message)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error",
    [
        wrapped("connection refused", psycopg.OperationalError("connection refused")),
        wrapped("terminating connection", psycopg.errors.AdminShutdown()),
        wrapped("the database system is starting up", psycopg.errors.CannotConnectNow()),
        wrapped("database is locked"),  # SQLite's writer lock, held too long
        InterfaceError("the connection is closed"),
    ],
)
def test_the_middleware_maps_database_errors_to_503(error):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get("/api/v1/places/"), error)
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"detail": MESSAGE}


@pytest.mark.parametrize(
    "error",
    [
        wrapped("relation does not exist", psycopg.errors.UndefinedTable()),
        wrapped("canceling statement due to statement timeout", psycopg.errors.QueryCanceled()),
        wrapped("no such table: missing"),  # SQLite: a bug, not an outage
    ],
)
def test_bugs_and_slow_queries_stay_500s(error):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), error) is None


def test_the_middleware_leaves_other_errors_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


def raise_(error):
    def view(*args, **kwargs):
        raise error

    return view


@pytest.mark.django_db
def test_an_api_view_whose_database_is_away_answers_503(monkeypatch):
    error = wrapped("server closed the connection unexpectedly", psycopg.OperationalError())
    monkeypatch.setattr(records.TheaterViewSet, "list", raise_(error))
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/theaters/")
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": MESSAGE} and response["Retry-After"] == "5"


@pytest.mark.django_db
def test_any_other_exception_is_still_a_500(monkeypatch):
    monkeypatch.setattr(records.TheaterViewSet, "list", raise_(RuntimeError("a bug")))
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    assert client.get("/api/v1/theaters/").status_code == 500
