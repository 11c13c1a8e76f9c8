"""The audit trail of every write (a revision per create, edit and delete), and the
small value helpers the writes share."""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction
from django.db.models import Model

from apps.history import recorder
from apps.history.models import Revision

from .. import revisions, snapshots

T = TypeVar("T")


def snapshot_of(obj: Model) -> snapshots.Snapshot:
    return snapshots.snapshot(obj)


def record_revision(obj: Model, action: str, *, before: snapshots.Snapshot | None = None) -> None:
    """Record a revision of `obj` as it now is; an edit that changed nothing records none.
    Every recorded write also steps the data revision of the theaters it shows in."""
    data, labels = snapshots.snapshot(obj)
    diff = snapshots.diff(before, (data, labels))
    if action == Revision.Action.CHANGED and before is not None and set(diff) <= {"version"}:
        return  # nothing but the version counter moved
    recorder.record(obj, action=action, data=data, diff=diff, labels=labels)
    revisions.advance_for(obj)


def delete_recorded(obj: Model) -> None:
    with transaction.atomic():
        record_revision(obj, Revision.Action.DELETED)
        obj.delete()


def refuse_unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def as_list(value: Any) -> Any:
    """Sequences of names become lists; anything else is left for validation to name."""
    return list(value) if isinstance(value, (list, tuple)) else value


def with_srid(geometry: T) -> T:
    if isinstance(geometry, GEOSGeometry) and geometry.srid is None:
        geometry.srid = 4326
    return geometry


@overload
def as_multipolygon(geometry: Polygon | MultiPolygon) -> MultiPolygon: ...
@overload
def as_multipolygon(geometry: T) -> T: ...
def as_multipolygon(geometry: Any) -> Any:
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    return geometry


# --- Control changes -------------------------------------------------------------------------
