"""The zones cache, kept: what is stored per zone day, dropped when a write changes it, and
filled again.

Zones only change on a *zone day*: a day on which some place's controller changes (a place
becoming contested does not move any zone). So one ``ZoneSet`` per zone day holds a theater's
zones until the next zone day, and any date is answered by the latest zone day on or before
it (``selectors``). Writes announce the day ranges on which a place's controller differs
before and after them (``territory.signals``, inside their transaction); ``receivers`` calls
:func:`invalidate` with them: rows in those ranges go, and a Celery task
(:func:`fill_missing`) computes what is missing. A read that finds no row computes it and
stores it, unless a write moved the theater's epoch meanwhile (then the answer is right for
the read but is not kept).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.db.models import Q

from apps.territory.selectors import controller_change_days

from . import compute
from .compute import ZoneShape
from .models import ZoneEpoch, ZoneSet


def default_radius() -> float:
    return float(settings.ZONES_RADIUS_KM)


def zone_days(theater_id: int) -> list[date]:
    """The days on which some place of the theater changes controller, in order.

    Kept in the cache under the theater's epoch, which every write that could change them
    replaces (a large theater takes a quarter of a second to scan)."""
    key = f"zones:days:{theater_id}:{epoch(theater_id)}"
    found: list[date] | None = django_cache.get(key)
    if found is None:
        found = controller_change_days(theater_id=theater_id)
        django_cache.set(key, found, timeout=24 * 3600)
    return found


def epoch(theater_id: int) -> int:
    found = ZoneEpoch.objects.filter(pk=theater_id).values_list("generation", flat=True).first()
    return found or 0


def compute_and_store(theater_id: int, day: date, radius: float) -> list[ZoneShape]:
    generation = epoch(theater_id)  # read before computing: see store
    shapes = compute.compute(theater_id=theater_id, on=day, radius_km=radius)
    store(theater_id, day, radius, generation, shapes)
    return shapes


def store(
    theater_id: int, day: date, radius: float, generation: int, shapes: list[ZoneShape]
) -> bool:
    """Keep the zones unless a write invalidated the theater since ``generation`` was read.
    FOR SHARE waits for a writer that bumped the epoch but has not committed yet; the row is
    made first if missing, so that a theater's first write is waited for too."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO zones_zoneepoch (theater_id, generation) VALUES (%s, 0) "
                "ON CONFLICT (theater_id) DO NOTHING",
                [theater_id],
            )
            cursor.execute(
                "SELECT generation FROM zones_zoneepoch WHERE theater_id = %s FOR SHARE",
                [theater_id],
            )
            row = cursor.fetchone()
        if (row[0] if row else 0) != generation:
            return False
        ZoneSet.objects.bulk_create(
            [
                ZoneSet(
                    theater_id=theater_id,
                    day=day,
                    radius_km=radius,
                    features=[
                        {"group": s.group_id, "area_km2": s.area_km2, "geometry": s.geometry}
                        for s in shapes
                    ],
                    areas={str(s.group_id): s.area_km2 for s in shapes},
                )
            ],
            ignore_conflicts=True,
        )
    return True


# --- Invalidation (called by the services, inside the write's transaction) ----------------


def invalidate(theater_id: int, ranges: Iterable[tuple[date, date | None]]) -> int:
    """Drop the cached zones of the days in ``ranges`` (half-open, ``None`` = open end), bump
    the theater's epoch and, when configured, have a worker compute them again after commit.
    Returns the number of rows dropped."""
    ranges = merge_ranges(ranges)
    if not ranges or not compute.available():
        return 0
    _bump_epoch(theater_id)  # first: a reader storing from now on waits for this transaction
    which = Q()
    for start, end in ranges:
        which |= Q(day__gte=start, day__lt=end) if end else Q(day__gte=start)
    dropped, _ = ZoneSet.objects.filter(theater_id=theater_id).filter(which).delete()
    if settings.ZONES_PRECOMPUTE:
        from .tasks import fill_missing_zones

        transaction.on_commit(lambda: fill_missing_zones.delay(theater_id), robust=True)
    return dropped


def invalidate_all(theater_id: int) -> int:
    return invalidate(theater_id, [(date.min, None)])


def _bump_epoch(theater_id: int) -> None:
    """A new random generation, not +1: a rolled-back write must not hand its number (and
    what was cached under it) to the next write."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO zones_zoneepoch (theater_id, generation) VALUES (%s, %s) "
            "ON CONFLICT (theater_id) DO UPDATE SET generation = excluded.generation",
            [theater_id, secrets.randbits(62) + 1],
        )


def merge_ranges(ranges: Iterable[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Sorted, with overlapping or touching ranges joined (an import may send thousands)."""
    merged: list[tuple[date, date | None]] = []
    for start, end in sorted(ranges, key=lambda r: r[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            joined_end = None if last_end is None or end is None else max(last_end, end)
            merged[-1] = (last_start, joined_end)
        else:
            merged.append((start, end))
    return merged


# --- Filling ------------------------------------------------------------------------------


@dataclass
class Filled:
    computed: int
    refused: int  # a write moved the epoch meanwhile: the task that write queued does them
    remaining: int  # left for later: the time budget ran out


def fill_missing(
    theater_id: int,
    *,
    days: Iterable[date] | None = None,
    budget_s: float | None = None,
    progress: Callable[[int, int, date], None] | None = None,
) -> Filled:
    """Compute the zones of the theater's zone days (or of ``days``) that have no row yet;
    with a time budget, at least one, then none once the budget is spent."""
    radius = default_radius()
    wanted = zone_days(theater_id) if days is None else sorted(set(days))
    have = set(
        ZoneSet.objects.filter(theater_id=theater_id, radius_km=radius, day__in=wanted).values_list(
            "day", flat=True
        )
    )
    missing = [day for day in wanted if day not in have]
    started = time.monotonic()
    computed = refused = 0
    for number, day in enumerate(missing, 1):
        if budget_s is not None and number > 1 and time.monotonic() - started > budget_s:
            return Filled(computed, refused, len(missing) - number + 1)
        generation = epoch(theater_id)
        shapes = compute.compute(theater_id=theater_id, on=day, radius_km=radius)
        if store(theater_id, day, radius, generation, shapes):
            computed += 1
        else:
            refused += 1
        if progress:
            progress(number, len(missing), day)
    return Filled(computed, refused, 0)
