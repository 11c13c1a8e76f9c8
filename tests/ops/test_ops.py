"""Operations: /healthz, the content security policy, production settings, the cache that
survives Redis going away, JSON logs."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from apps.ops.cache import TolerantRedisCache
from apps.ops.logging import JSONFormatter

ROOT = django_settings.BASE_DIR


def test_healthz_reports_database_and_redis(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    body = client.get("/healthz").json()
    assert body["ok"] and body["database"]["ok"] and body["redis"]["ok"], body
    assert body["status"] == "ok"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 200  # still serving: reads and writes work without Redis
    body = response.json()
    assert body["database"]["ok"] and not body["redis"]["ok"] and "Error" in body["redis"]["error"]
    assert body["status"] == "degraded" and body["ok"] is False
    assert client.get("/healthz", {"strict": "1"}).status_code == 503


def test_healthz_is_503_when_the_database_is_away(client, db, monkeypatch):
    from apps.ops import views

    def refuse():
        raise views.connections["default"].Database.OperationalError("connection refused")

    monkeypatch.setattr(views, "_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_healthz_without_redis_configured(client, db, settings):
    settings.REDIS_URL, settings.CELERY_BROKER_URL = None, None
    body = client.get("/healthz").json()
    assert body["ok"] and body["redis"] == {"ok": True, "configured": False}


def test_every_page_carries_a_csp_with_a_fresh_nonce(client, db, settings):
    settings.MAP_TILES_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in first and first != second
    assert "img-src 'self' data: https://*.tile.example.org" in first
    assert "'unsafe-inline'" not in first.split("script-src")[1].split(";")[0]


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "a-long-random-secret-key-for-the-deploy-check-only-123",
        "ALLOWED_HOSTS": "frontline.example.org",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgis://postgres@127.0.0.1:5432/frontline"
        ),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_cache_shrugs_off_a_missing_redis():
    cache = TolerantRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    assert cache.get("key") is None and cache.get("key", "fallback") == "fallback"
    cache.set("key", "value")  # no exception
    assert cache.get_many(["a", "b"]) == {}


def test_logs_are_json_lines_with_extra_fields():
    record = logging.LogRecord("frontline", logging.INFO, __file__, 1, "import %s", ("done",), None)
    record.job = "1234"
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "import done" and entry["job"] == "1234"
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")


@pytest.mark.parametrize("path", ["/healthz"])
def test_healthz_is_never_cached(client, db, path):
    assert "no-cache" in client.get(path)["Cache-Control"]
