"""The front line: where one side's ground meets the other's.

A layer's front is its boundary where it runs inside the land: the parts along a coast, along
an international border or along the theater's bounds are left out (they meet the sea, or a
neighbour's territory, not the other side). The land and borders are the bundled Natural Earth
1:110m ones (``static/basemap``), coarse: a boundary within ``FRONTLINE_BORDER_KM`` of a coast
or border counts as running along it. Where two layers meet, their shared boundary is one line.
Lengths are geodesic (WGS 84).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, Polygon

from apps.territory.geometries import parts_of, polygons_in

from .geometry import WGS84

COUNTRIES = Path(settings.BASE_DIR) / "static" / "basemap" / "countries.geojson"
KM_PER_DEGREE = 111.32  # of latitude; borders are buffered by this many degrees per km


@lru_cache(maxsize=8)
def _surroundings(bounds_wkt: str, border_km: float) -> tuple[GEOSGeometry, GEOSGeometry]:
    """Near a theater: the land (the countries, less what lies outside the bounds), and what no
    front runs along (coasts and borders, the countries' outlines, and the theater's bounds),
    widened by ``border_km``."""
    bounds = GEOSGeometry(bounds_wkt, srid=4326)
    reach = bounds.buffer(1.0)
    land: GEOSGeometry | None = None
    outlines: GEOSGeometry = bounds.boundary
    for shape in polygons_in(COUNTRIES):
        if shape.intersects(reach):
            land = shape if land is None else land.union(shape)
            outlines = outlines.union(shape.boundary.intersection(reach))
    inside = bounds if land is None else land.intersection(bounds)
    return inside, outlines.buffer(border_km / KM_PER_DEGREE)


def surroundings(bounds: Polygon) -> tuple[GEOSGeometry, GEOSGeometry]:
    """The theater's land, and the widened coasts, borders and bounds no front runs along."""
    return _surroundings(bounds.wkt, float(settings.FRONTLINE_BORDER_KM))


def _front(boundary: GEOSGeometry, bounds: Polygon) -> MultiLineString:
    land, along = surroundings(bounds)
    return lines(boundary.intersection(land).difference(along))


def front_of(ground: GEOSGeometry, bounds: Polygon) -> MultiLineString:
    """One layer's front: its boundary on land, less what runs along coasts, borders and
    the theater's bounds."""
    return _front(ground.boundary, bounds)


def front_between(grounds: list[GEOSGeometry], bounds: Polygon) -> MultiLineString:
    """The front of several layers at once (a boundary two layers share counts once)."""
    if not grounds:
        return MultiLineString(srid=4326)
    union = grounds[0].boundary
    for ground in grounds[1:]:
        union = union.union(ground.boundary)
    return _front(union, bounds)


def lines(geometry: GEOSGeometry) -> MultiLineString:
    """The lines of a geometry, merged where they join."""
    parts = [line for line in parts_of(geometry, LineString) if line.num_points > 1]
    if not parts:
        return MultiLineString(srid=4326)
    merged = MultiLineString(*parts, srid=4326).merged
    return merged if isinstance(merged, MultiLineString) else MultiLineString(merged, srid=4326)


def length_km(geometry: GEOSGeometry) -> float:
    total = 0.0
    for k in range(geometry.num_geom):
        line = cast(Any, geometry[k])
        lons, lats = zip(*line.coords, strict=True)
        total += WGS84.line_length(lons, lats)
    return total / 1000
