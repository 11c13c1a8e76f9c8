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


def test_production_settings_pass_the_deploy_check():
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60 + "production-test-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "frontline.example.org",
        "DATABASE_URL": "postgis://postgres@127.0.0.1:5432/frontline",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
