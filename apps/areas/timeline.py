"""The area timeline: every version of a theater's area layers in one compact answer, so the
map can draw any day's ground without asking the server again (``area-timeline/``).

Consecutive versions of a layer share nearly all their boundary (the public DeepStateMap
series: 656 versions of about 2,900 vertices, 15,000 new vertices in all), so each version's
rings are written as edits of the version before: runs of points copied from one of its rings
(forwards or backwards, wrapping round) and the points that are new. Coordinates are integers
(degrees times ``SCALE``, about a metre). Each point also carries whether the segment leaving
it is *front*: on land, away from coasts, borders and the theater's bounds (the rule of
``frontline``, judged at the segment's middle), so the map draws the front line without
computing it. The layout is in ``docs/api.md``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point, Polygon

from . import frontline
from .models import AreaLayer, AreaVersion

FORMAT = 1
SCALE = 100_000  # integer coordinates: degrees times this (1e-5 degrees: about a metre)
POINTS, FORWARD, BACKWARD = 0, 1, 2  # the kinds of ring edits

Ring = list[tuple[int, int]]  # open: the first point is not repeated at the end
IsFront = Callable[[tuple[int, int], tuple[int, int]], int]  # a segment's ends -> 1 if front


def rings_of(geometry: GEOSGeometry) -> list[Ring]:
    """Every ring of a (Multi)Polygon, exteriors and holes alike (the map fills them with the
    even-odd rule, so which is which does not matter), as open rings of integer points,
    repeated points dropped. Read from the WKB: one struct call a ring, not a Python object
    a point."""
    data = bytes(geometry.wkb)
    out: list[Ring] = []
    offset = 0

    def read(fmt: str) -> tuple[Any, ...]:
        nonlocal offset
        values = struct.unpack_from(order + fmt, data, offset)
        offset += struct.calcsize(order + fmt)
        return values

    def polygon() -> None:
        (count,) = read("I")
        for _ in range(count):
            (n,) = read("I")
            flat = read(f"{2 * n}d")
            ring: Ring = []
            for k in range(0, 2 * n, 2):
                point = (round(flat[k] * SCALE), round(flat[k + 1] * SCALE))
                if not ring or ring[-1] != point:
                    ring.append(point)
            if len(ring) > 1 and ring[0] == ring[-1]:
                ring.pop()
            if len(ring) >= 3:
                out.append(ring)

    order = "<" if data[0] == 1 else ">"
    offset = 1
    (kind,) = read("I")
    if kind % 1000 == 3:
        polygon()
    elif kind % 1000 == 6:
        (parts,) = read("I")
        for _ in range(parts):
            order = "<" if data[offset] == 1 else ">"
            offset += 1
            read("I")
            polygon()
    else:
        raise ValueError(f"Not a (Multi)Polygon: WKB type {kind}")
    return out


class FrontTest:
    """Whether a segment is front: its middle on the theater's land and away from coasts,
    borders and bounds (``frontline``'s surroundings, prepared for many point tests)."""

    def __init__(self, bounds: Polygon) -> None:
        land, along = frontline.surroundings(bounds)
        self.land = land.prepared
        self.along = along.prepared
        self.cache: dict[tuple[int, int, int, int], int] = {}

    def __call__(self, a: tuple[int, int], b: tuple[int, int]) -> int:
        key = (*a, *b) if a <= b else (*b, *a)
        known = self.cache.get(key)
        if known is None:
            middle = Point((a[0] + b[0]) / (2 * SCALE), (a[1] + b[1]) / (2 * SCALE), srid=4326)
            known = int(self.land.contains(middle) and not self.along.contains(middle))
            self.cache[key] = known
        return known


def edits(rings: list[Ring], previous: list[Ring], front: IsFront) -> list[list[int]]:
    """``rings`` written as edits of ``previous``: per ring a flat list of integers, a sequence
    of edits (docs/api.md):

    - ``0, n, x, y, f, dx, dy, f, …``: n new points, the first as it is, the next as
      differences from the one before; f: 1 when the segment leaving the point is front.
    - ``1, r, s, n, f``: n points copied from ring r of the version before, from its point s
      onwards (wrapping round); the segments between them are the ones there (with their
      front flags); f is the flag of the segment leaving the last.
    - ``2, r, s, n, f``: the same backwards, from point s to s - 1, s - 2, ….
    """
    where: dict[tuple[int, int], tuple[int, int]] = {}
    for r, ring in enumerate(previous):
        for s, point in enumerate(ring):
            where.setdefault(point, (r, s))
    return [_ring_edits(ring, previous, where, front) for ring in rings]


def _ring_edits(
    ring: Ring,
    previous: list[Ring],
    where: dict[tuple[int, int], tuple[int, int]],
    front: IsFront,
) -> list[int]:
    """One ring's edits: at each point, the longest run (at least two points) found in the
    version before, forwards or backwards, else a new point."""
    n = len(ring)
    ops: list[int] = []
    fresh: list[int] = []  # the pending run of new points, encoded
    last = (0, 0)

    def flush() -> None:
        if fresh:
            ops.extend((POINTS, len(fresh) // 3, *fresh))
            fresh.clear()

    i = 0
    while i < n:
        point = ring[i]
        found = where.get(point)
        run, direction = 0, 0
        if found is not None:
            r, s = found
            source = previous[r]
            m = len(source)
            for step in (1, -1):
                k = 1
                while i + k < n and k < m and ring[i + k] == source[(s + step * k) % m]:
                    k += 1
                if k > run:
                    run, direction = k, step
        if found is not None and run >= 2:
            flush()
            end, after = ring[i + run - 1], ring[(i + run) % n]
            kind = FORWARD if direction == 1 else BACKWARD
            ops.extend((kind, found[0], found[1], run, front(end, after)))
            i += run
            continue
        after = ring[(i + 1) % n]
        if fresh:
            fresh.extend((point[0] - last[0], point[1] - last[1], front(point, after)))
        else:
            fresh.extend((point[0], point[1], front(point, after)))
        last = point
        i += 1
    flush()
    return ops


@dataclass(frozen=True)
class LayerTimeline:
    layer: AreaLayer
    versions: list[AreaVersion]
    rings: list[list[list[int]]]  # per version, per ring, its edits


def layer_timeline(layer: AreaLayer, front: FrontTest) -> LayerTimeline:
    versions = list(
        AreaVersion.objects.filter(layer=layer)
        .defer("gained", "lost")
        .select_related("source")
        .order_by("start")
    )
    encoded: list[list[list[int]]] = []
    previous: list[Ring] = []
    for version in versions:
        rings = rings_of(version.geometry)
        encoded.append(edits(rings, previous, front))
        previous = rings
    return LayerTimeline(layer, versions, encoded)


def layer_timelines(layers: list[AreaLayer], bounds: Polygon) -> Iterator[LayerTimeline]:
    front = FrontTest(bounds)
    for layer in layers:
        yield layer_timeline(layer, front)
