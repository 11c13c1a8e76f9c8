"""Database helpers that differ between PostGIS and SpatiaLite.

The embedded default (SpatiaLite) and production (PostGIS) share one schema. PostgreSQL-only
integrity (the GiST exclusion constraint on periods, the range index) is declared here so it
is simply skipped on SQLite instead of breaking its migrations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F, Func, Model, Value
from django.db.models.fields import DateField, FloatField

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations.state import ProjectState
    from django.db.models.expressions import Combinable
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


class DateRange(Func):
    """``daterange(start, end, '[)')``: the half-open range of a period; NULL end = unbounded."""

    function = "DATERANGE"
    output_field = DateField()  # only used in DDL and raw comparisons

    def __init__(
        self, start: Combinable | str, end: Combinable | str, bounds: str = "[)", **extra: Any
    ) -> None:
        super().__init__(start, end, Value(bounds), **extra)


class PointX(Func):
    """Longitude of a point column, computed by the database (no GEOS object per row), rounded
    to ``digits`` decimals there when given (cheaper than rounding 100,000 floats in Python)."""

    function = "ST_X"
    output_field = FloatField()

    def __init__(
        self, expression: Combinable | str, digits: int | None = None, **extra: Any
    ) -> None:
        self.digits = digits
        super().__init__(expression, **extra)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> _AsSqlType:
        sql, params = super().as_sql(
            compiler, connection, function, template, arg_joiner, **extra_context
        )
        if self.digits is None:
            return sql, params
        # round(x * 1e5) / 1e5 is the float nearest the rounded decimal, so it prints short;
        # on PostgreSQL it is twice as fast as round(x::numeric, 5).
        scale = 10 ** int(self.digits)
        return f"round(({sql}) * {scale}) / {scale}.0", params


class PointY(PointX):
    function = "ST_Y"


def is_postgres(
    schema_editor_or_connection: BaseDatabaseSchemaEditor | BaseDatabaseWrapper,
) -> bool:
    # A connection has a ``connection`` attribute too (the driver's, or None): ask its type.
    connection = (
        schema_editor_or_connection.connection
        if isinstance(schema_editor_or_connection, BaseDatabaseSchemaEditor)
        else schema_editor_or_connection
    )
    return connection.vendor == "postgresql"


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ExclusionConstraint that exists on PostgreSQL and is a no-op elsewhere."""

    @classmethod
    def no_overlap(
        cls,
        *,
        name: str,
        key: str = "place",
        message: str = "Control periods of one place must not overlap.",
    ) -> PostgresExclusionConstraint:
        """Rows of one ``key`` never overlap in ``[start, end)``: EXCLUDE USING gist (key WITH
        =, daterange(start, end) WITH &&)."""
        return cls(
            name=name,
            expressions=[
                (F(key), RangeOperators.EQUAL),
                (DateRange(F("start"), F("end")), RangeOperators.OVERLAPS),
            ],
            violation_error_message=message,
        )

    # None (no SQL) is what Django's schema editor skips; django-stubs says these return str
    # and may be given no schema editor (Django always gives one).
    def constraint_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor
    ) -> str | None:
        return super().constraint_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def create_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor
    ) -> str | None:
        return super().create_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def remove_sql(  # type: ignore[override]
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor
    ) -> str | None:
        return super().remove_sql(model, schema_editor) if is_postgres(schema_editor) else None

    def validate(
        self,
        model: type[Model],
        instance: Model,
        exclude: Iterable[str] | None = None,
        using: str = "default",
    ) -> None:
        from django.db import connections

        if is_postgres(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)


class VendorSQL(migrations.RunSQL):
    """RunSQL with one script per database vendor (``postgresql``, ``sqlite``); others skip."""

    def __init__(
        self, *, forward: dict[str, list[str]], backward: dict[str, list[str]], **kwargs: Any
    ) -> None:
        self.forward_by_vendor = forward
        self.backward_by_vendor = backward
        super().__init__(sql="", reverse_sql="", **kwargs)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"forward": self.forward_by_vendor, "backward": self.backward_by_vendor},
        )

    # RunSQL._run_sql (statements or (statement, params) pairs, split as RunSQL splits them) is
    # Django's own but private, so django-stubs does not declare it.
    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        sql = self.forward_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            self._run_sql(schema_editor, sql)  # type: ignore[attr-defined]

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        sql = self.backward_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            self._run_sql(schema_editor, sql)  # type: ignore[attr-defined]
