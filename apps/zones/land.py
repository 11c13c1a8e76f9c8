"""Loading the land polygons zones are clipped to (``zones.Land``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

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
        shape = shape.make_valid()  # (asking .valid first would log a GEOS notice)
        parts = shape if isinstance(shape, MultiPolygon) else [shape]
        for part in parts:
            if isinstance(part, Polygon):
                found.append(part)
            elif hasattr(part, "__iter__"):  # a collection from make_valid
                found.extend(p for p in part if isinstance(p, Polygon))
    return found


def load(land_model, path: Path = BUNDLED) -> int:
    """Replace the land table with the polygons of ``path``; returns how many."""
    shapes = polygons(path)
    land_model.objects.all().delete()
    land_model.objects.bulk_create(land_model(geom=shape) for shape in shapes)
    return len(shapes)
