"""A derived zone as flat GeoJSON feature properties, in the shape of ``territory.features``
(one shape for OGC API – Features and the GIS exports)."""

from __future__ import annotations

from typing import Any

from .compute import ZoneShape
from .selectors import Zones


def zone_properties(zones: Zones, shape: ZoneShape) -> dict[str, Any]:
    """One group's derived zone: labelled as such in every feature."""
    group = zones.groups[shape.group_id]
    return {
        "theater": zones.theater.slug,
        "group": group.slug,
        "group_name": group.name,
        "date": zones.day.isoformat(),
        "area_km2": shape.area_km2,
        "derived": True,
    }
