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
            "id": pid,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},  # rounded by the database
            "properties": {
                "place_id": pid,
                "name": name,
                "kind": kind,
                "importance": importance,
                "status": status,
                "controller": refs.get(controller),
                "challengers": sorted((refs[g] for g in challengers), key=_by_name)
                if challengers
                else [],
                "since": since,
                "until": until,
                "change": change,
            },
        }
        for (
            pid,
            name,
            kind,
            importance,
            lon,
            lat,
            status,
            controller,
            challengers,
            since,
            until,
            change,
        ) in snapshot.rows
    ]
