"""control/'s GeoJSON from each place's part of its Feature, serialized once and kept.

A control/ Feature is the place's own part (id, point, name, kind, importance), the same on
every day, then its state on the day asked. The own parts of a theater's places are kept in
this process as bytes, in the order control/ lists the places, under the theater's places
tag (``revisions.places_stamp_of``), which moves when one of its places is written, not
with their changes. So a control/ built after a change reads only the periods in force, and
writes each Feature as its kept head, its state (serialized once per distinct state) and
three values. The bytes are those of ``dumps`` of the same Features as dicts (a test holds
both ways to it).

The heads of a few theaters are kept (the latest tag of each); about 25 MB for 100,000
places. A process that starts, or a tag that moves, builds them once (one query, about the
cost of building the Features as dicts once).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from apps.territory import revisions, selectors
from apps.territory.models import Theater
from apps.territory.selectors import UNKNOWN_PERIOD, PeriodInForce, PeriodsOn

from .renderers import dumps
from .shapes import by_name, group_ref

KEPT_THEATERS = 4
CHUNK = 5_000  # Features per piece of the answer


@dataclass(frozen=True)
class Heads:
    """A theater's places in answer order: their ids and each Feature's own part, the bytes
    of the Feature up to and including ``"importance":N,``."""

    tag: str
    place_ids: array
    heads: list[bytes]


_kept: OrderedDict[int, Heads] = OrderedDict()
_lock = threading.Lock()


def heads_of(theater: Theater) -> Heads:
    tag = revisions.places_stamp_of(theater.pk)
    with _lock:
        kept = _kept.get(theater.pk)
        if kept is not None and kept.tag == tag:
            _kept.move_to_end(theater.pk)
            return kept
    built = _build(theater, tag)  # outside the lock: another theater's request need not wait
    with _lock:
        _kept[theater.pk] = built
        _kept.move_to_end(theater.pk)
        while len(_kept) > KEPT_THEATERS:
            _kept.popitem(last=False)
    return built


def forget() -> None:
    """Drop every kept head (tests)."""
    with _lock:
        _kept.clear()


def _build(theater: Theater, tag: str) -> Heads:
    places = selectors.theater_places(theater=theater)
    return Heads(
        tag=tag,
        place_ids=array("q", [p.place_id for p in places]),
        heads=[
            dumps(
                {
                    "type": "Feature",
                    "id": p.place_id,
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                    "properties": {
                        "place_id": p.place_id,
                        "name": p.name,
                        "kind": p.kind,
                        "importance": p.importance,
                    },
                }
            )[:-2]
            + b","
            for p in places
        ],
    )


def feature_collection(
    on: date, heads: Heads, found: PeriodsOn, group_ids: set[int], size: int = CHUNK
) -> Iterator[bytes]:
    """control/'s GeoJSON in pieces, for the theater's places that pass the group filter."""
    refs: dict[int, dict] = {pk: group_ref(group) or {} for pk, group in found.groups.items()}
    states: dict[tuple, bytes] = {}
    days: dict[date | None, bytes] = {None: b"null"}
    period_of, unknown = found.periods.get, UNKNOWN_PERIOD

    def state(period: PeriodInForce) -> bytes:
        key = (period.status, period.controller_id, period.challenger_ids)
        text = states.get(key)
        if text is None:
            challengers = sorted((refs[g] for g in period.challenger_ids), key=by_name)
            text = states[key] = (
                dumps(
                    {
                        "status": period.status,
                        "controller": refs.get(period.controller_id)
                        if period.controller_id
                        else None,
                        "challengers": challengers,
                    }
                )[1:-1]
                + b',"since":'
            )
        return text

    def day(value: date | None) -> bytes:
        text = days.get(value)
        if text is None:
            text = days[value] = dumps(value)
        return text

    yield dumps({"type": "FeatureCollection", "date": on})[:-1] + b',"features":['
    separator = b""
    pieces: list[bytes] = []
    for place_id, head in zip(heads.place_ids, heads.heads, strict=True):
        if group_ids and not found.shown(place_id, group_ids):
            continue
        period = period_of(place_id, unknown)
        change = b"null" if period.change_id is None else b"%d" % period.change_id
        pieces.append(
            b'%s%s%s,"until":%s,"change":%s}}'
            % (head, state(period), day(period.since), day(period.until), change)
        )
        if len(pieces) == size:
            yield separator + b",".join(pieces)
            separator, pieces = b",", []
    if pieces:
        yield separator + b",".join(pieces)
    yield b"]}"
