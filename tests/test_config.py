"""Configuration: the SQLite fallback and settings from the environment."""

import subprocess
import sys

from config import sqlite


def test_sqlite_module_can_load_extensions_after_the_fallback():
    """Whatever this Python's own sqlite3 can do, the module Django imports can load SpatiaLite."""
    code = (
        "import config.sqlite as s; chosen = s.ensure_loadable_sqlite(); "
        "import sqlite3; print(chosen, hasattr(sqlite3.Connection, 'enable_load_extension'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    expected = "sqlite3" if sqlite.stdlib_can_load_extensions() else "pysqlite3"
    assert out == [expected, "True"]


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 60 + "production-test-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "frontline.example.org",
    "DATABASE_URL": "postgis://postgres@127.0.0.1:5432/frontline",
    "PATH": "/usr/bin:/bin",
}


def deploy_check(**extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env={**PRODUCTION_ENV, **extra},
    )


def test_production_settings_pass_the_deploy_check():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr


def production_setting(name: str, **extra: str) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        env={**PRODUCTION_ENV, **extra},
        check=True,
    ).stdout.strip()


def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy():
    """Without a proxy of ours in front, a client's own X-Forwarded-Proto: https must not make
    a plain-HTTP request count as secure (secure cookies sent, redirects skipped)."""
    assert production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert production_setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1") == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_the_deploy_check_passes_behind_a_proxy_too():
    result = deploy_check(TRUSTED_PROXY_COUNT="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_tools_are_not_installed_in_production():
    """apps.bench (benchmarks, the synthetic generator, a Chromium driver) is for laptops and
    the tests: production neither lists it nor offers its commands."""
    assert "apps.bench" not in production_setting("INSTALLED_APPS")
    commands = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        capture_output=True,
        text=True,
        env={**PRODUCTION_ENV},
        check=True,
    ).stdout.split()
    assert "load_reference" in commands
    assert not {"generate_synthetic", "bench_api", "bench_map"} & set(commands)
