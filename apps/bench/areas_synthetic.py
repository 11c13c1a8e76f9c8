"""A synthetic series of daily area snapshots the size of the public DeepStateMap one: a
held region whose front (a wiggly line of about 3,000 vertices) advances a little most days,
retreats now and then, and some days does not move at all, with an enclave and an island."""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

WEST, EAST = 30.0, 40.0  # the front runs north-south between these latitudes' ends
SOUTH, NORTH = 45.0, 52.0


def front_line(offsets: list[float]) -> list[list[float]]:
    """The front from south to north: longitude ``35 + offset`` at each step."""
    n = len(offsets)
    return [
        [round(35.0 + offsets[i], 6), round(SOUTH + (NORTH - SOUTH) * i / (n - 1), 6)]
        for i in range(n)
    ]


def ground(offsets: list[float]) -> dict:
    """Held: everything east of the front, with an enclave and an island."""
    line = front_line(offsets)
    ring = [*line, [EAST, NORTH], [EAST, SOUTH], line[0]]
    hole = [[38.0, 48.0], [38.0, 48.2], [38.3, 48.2], [38.3, 48.0], [38.0, 48.0]]
    island = [[33.0, 45.2], [33.4, 45.2], [33.4, 45.5], [33.0, 45.5], [33.0, 45.2]]
    return {"type": "MultiPolygon", "coordinates": [[ring, hole], [island]]}


def write_series(folder: Path, *, days: int, vertices: int, seed: int = 1) -> date:
    """One GeoJSON file a day (``deepstatemap_data_YYYYMMDD.geojson``); returns the first day."""
    rng = random.Random(seed)
    n = max(4, vertices - 15)
    offsets = [0.3 * math.sin(i / 37) + 0.1 * math.sin(i / 5.3) for i in range(n)]
    first = date(2024, 7, 8)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(days):
        if k and rng.random() > 0.15:  # 15% of days: no change
            centre, width = rng.randrange(n), rng.randint(20, 200)
            push = rng.uniform(-0.002, 0.006)  # mostly westward (the held side grows)
            for i in range(max(0, centre - width), min(n, centre + width)):
                weight = 1 - abs(i - centre) / width
                offsets[i] = min(2.5, max(-1.4, offsets[i] - push * weight))  # clear of the
                # enclave (lon 38) and the island (lon 33.4): the ring stays simple
        document = {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": [{"type": "Feature", "properties": {}, "geometry": ground(offsets)}],
        }
        name = f"deepstatemap_data_{first + timedelta(days=k):%Y%m%d}.geojson"
        (folder / name).write_text(json.dumps(document))
    return first
