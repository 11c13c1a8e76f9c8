"""Loading the land polygons zones are clipped to (``zones.Land``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon, Polygon

if TYPE_CHECKING:
    from .models import Land

BUNDLED = Path(settings.BASE_DIR) / "static" / "basemap" / "land.geojson"


def polygons(path: Path) -> list[Polygon]:
    """Every polygon of a GeoJSON FeatureCollection (or geometry), in EPSG:4326, made valid."""
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
        found.extend(_flatten(shape))
    return found


def _flatten(shape: GEOSGeometry) -> list[Polygon]:
    """The polygons of any geometry, collections nested at any depth (make_valid returns
    e.g. a collection of a multipolygon and a stray line); lines and points are dropped."""
    if isinstance(shape, Polygon):
        return [shape]
    if isinstance(shape, MultiPolygon | GeometryCollection):
        return [polygon for part in shape for polygon in _flatten(part)]
    return []


def load(land_model: type[Land], path: Path = BUNDLED) -> int:
    """Replace the land table with the polygons of ``path``; returns how many. ``land_model``
    is ``Land``, or its historical version in a migration."""
    shapes = polygons(path)
    land_model.objects.all().delete()
    land_model.objects.bulk_create(land_model(geom=shape) for shape in shapes)
    return len(shapes)
