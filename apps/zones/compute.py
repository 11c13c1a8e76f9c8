"""Derived territory zones: an *estimate* of the area each group controls on a day, made from
the point record alone — never an observation, and always labelled so.

Method: the Voronoi cells of the places whose controller is known that day (every point of
the theater goes to its nearest place), each cut to the land inside the theater's bounds and
to a disc of ``radius_km`` around its place (so neither the sea nor an empty desert between
far-apart towns is claimed), then dissolved per controlling group. Areas are geodesic (km²).
PostGIS only. Callers go through :mod:`apps.zones.selectors`, which read the stored results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from apps.territory.models import Theater
from apps.territory.selectors import held_places_on

METHOD = (
    "Derived, not observed: Voronoi cells of the places each group controls on this day, "
    "clipped to land, to the theater's bounds and to {radius:g} km around each place, "
    "dissolved per group."
)

# The places held on the day (territory's selector, so its time rule), in a temporary table
# with a spatial index: matching each Voronoi cell to its place is then an index probe, not a
# scan of every place per cell.
DROP_POINTS = "DROP TABLE IF EXISTS pg_temp.zone_points"
CREATE_POINTS = (
    "CREATE TEMPORARY TABLE zone_points (id, geom, importance, controller_id) "
    "ON COMMIT DROP AS {query}"
)
INDEX_POINTS = ["CREATE INDEX ON zone_points USING gist (geom)", "ANALYZE zone_points"]

# Why this order: the raw Voronoi cells tile the theater exactly, so a group's cells dissolve
# quickly; cut first, they would not. A cell is cut to the disc around its own place only where
# it reaches farther (its farthest vertex, measured in degrees × 111.7 km, an upper bound of
# the distance on the ground); inside a cell no other place is nearer, so the result is
# exactly "within radius of a place of the group, and nearer to it than to any other place".
SQL = """
WITH theater AS (SELECT ST_GeomFromEWKT(%(bounds)s) AS bounds),
area AS (
  -- the land inside the bounds; the bounds themselves if no land is loaded at all
  SELECT CASE WHEN EXISTS (SELECT 1 FROM zones_land)
    THEN (SELECT ST_Union(ST_Intersection(l.geom, t.bounds))
          FROM zones_land l, theater t WHERE l.geom && t.bounds)
    ELSE (SELECT bounds FROM theater) END AS geom
),
voronoi AS (
  SELECT ST_VoronoiPolygons(ST_Collect(geom), 0.0, (SELECT bounds FROM theater)) AS cells
  FROM zone_points
),
cells AS (
  -- one place (or several at one spot) has no Voronoi diagram: its cell is everything
  SELECT (cell).path[1] AS cell_id, (cell).geom AS cell
  FROM (SELECT ST_Dump(CASE WHEN cells IS NULL OR ST_IsEmpty(cells)
                            THEN ST_ForceCollection(ST_Envelope((SELECT bounds FROM theater)))
                            ELSE cells END) AS cell
        FROM voronoi) dumped
),
owned AS (
  -- two places at one spot share a cell: the more important one takes it
  SELECT DISTINCT ON (cells.cell_id) cells.cell, p.geom AS site, p.controller_id
  FROM cells JOIN zone_points p ON ST_Intersects(cells.cell, p.geom)
  ORDER BY cells.cell_id, p.importance DESC, p.id
),
reached AS (
  SELECT controller_id,
         CASE WHEN ST_MaxDistance(cell, site) * 111.7 <= %(radius_km)s THEN cell
              ELSE ST_Intersection(cell, ST_Buffer(site::geography, %(radius_m)s)::geometry)
         END AS geom
  FROM owned
),
dissolved AS (
  -- snapped to 1e-5 degrees (about a metre) by ST_ReducePrecision, which keeps it valid
  SELECT controller_id,
         ST_Multi(ST_CollectionExtract(ST_ReducePrecision(
           ST_Intersection(ST_Union(geom), (SELECT geom FROM area)), 0.00001), 3)) AS geom
  FROM reached
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
    geometry: dict[str, Any]  # GeoJSON MultiPolygon
    area_km2: float


class ZonesUnavailable(Exception):
    """Derived zones need PostGIS (the embedded SpatiaLite default has no Voronoi here)."""


def available() -> bool:
    return connection.vendor == "postgresql"


def compute(*, theater_id: int, on: date, radius_km: float) -> list[ZoneShape]:
    """The zones of a theater on a day, straight from the control periods (no cache)."""
    if not available():
        raise ZonesUnavailable("Derived zones need PostGIS.")
    bounds = Theater.objects.values_list("bounds", flat=True).get(pk=theater_id)
    values: dict[str, str | float] = {
        "bounds": bounds.ewkt,
        "radius_km": radius_km,
        "radius_m": radius_km * 1000,
    }
    points, points_params = held_places_on(theater_id=theater_id, on=on).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DROP_POINTS)
        cursor.execute(CREATE_POINTS.format(query=points), points_params)
        for statement in INDEX_POINTS:
            cursor.execute(statement)
        cursor.execute(SQL, values)
        rows = cursor.fetchall()
        cursor.execute(DROP_POINTS)  # gone now, not at the end of an enclosing transaction
    return [
        ZoneShape(group_id=group_id, geometry=json.loads(geojson), area_km2=round(area, 1))
        for group_id, geojson, area in rows
        if geojson
    ]
