"""Derived territory zones: an *estimate* of the area each group controls on a day, made from
the point record alone — never an observation, and always labelled so.

Method: the Voronoi cells of the places whose controller is known that day (every point of
the theater goes to its nearest place), each cut to the land inside the theater's bounds and
to a disc of ``radius_km`` around its place (so neither the sea nor an empty desert between
far-apart towns is claimed), then dissolved per controlling group. Areas are geodesic (km²).
PostGIS only. Callers go through :mod:`apps.zones.cache`, which stores the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection

METHOD = (
    "Derived, not observed: Voronoi cells of the places each group controls on this day, "
    "clipped to land, to the theater's bounds and to {radius:g} km around each place, "
    "dissolved per group."
)

SQL = """
WITH points AS (
  SELECT p.id, p.location AS geom, cp.controller_id
  FROM territory_place p
  JOIN territory_controlperiod cp
    ON cp.place_id = p.id AND cp.start <= %(day)s AND (cp."end" IS NULL OR cp."end" > %(day)s)
  WHERE p.theater_id = %(theater)s AND cp.controller_id IS NOT NULL
),
theater AS (SELECT bounds FROM territory_theater WHERE id = %(theater)s),
area AS (
  -- the land inside the bounds; the bounds themselves if no land is loaded at all
  SELECT CASE WHEN EXISTS (SELECT 1 FROM zones_land)
    THEN (SELECT ST_Union(ST_Intersection(l.geom, t.bounds))
          FROM zones_land l, theater t WHERE l.geom && t.bounds)
    ELSE (SELECT bounds FROM theater) END AS geom
),
cells AS (
  SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(geom), 0.0, (SELECT bounds FROM theater)))).geom
    AS cell
  FROM points
),
owned AS (
  SELECT points.controller_id,
         ST_Intersection(
           ST_Intersection(cells.cell, (SELECT geom FROM area)),
           ST_Buffer(points.geom::geography, %(radius_m)s)::geometry
         ) AS geom
  FROM cells JOIN points ON ST_Intersects(cells.cell, points.geom)
),
dissolved AS (
  -- snapped to 1e-5 degrees (about a metre) by ST_ReducePrecision, which keeps it valid
  SELECT controller_id,
         ST_Multi(ST_CollectionExtract(ST_ReducePrecision(ST_Union(geom), 0.00001), 3)) AS geom
  FROM owned
  GROUP BY controller_id
)
SELECT controller_id, ST_AsGeoJSON(geom), ST_Area(geom::geography) / 1e6
FROM dissolved
WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)
ORDER BY controller_id
"""


@dataclass
class ZoneShape:
    group_id: int
    geometry: dict  # GeoJSON MultiPolygon
    area_km2: float


class ZonesUnavailable(Exception):
    """Derived zones need PostGIS (the embedded SpatiaLite default has no Voronoi here)."""


def available() -> bool:
    return connection.vendor == "postgresql"


def compute(*, theater_id: int, on: date, radius_km: float) -> list[ZoneShape]:
    """The zones of a theater on a day, straight from the control periods (no cache)."""
    if not available():
        raise ZonesUnavailable("Derived zones need PostGIS.")
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"day": on, "theater": theater_id, "radius_m": radius_km * 1000})
        rows = cursor.fetchall()
    return [
        ZoneShape(group_id=group_id, geometry=json.loads(geojson), area_km2=round(area, 1))
        for group_id, geojson, area in rows
        if geojson
    ]
