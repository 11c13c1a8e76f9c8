"""Plain-dict shapes shared by the endpoints (serialized with orjson, no GEOS per row)."""

from __future__ import annotations

from apps.territory.models import ArmedGroup, Place
from apps.territory.selectors import PlaceState

COORDINATE_DECIMALS = 5  # about 1 m


def group_ref(group: ArmedGroup | None) -> dict | None:
    if group is None:
        return None
    return {"id": group.pk, "slug": group.slug, "name": group.name, "color": group.color}


def lon_lat(place: Place) -> list[float]:
    return [
        round(place.location.x, COORDINATE_DECIMALS),
        round(place.location.y, COORDINATE_DECIMALS),
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


def control_feature(state: PlaceState, refs: dict[int, dict]) -> dict:
    """One place of a ``control_snapshot`` as a Feature; ``refs`` caches group references."""
    place = state.place
    controller = state.controller
    return {
        "type": "Feature",
        "id": place.pk,
        "geometry": {
            "type": "Point",
            "coordinates": [
                round(place.lon, COORDINATE_DECIMALS),
                round(place.lat, COORDINATE_DECIMALS),
            ],
        },
        "properties": {
            "place_id": place.pk,
            "name": place.name,
            "kind": place.kind,
            "importance": place.importance,
            "status": state.status,
            "controller": refs[controller.pk] if controller else None,
            "challengers": [refs[g.pk] for g in state.challengers],
            "since": state.since,
            "until": state.until,
            "change": state.change_id,
        },
    }


def group_refs() -> dict[int, dict]:
    return {g.pk: group_ref(g) for g in ArmedGroup.objects.all()}
