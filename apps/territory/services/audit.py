"""The audit trail of every write (a revision per create, edit and delete), and the
small value helpers the writes share."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction

from apps.history import recorder
from apps.history.models import Revision

from .. import snapshots


def snapshot_of(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    return snapshots.snapshot(obj)


def record_revision(obj, action: str, *, before: tuple[dict, dict] | None = None) -> None:
    """Record a revision of `obj` as it now is; an edit that changed nothing records none."""
    data, labels = snapshots.snapshot(obj)
    diff = snapshots.diff(before, (data, labels))
    if action == Revision.Action.CHANGED and before is not None and set(diff) <= {"version"}:
        return  # nothing but the version counter moved
    recorder.record(obj, action=action, data=data, diff=diff, labels=labels)


def delete_recorded(obj) -> None:
    with transaction.atomic():
        record_revision(obj, Revision.Action.DELETED)
        obj.delete()


def refuse_unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def as_list(value):
    """Sequences of names become lists; anything else is left for validation to name."""
    return list(value) if isinstance(value, (list, tuple)) else value


def with_srid(geometry):
    if isinstance(geometry, GEOSGeometry) and geometry.srid is None:
        geometry.srid = 4326
    return geometry


def as_multipolygon(geometry):
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    return geometry


# --- Control changes -------------------------------------------------------------------------
