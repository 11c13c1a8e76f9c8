"""Plain-dict shapes shared by the endpoints (serialized with orjson, no GEOS per row)."""

from __future__ import annotations

from apps.territory.models import ArmedGroup, Place
from apps.territory.selectors import DIGITS, PlaceState, Snapshot


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


def _by_name(ref: dict) -> str:
    return ref["name"]


def control_features(snapshot: Snapshot) -> list[dict]:
    """The rows of a control snapshot as GeoJSON Features (the hot path of ``control/``)."""
    refs = {pk: group_ref(group) for pk, group in snapshot.groups.items()}
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
                "challengers": sorted((refs[g] for g in period.challenger_ids), key=_by_name)
                if period.challenger_ids
                else [],
                "since": period.since,
                "until": period.until,
                "change": period.change_id,
            },
        }
        for place, period in snapshot.rows()
    ]
