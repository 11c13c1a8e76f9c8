"""Synthetic snapshot series for the area tests: an advancing front with a hole, an island,
a day with no change, an invalid ring and a retreat (GeoJSON as the assessors publish it)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

START = date(2024, 7, 8)


def box(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def ground_on(k: int) -> dict:
    """Day k of the front: the held box reaches lon 40 + 0.1 k (a retreat on day 5), with a
    hole from day 2 and an island from day 3."""
    reach = {0: 0.2, 1: 0.3, 2: 0.4, 3: 0.5, 4: 0.5, 5: 0.35, 6: 0.6}[k]
    main = [box(40.0, 35.0, 40.0 + reach, 36.0)]
    if k >= 2:
        main.append(list(reversed(box(40.05, 35.4, 40.1, 35.5))))  # a hole
    parts = [main]
    if k >= 3:
        parts.append([box(41.5, 35.0, 41.6, 35.1)])  # an island
    return {"type": "MultiPolygon", "coordinates": parts}


def document(geometry: dict, *, crs: bool = True, properties: dict | None = None) -> dict:
    out: dict = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties or {}, "geometry": geometry}],
    }
    if crs:
        out["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    return out


def write_series(folder: Path, days: range = range(7)) -> list[Path]:
    """One file a day, named as DeepStateMap's (day 4 repeats day 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in days:
        day = START + timedelta(days=k)
        path = folder / f"deepstatemap_data_{day:%Y%m%d}.geojson"
        path.write_text(json.dumps(document(ground_on(k))))
        paths.append(path)
    return paths
