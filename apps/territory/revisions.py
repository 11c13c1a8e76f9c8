"""The data revision of each theater: what cache keys and ETags of whole answers are built from.

Every service that writes something a read can return calls :func:`advance` (or
:func:`advance_every_theater`, for groups and sources, which every theater shows) inside
its transaction. Why a tag can never pair with data it does not describe:

- The step is an ``UPDATE`` (an upsert) of the theater's row in the writer's transaction, so
  it becomes visible exactly when the data does, and not before: no reader sees a revision
  whose data it cannot see yet.
- Two writers of one theater queue on that row lock; the second adds one to the value the
  first committed, so no step is lost. Readers take no lock and never wait.
- Readers take the revision *before* they read the data (:func:`stamp_of` is the first
  query of a cached view). The data a reader then sees is at least as new as its revision:
  an answer may be newer than its tag (and is then rebuilt once more under the next tag),
  never older.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from apps.ops.answers import Stamp

from .models import ArmedGroup, ControlChange, DataRevision, Place, Source, Theater

TABLE = DataRevision._meta.db_table


def advance(theater_ids: Iterable[int | None], *, places: bool = False) -> None:
    """One step forward for each of these theaters, in the caller's transaction; ``places``:
    the write changed some of their places themselves (see :func:`places_stamp_of`)."""
    ids = sorted({pk for pk in theater_ids if pk is not None})  # one lock order: no deadlock
    if not ids:
        return
    now = timezone.now()
    rows = ", ".join(["(%s, %s, 1, 1, %s)"] * len(ids))
    values: list[Any] = []
    for pk in ids:
        values += [pk, secrets.token_hex(8), now]
    table = connection.ops.quote_name(TABLE)
    places_step = f"places_value = {table}.places_value + 1, " if places else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (theater_id, token, value, places_value, changed_at) "
            f"VALUES {rows} ON CONFLICT (theater_id) DO UPDATE SET "
            f"value = {table}.value + 1, {places_step}changed_at = excluded.changed_at",
            values,
        )


def advance_every_theater() -> None:
    advance(Theater.objects.values_list("pk", flat=True))


def advance_for(obj: Model) -> None:
    """Step the theaters whose reads ``obj`` (just written) can change."""
    if isinstance(obj, Theater):
        advance([obj.pk])
    elif isinstance(obj, Place):
        advance([obj.theater_id], places=True)
    elif isinstance(obj, ControlChange):
        advance(Place.objects.filter(pk=obj.place_id).values_list("theater_id", flat=True))
    elif isinstance(obj, ArmedGroup | Source):  # shown by every theater's answers
        advance_every_theater()


def advance_for_places(place_ids: Iterable[int], *, places: bool = False) -> None:
    """Step the theaters of these places (``places``: as :func:`advance`)."""
    ids = sorted(set(place_ids))
    theaters: set[int] = set()
    for first in range(0, len(ids), 500):  # SQLite's parameter limit
        batch = ids[first : first + 500]
        theaters.update(Place.objects.filter(pk__in=batch).values_list("theater_id", flat=True))
    advance(theaters, places=places)


def stamp_of(theater_id: int) -> Stamp:
    """The revision of one theater (one indexed read)."""
    row = DataRevision.objects.filter(theater_id=theater_id).first()
    if row is None:  # a theater no write has stepped yet (none is made without one)
        return Stamp(tag=f"{theater_id}.-.0", changed_at=None)
    return Stamp(tag=str(row), changed_at=row.changed_at)


def places_stamp_of(theater_id: int) -> str:
    """A tag of the theater's places themselves: it moves when one of them is created,
    edited, deleted or moved away, not when their changes are written (one indexed read)."""
    row = DataRevision.objects.filter(theater_id=theater_id).values_list("token", "places_value")
    found = row.first()
    return f"{theater_id}.-.0" if found is None else f"{theater_id}.{found[0]}.{found[1]}"


def stamp_of_every_theater() -> Stamp:
    """The revisions of all theaters together, for answers that span every theater."""
    rows = list(DataRevision.objects.order_by("theater_id"))
    changed: list[datetime] = [row.changed_at for row in rows]
    return Stamp(tag="+".join(map(str, rows)) or "none", changed_at=max(changed, default=None))
