"""Pure geometry of area snapshots: reading GeoJSON, repairing, comparing, measuring.

Everything here runs in GEOS (Django's geometry objects) and pyproj, so PostGIS and the
embedded SpatiaLite default give the same figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from pyproj import Geod

from apps.territory.geometries import parts_of

WGS84 = Geod(ellps="WGS84")
# The names the older GeoJSON (2008) gave lon/lat WGS 84 in its `crs` member.
LON_LAT_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "OGC:CRS84",
    "CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:4326",
}


class GeometryError(ValueError):
    """A geometry that cannot be an area (the message says why)."""


@dataclass(frozen=True)
class Ground:
    """A snapshot's ground: a valid MultiPolygon, and what had to be repaired (empty: none)."""

    geometry: MultiPolygon
    repaired: str = ""


def check_crs(document: dict[str, Any]) -> None:
    """Refuse a `crs` member naming anything but lon/lat WGS 84 (RFC 7946 has none)."""
    crs = document.get("crs")
    if crs is None:
        return
    name = (crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else ""
    if name not in LON_LAT_CRS:
        raise GeometryError(f"Coordinates in {name or 'an unnamed CRS'}: give lon/lat (CRS84).")


def _flat(coordinates: Any) -> Any:
    """The coordinates with any Z (and M) dropped."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return coordinates[:2]
    return [_flat(c) for c in coordinates]


def ground_of(geometry: dict[str, Any] | None) -> Ground:
    """A GeoJSON Polygon or MultiPolygon (2-D or 3-D) as a valid 2-D MultiPolygon in EPSG:4326,
    repaired if it is invalid (self-intersecting rings, say)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise GeometryError(f"An area is a Polygon or a MultiPolygon, not {kind!r}.")
    try:
        flat = {"type": geometry["type"], "coordinates": _flat(geometry["coordinates"])}
        parsed = GEOSGeometry(json.dumps(flat), srid=4326)
    except (KeyError, TypeError, ValueError, IndexError, GDALException, GEOSException) as error:
        raise GeometryError(f"Unreadable coordinates: {error}") from None
    if parsed.empty:
        raise GeometryError("The geometry is empty.")
    repaired = ""
    if not parsed.valid:
        repaired = parsed.valid_reason
        parsed = parsed.make_valid()  # type: ignore[attr-defined]  # GEOS >= 3.8; no stub
    multi = polygonal(parsed)
    if multi.empty:
        raise GeometryError(f"Nothing of the area is left once repaired ({repaired}).")
    return Ground(multi, repaired)


def polygonal(geometry: GEOSGeometry) -> MultiPolygon:
    """The polygons of a geometry (a repair or a difference may add lines and points)."""
    return MultiPolygon(*parts_of(geometry, Polygon), srid=4326)


def same_ground(a: GEOSGeometry, b: GEOSGeometry) -> bool:
    """The same vertices, whatever ring starts or part order (a republished snapshot)."""
    if a.num_coords != b.num_coords:
        return False
    a, b = a.clone(), b.clone()
    a.normalize()
    b.normalize()
    return bool(a.equals_exact(b, tolerance=0))


def km2(geometry: GEOSGeometry | None) -> float:
    """Geodesic area on the WGS 84 ellipsoid, in km² (holes subtracted)."""
    if geometry is None or geometry.empty:
        return 0.0
    total = 0.0
    for part in polygonal(geometry):
        polygon = cast(Polygon, part)
        rings: list[Any] = [polygon[k] for k in range(polygon.num_interior_rings + 1)]
        for i, ring in enumerate(rings):
            lons, lats = zip(*ring.coords, strict=True)
            area, _ = WGS84.polygon_area_perimeter(lons, lats)
            total += abs(area) if i == 0 else -abs(area)
    return total / 1e6


def gained_and_lost(before: GEOSGeometry, after: GEOSGeometry) -> tuple[MultiPolygon, MultiPolygon]:
    """The ground ``after`` holds that ``before`` did not, and the reverse."""
    return polygonal(after.difference(before)), polygonal(before.difference(after))


def as_geojson(geometry: GEOSGeometry, digits: int = 5) -> dict[str, Any]:
    """A (Multi)Polygon as a GeoJSON dict, coordinates rounded (5 digits: about a metre)."""

    def rounded(coordinates: Any) -> Any:
        if coordinates and isinstance(coordinates[0], (int, float)):
            return [round(coordinates[0], digits), round(coordinates[1], digits)]
        return [rounded(c) for c in coordinates]

    coordinates = geometry.coords  # type: ignore[attr-defined]  # every kind has them
    return {"type": geometry.geom_type, "coordinates": rounded(coordinates)}


def simplified(geometry: GEOSGeometry, tolerance: float) -> MultiPolygon:
    """Fewer vertices, within ``tolerance`` degrees, without parts crossing or rings
    collapsing into invalid ones (GEOS's topology-preserving simplifier)."""
    if tolerance <= 0:
        return polygonal(geometry)
    return polygonal(geometry.simplify(tolerance, preserve_topology=True))


def tolerance_at_zoom(zoom: float) -> float:
    """Half a pixel of a 256-pixel web map tile at ``zoom``, in degrees of longitude."""
    return 360.0 / (256 * 2**zoom) / 2
