"""Make SpatiaLite work on any CPython build.

Django's SpatiaLite backend needs ``sqlite3.Connection.enable_load_extension``. Some Python
builds (pyenv's default, several distribution builds) compile the stdlib ``sqlite3`` without
it. ``pysqlite3-binary`` ships an SQLite module that can load extensions, so when the stdlib
one cannot, we register pysqlite3 under the name ``sqlite3`` before Django imports it. On a
Python whose own sqlite3 can load extensions (Debian's), nothing changes.
"""

import sqlite3
import sys


def stdlib_can_load_extensions() -> bool:
    return hasattr(sqlite3.Connection, "enable_load_extension")


def ensure_loadable_sqlite() -> str:
    """Return which module now serves ``sqlite3``: ``"sqlite3"`` or ``"pysqlite3"``."""
    if stdlib_can_load_extensions():
        return "sqlite3"
    try:
        import pysqlite3  # type: ignore[import-not-found]
        import pysqlite3.dbapi2  # type: ignore[import-not-found]
    except ImportError:  # PostGIS-only deployments do not need it.
        return "sqlite3"
    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
    return "pysqlite3"
