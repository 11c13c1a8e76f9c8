"""Django's SpatiaLite backend, plus a fix for SpatiaLite 5.0 on SQLite >= 3.36, and the
database file's folder made when it is missing (a fresh clone has no ``var/``).

SpatiaLite 5.0.1 (Debian 12) creates two ``ISO_metadata_reference_row_id_value_*`` triggers
that select ``rowid`` from a subquery, which newer SQLite rejects. SQLite then refuses every
``ALTER TABLE ... RENAME`` (which Django's migrations use) with "no such column: rowid".
Frontline does not use SpatiaLite's ISO metadata tables, so the broken triggers are dropped.
"""

from pathlib import Path

from django.contrib.gis.db.backends.spatialite.base import (
    DatabaseWrapper as SpatiaLiteDatabaseWrapper,
)

BROKEN_TRIGGERS = (
    "ISO_metadata_reference_row_id_value_insert",
    "ISO_metadata_reference_row_id_value_update",
)


class DatabaseWrapper(SpatiaLiteDatabaseWrapper):
    def prepare_database(self):
        super().prepare_database()
        with self.cursor() as cursor:
            for trigger in BROKEN_TRIGGERS:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')

    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        if name and name != ":memory:" and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
