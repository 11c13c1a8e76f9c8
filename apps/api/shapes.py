"""Plain-dict shapes shared by the endpoints (serialized with orjson, no GEOS per row)."""

from __future__ import annotations

from collections.abc import Iterator

from apps.territory.models import ArmedGroup, Place
from apps.territory.selectors import DIGITS, PeriodInForce, PlaceRow, PlaceState, Snapshot


def group_ref(group: ArmedGroup | None) -> dict | None:
    if group is None:
        return None
    return {"id": group.pk, "slug": group.slug, "name": group.name, "color": group.color}


def lon_lat(place: Place) -> list[float]:
    return [
        round(place.location.x, DIGITS),
        round(place.location.y, DIGITS),
    ]


def state_properties(state: PlaceState) -> dict:
    return {
        "status": state.status,
        "controller": group_ref(state.controller),
        "challengers": [group_ref(g) for g in state.challengers],
        "since": state.since,
        "until": state.until,
        "change": state.change_id,
    }


def by_name(ref: dict) -> str:
    return ref["name"]


def control_features(snapshot: Snapshot) -> list[dict]:
    """The rows of a control snapshot as GeoJSON Features."""
    return [feature for chunk in control_feature_chunks(snapshot) for feature in chunk]


def control_feature_chunks(snapshot: Snapshot, size: int = 5_000) -> Iterator[list[dict]]:
    """The same Features, ``size`` at a time (the hot path of ``control/``: a chunk is
    serialized and let go before the next is built)."""
    refs = {pk: group_ref(group) for pk, group in snapshot.groups.items()}
    rows = snapshot.rows()
    for first in range(0, len(rows), size):
        yield _features(refs, rows[first : first + size])


def _features(
    refs: dict[int, dict | None], rows: list[tuple[PlaceRow, PeriodInForce]]
) -> list[dict]:
    return [
        {
            "type": "Feature",
            "id": place.place_id,
            # rounded by the database
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {
                "place_id": place.place_id,
                "name": place.name,
                "kind": place.kind,
                "importance": place.importance,
                "status": period.status,
                "controller": refs.get(period.controller_id) if period.controller_id else None,
                "challengers": sorted((refs[g] for g in period.challenger_ids), key=by_name)
                if period.challenger_ids
                else [],
                "since": period.since,
                "until": period.until,
                "change": period.change_id,
            },
        }
        for place, period in rows
    ]
