"""Geometry helpers every app that handles polygons shares (zones' land, observed areas)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from django.contrib.gis.geos import GEOSGeometry, LineString, Polygon

G = TypeVar("G", Polygon, LineString)
COLLECTIONS = ("MultiPolygon", "MultiLineString", "GeometryCollection")


def parts_of(geometry: GEOSGeometry, kind: type[G]) -> list[G]:
    """The non-empty polygons (or lines) of any geometry, collections nested at any depth
    (a repair or a difference may return a collection of polygons, lines and points)."""
    if isinstance(geometry, kind):
        return [geometry] if not geometry.empty else []
    if geometry.geom_type in COLLECTIONS:
        return [part for k in range(geometry.num_geom) for part in parts_of(geometry[k], kind)]
    return []


def polygons_in(path: Path) -> list[Polygon]:
    """Every polygon of a GeoJSON FeatureCollection (or Feature, or geometry) in EPSG:4326,
    made valid."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geometries = [f["geometry"] for f in data["features"] if f.get("geometry")]
    elif data.get("type") == "Feature":
        geometries = [data["geometry"]]
    else:
        geometries = [data]
    found: list[Polygon] = []
    for geometry in geometries:
        shape = GEOSGeometry(json.dumps(geometry), srid=4326)
        # (asking .valid first would log a GEOS notice; django-stubs lacks make_valid)
        shape = shape.make_valid()  # type: ignore[attr-defined]
        found.extend(parts_of(shape, Polygon))
    return found
