"""The zones as the API, /ogc/, the exports and the chart read them: for any day, from the
latest zone day on or before it, out of the cache (``services``), filled on a miss."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from apps.territory.models import ArmedGroup, Theater

from . import compute
from .compute import ZoneShape, ZonesUnavailable
from .models import ZoneSet
from .services import compute_and_store, default_radius, fill_missing, zone_days

__all__ = [
    "AreaSeries",
    "Zones",
    "ZonesUnavailable",
    "area_series",
    "default_radius",
    "zone_days",
    "zones_on",
]


@dataclass
class Zones:
    """The zones in force on ``day``: computed for ``valid_from`` (the latest zone day on or
    before it, None before any place is held) and unchanged until ``valid_until`` (None: open)."""

    theater: Theater
    day: date
    valid_from: date | None
    valid_until: date | None
    radius_km: float
    shapes: list[ZoneShape]
    groups: dict[int, ArmedGroup]


def zones_on(*, theater: Theater, on: date, radius_km: float | None = None) -> Zones:
    """The zones of ``theater`` on ``on``: from the cache for the configured radius (filling it
    when missing), computed afresh for any other radius."""
    if not compute.available():
        raise ZonesUnavailable("Derived zones need PostGIS.")
    radius = default_radius() if radius_km is None else float(radius_km)
    days = zone_days(theater.pk)
    index = bisect_right(days, on)
    valid_from = days[index - 1] if index else None
    valid_until = days[index] if index < len(days) else None
    shapes: list[ZoneShape] = []
    if valid_from is not None:
        if radius == default_radius():
            shapes = _cached_shapes(theater.pk, valid_from, radius)
        else:
            shapes = compute.compute(theater_id=theater.pk, on=valid_from, radius_km=radius)
    groups = ArmedGroup.objects.in_bulk([shape.group_id for shape in shapes])
    return Zones(theater, on, valid_from, valid_until, radius, shapes, groups)


def _cached_shapes(theater_id: int, day: date, radius: float) -> list[ZoneShape]:
    row = ZoneSet.objects.filter(theater_id=theater_id, day=day, radius_km=radius).first()
    if row is None:
        return compute_and_store(theater_id, day, radius)
    return [ZoneShape(f["group"], f["geometry"], f["area_km2"]) for f in row.features]


# --- Area series (stats/control-series/) ----------------------------------------------------


@dataclass
class AreaSeries:
    by_group: dict[int, list[float | None]]  # None: not computed yet (see ``pending``)
    pending: int  # zone days still to compute; a worker or a later request fills them


def area_series(*, theater: Theater, steps: list[date], group_ids: Iterable[int]) -> AreaSeries:
    """Per group, the area of its zone at each step, from the cache; missing zone days are
    computed within ``ZONES_INLINE_BUDGET_S`` (the rest is queued and answered as None)."""
    days = zone_days(theater.pk)
    keys = []
    for step in steps:
        index = bisect_right(days, step)
        keys.append(days[index - 1] if index else None)
    needed = sorted({key for key in keys if key is not None})
    filled = fill_missing(theater.pk, days=needed, budget_s=settings.ZONES_INLINE_BUDGET_S)
    if filled.remaining and settings.ZONES_PRECOMPUTE:
        from .tasks import fill_missing_zones

        transaction.on_commit(lambda: fill_missing_zones.delay(theater.pk), robust=True)
    areas = dict(
        ZoneSet.objects.filter(
            theater=theater, radius_km=default_radius(), day__in=needed
        ).values_list("day", "areas")
    )
    by_group: dict[int, list[float | None]] = {group_id: [] for group_id in group_ids}
    for key in keys:
        held = areas.get(key) if key is not None else {}
        for group_id, values in by_group.items():
            values.append(None if held is None else held.get(str(group_id), 0.0))
    return AreaSeries(by_group, pending=len([k for k in needed if k not in areas]))
