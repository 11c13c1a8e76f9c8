"""Loading the land polygons zones are clipped to (``zones.Land``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from apps.territory.geometries import polygons_in

if TYPE_CHECKING:
    from .models import Land

BUNDLED = Path(settings.BASE_DIR) / "static" / "basemap" / "land.geojson"
polygons = polygons_in  # every polygon of a GeoJSON file, made valid


def load(land_model: type[Land], path: Path = BUNDLED) -> int:
    """Replace the land table with the polygons of ``path``; returns how many. ``land_model``
    is ``Land``, or its historical version in a migration."""
    shapes = polygons(path)
    land_model.objects.all().delete()
    land_model.objects.bulk_create(land_model(geom=shape) for shape in shapes)
    return len(shapes)
