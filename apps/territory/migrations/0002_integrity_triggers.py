"""Integrity the ORM cannot declare: a group is never both controller and challenger.

Triggers exist on both databases. On PostgreSQL, a GiST index on the period range also serves
"the period containing day T". Caution for SQLite: a migration that makes Django rebuild
territory_controlchange, territory_changechallenger, territory_controlperiod or
territory_periodchallenger drops their triggers; re-run this SQL after such a migration
(scripts/smoke-embedded.sh fails if one is missing).
"""

from django.db import migrations

from apps.territory.db import VendorSQL

MESSAGE = "A group cannot be both controller and challenger."

# (parent table, parent key column in the link table, link table)
PAIRS = [
    ("territory_controlchange", "change_id", "territory_changechallenger"),
    ("territory_controlperiod", "period_id", "territory_periodchallenger"),
]


def postgres_sql() -> list[str]:
    statements = []
    for parent, key, link in PAIRS:
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {link}_not_controller() RETURNS trigger AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM {parent} p
                         WHERE p.id = NEW.{key} AND p.controller_id = NEW.group_id) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE TRIGGER {link}_not_controller BEFORE INSERT OR UPDATE ON {link}
            FOR EACH ROW EXECUTE FUNCTION {link}_not_controller()
            """,
            f"""
            CREATE OR REPLACE FUNCTION {parent}_controller_not_challenger() RETURNS trigger AS $$
            BEGIN
              IF NEW.controller_id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM {link} l
                   WHERE l.{key} = NEW.id AND l.group_id = NEW.controller_id) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE TRIGGER {parent}_controller_not_challenger
            BEFORE UPDATE OF controller_id ON {parent}
            FOR EACH ROW EXECUTE FUNCTION {parent}_controller_not_challenger()
            """,
        ]
    statements.append(
        "CREATE INDEX territory_period_range_gist ON territory_controlperiod "
        "USING gist (daterange(start, \"end\", '[)'))"
    )
    return statements


def postgres_reverse_sql() -> list[str]:
    statements = ["DROP INDEX IF EXISTS territory_period_range_gist"]
    for parent, _key, link in PAIRS:
        statements += [
            f"DROP TRIGGER IF EXISTS {link}_not_controller ON {link}",
            f"DROP FUNCTION IF EXISTS {link}_not_controller()",
            f"DROP TRIGGER IF EXISTS {parent}_controller_not_challenger ON {parent}",
            f"DROP FUNCTION IF EXISTS {parent}_controller_not_challenger()",
        ]
    return statements


def sqlite_sql() -> list[str]:
    statements = []
    for parent, key, link in PAIRS:
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"""
                CREATE TRIGGER {link}_not_controller_{event.lower()} BEFORE {event} ON {link}
                WHEN EXISTS (SELECT 1 FROM {parent} p
                             WHERE p.id = NEW.{key} AND p.controller_id = NEW.group_id)
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
                """
            )
        statements.append(
            f"""
            CREATE TRIGGER {parent}_controller_not_challenger
            BEFORE UPDATE OF controller_id ON {parent}
            WHEN NEW.controller_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM {link} l WHERE l.{key} = NEW.id AND l.group_id = NEW.controller_id)
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
            """
        )
    return statements


def sqlite_reverse_sql() -> list[str]:
    statements = []
    for parent, _key, link in PAIRS:
        statements += [
            f"DROP TRIGGER IF EXISTS {link}_not_controller_insert",
            f"DROP TRIGGER IF EXISTS {link}_not_controller_update",
            f"DROP TRIGGER IF EXISTS {parent}_controller_not_challenger",
        ]
    return statements


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]

    operations = [
        VendorSQL(
            forward={"postgresql": postgres_sql(), "sqlite": sqlite_sql()},
            backward={"postgresql": postgres_reverse_sql(), "sqlite": sqlite_reverse_sql()},
        ),
    ]
