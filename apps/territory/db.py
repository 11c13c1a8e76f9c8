"""Database helpers that differ between PostGIS and SpatiaLite.

The embedded default (SpatiaLite) and production (PostGIS) share one schema. PostgreSQL-only
integrity (the GiST exclusion constraint on periods, the range index) is declared here so it
is simply skipped on SQLite instead of breaking its migrations.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import migrations
from django.db.models import F, Func, Value
from django.db.models.fields import DateField, FloatField


class DateRange(Func):
    """``daterange(start, end, '[)')``: the half-open range of a period; NULL end = unbounded."""

    function = "DATERANGE"
    output_field = DateField()  # only used in DDL and raw comparisons

    def __init__(self, start, end, bounds="[)", **extra):
        super().__init__(start, end, Value(bounds), **extra)


class PointX(Func):
    """Longitude of a point column, computed by the database (no GEOS object per row), rounded
    to ``digits`` decimals there when given (cheaper than rounding 100,000 floats in Python)."""

    function = "ST_X"
    output_field = FloatField()

    def __init__(self, expression, digits: int | None = None, **extra):
        self.digits = digits
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        if self.digits is None:
            return sql, params
        # round(x * 1e5) / 1e5 is the float nearest the rounded decimal, so it prints short;
        # on PostgreSQL it is twice as fast as round(x::numeric, 5).
        scale = 10 ** int(self.digits)
        return f"round(({sql}) * {scale}) / {scale}.0", params


class PointY(PointX):
    function = "ST_Y"


def is_postgres(schema_editor_or_connection) -> bool:
    connection = getattr(schema_editor_or_connection, "connection", schema_editor_or_connection)
    return connection.vendor == "postgresql"


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ExclusionConstraint that exists on PostgreSQL and is a no-op elsewhere."""

    @classmethod
    def no_overlap(cls, *, name: str) -> PostgresExclusionConstraint:
        """A place's periods never overlap: EXCLUDE USING gist (place WITH =, range WITH &&)."""
        return cls(
            name=name,
            expressions=[
                (F("place"), RangeOperators.EQUAL),
                (DateRange(F("start"), F("end")), RangeOperators.OVERLAPS),
            ],
            violation_error_message="Control periods of one place must not overlap.",
        )

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if is_postgres(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)


class VendorSQL(migrations.RunSQL):
    """RunSQL with one script per database vendor (``postgresql``, ``sqlite``); others skip."""

    def __init__(self, *, forward: dict[str, list[str]], backward: dict[str, list[str]], **kwargs):
        self.forward_by_vendor = forward
        self.backward_by_vendor = backward
        super().__init__(sql="", reverse_sql="", **kwargs)

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"forward": self.forward_by_vendor, "backward": self.backward_by_vendor},
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        sql = self.forward_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            self._run_sql(schema_editor, sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        sql = self.backward_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            self._run_sql(schema_editor, sql)
