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

import hashlib
import logging
import operator
import struct
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, repeat
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon, WKBWriter
from django.core.cache import caches

from apps.ops import answers

from . import frontline
from .models import AreaLayer, AreaVersion

FORMAT = 1
SCALE = 100_000  # integer coordinates: degrees times this (1e-5 degrees: about a metre)
POINTS, FORWARD, BACKWARD = 0, 1, 2  # the kinds of ring edits
logger = logging.getLogger(__name__)

XY = tuple[float, float]
Ring = list[XY]  # open: the first point is not repeated at the end
IsFront = Callable[[XY, XY], int]  # a segment's ends -> 1 if front (or a token for it)


def rings_of(geometry: GEOSGeometry) -> list[Ring]:
    """Every ring of a (Multi)Polygon, exteriors and holes alike (the map fills them with the
    even-odd rule, so which is which does not matter), as open rings of (lon, lat), repeated
    points dropped. Read from the WKB: one array a ring, not a Python object a number. The
    points are compared as they are stored (a vertex an assessor did not move is the same
    double from one day to the next); only the new ones are rounded to integers."""
    data = bytes(geometry.wkb)
    out: list[Ring] = []
    offset = 0

    def read(fmt: str) -> tuple[Any, ...]:
        nonlocal offset
        values = struct.unpack_from(order + fmt, data, offset)
        offset += struct.calcsize(order + fmt)
        return values

    def polygon() -> None:
        nonlocal offset
        (count,) = read("I")
        for _ in range(count):
            (n,) = read("I")
            flat = array("d", data[offset : offset + 16 * n])
            offset += 16 * n
            if swap:
                flat.byteswap()
            points = list(zip(flat[0::2], flat[1::2], strict=True))
            ring = points
            if any(map(operator.eq, points, islice(points, 1, None))):  # rare: repeated points
                ring = [p for p, q in zip(points, [None, *points[:-1]], strict=True) if p != q]
            if len(ring) > 1 and ring[0] == ring[-1]:
                ring.pop()
            if len(ring) >= 3:
                out.append(ring)

    order = "<" if data[0] == 1 else ">"
    swap = (order == "<") != (sys.byteorder == "little")
    offset = 1
    (kind,) = read("I")
    if kind % 1000 == 3:
        polygon()
    elif kind % 1000 == 6:
        (parts,) = read("I")
        for _ in range(parts):
            order = "<" if data[offset] == 1 else ">"
            swap = (order == "<") != (sys.byteorder == "little")
            offset += 1
            read("I")
            polygon()
    else:
        raise ValueError(f"Not a (Multi)Polygon: WKB type {kind}")
    return out


class FrontTest:
    """Whether segments are front: their middles on the theater's land and away from coasts,
    borders and bounds (``frontline``'s surroundings). Called once a segment while encoding,
    it hands out a token (the segment's number); ``resolve`` then tests every new middle at
    once (one MultiPoint intersected, not a GEOS call a point) and ``patch`` puts the flags in
    place of the tokens."""

    def __init__(self, bounds: Polygon) -> None:
        self.land, self.along = frontline.surroundings(bounds)
        self.tokens: dict[tuple[float, float, float, float], int] = {}
        self.flags: list[int] = []  # per token, once resolved

    def __call__(self, a: XY, b: XY) -> int:
        key = (*a, *b) if a <= b else (*b, *a)
        token = self.tokens.get(key)
        if token is None:
            token = self.tokens[key] = len(self.tokens)
        return token

    def resolve(self) -> None:
        keys = list(self.tokens)[len(self.flags) :]
        if not keys:
            return
        middles = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in keys]
        values: list[float | int] = [1, 4, len(middles)]
        for x, y in middles:
            values.extend((1, 1, x, y))
        wkb = struct.pack("<BII" + "BIdd" * len(middles), *values)
        points = GEOSGeometry(memoryview(wkb), srid=4326)
        front = points.intersection(self.land).difference(self.along)
        kept = {tuple(c) for c in _coords(front)}
        self.flags.extend(int(m in kept) for m in middles)

    def patch(self, encoded: list[list[list[int]]]) -> None:
        """Replace the tokens in these versions' edits by the flags."""
        flags = self.flags
        for rings in encoded:
            for ops in rings:
                k = 0
                while k < len(ops):
                    if ops[k] == POINTS:
                        n = ops[k + 1]
                        for at in range(k + 4, k + 2 + 3 * n, 3):
                            ops[at] = flags[ops[at]]
                        k += 2 + 3 * n
                    else:
                        ops[k + 4] = flags[ops[k + 4]]
                        k += 5


def _coords(geometry: GEOSGeometry) -> list[tuple[float, float]]:
    """The points of a Point or MultiPoint, read from its WKB (little-endian, as asked)."""
    if geometry.empty:
        return []
    writer = WKBWriter()
    writer.byteorder = 1
    data = bytes(writer.write(geometry))
    (kind,) = struct.unpack_from("<I", data, 1)
    if kind == 1:
        return [struct.unpack_from("<dd", data, 5)]
    return [(x, y) for _, _, x, y in struct.iter_unpack("<BIdd", data[9:])]


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
    # where each point is in the version before (its first place: built backwards so the
    # first overwrites the later ones; C iterators, not a Python loop a point)
    where: dict[XY, tuple[int, int]] = {}
    for r in range(len(previous) - 1, -1, -1):
        ring = previous[r]
        where.update(
            zip(reversed(ring), zip(repeat(r), range(len(ring) - 1, -1, -1)), strict=False)
        )
    runs = Runs(previous)
    return [_ring_edits(ring, where, runs, front) for ring in rings]


class Runs:
    """How far a ring runs along a ring of the version before, from given points of each,
    forwards or backwards (wrapping round): compared a slice at a time (list equality runs
    in C), not a point at a time."""

    CHUNK = 32

    def __init__(self, previous: list[Ring]) -> None:
        self.previous = previous
        self.doubled: dict[tuple[int, int], Ring] = {}  # (ring, step) -> it twice over

    def length(self, ring: Ring, i: int, r: int, s: int, step: int) -> int:
        source = self.previous[r]
        m = len(source)
        key = (r, step)
        doubled = self.doubled.get(key)
        if doubled is None:
            doubled = self.doubled[key] = (source if step == 1 else source[::-1]) * 2
        start = s if step == 1 else m - 1 - s
        limit = min(len(ring) - i, m)  # a run never goes round more than once
        k = 0
        chunk = self.CHUNK
        while (
            k + chunk <= limit
            and ring[i + k : i + k + chunk] == doubled[start + k : start + k + chunk]
        ):
            k += chunk
        while k < limit and ring[i + k] == doubled[start + k]:
            k += 1
        return k


def _ring_edits(
    ring: Ring,
    where: dict[XY, tuple[int, int]],
    runs: Runs,
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
        if found is not None:
            r, s = found
            forward = runs.length(ring, i, r, s, 1)
            backward = runs.length(ring, i, r, s, -1)
            run = max(forward, backward)
            if run >= 2:
                flush()
                end, after = ring[i + run - 1], ring[(i + run) % n]
                kind = FORWARD if forward >= backward else BACKWARD
                ops.extend((kind, r, s, run, front(end, after)))
                i += run
                continue
        after = ring[(i + 1) % n]
        x, y = round(point[0] * SCALE), round(point[1] * SCALE)
        if fresh:
            fresh.extend((x - last[0], y - last[1], front(point, after)))
        else:
            fresh.extend((x, y, front(point, after)))
        last = (x, y)
        i += 1
    flush()
    return ops


@dataclass(frozen=True)
class LayerTimeline:
    layer: AreaLayer
    versions: list[AreaVersion]
    rings: list[list[list[int]]]  # per version, per ring, its edits


def layer_timeline(layer: AreaLayer) -> LayerTimeline:
    """A layer's versions and their edits. The edits (seconds of work for a long daily series)
    are kept in the answers cache under the layer's versions as they stand (how many, the
    last written, the theater's bounds and the front rule), so a write to one layer leaves the
    others' kept, and an import warms its layer's (``warm``)."""
    versions = list(
        AreaVersion.objects.filter(layer=layer)
        .defer("geometry", "gained", "lost")
        .select_related("source")
        .order_by("start")
    )
    key = _cache_key(layer, versions)
    rings = _cached(key)
    if rings is None or len(rings) != len(versions):
        rings = encode(layer, [v.pk for v in versions])
        if rings is not None:
            _keep(key, rings)
    return LayerTimeline(layer, versions, rings if rings is not None else [])


def encode(layer: AreaLayer, ids: list[int]) -> list[list[list[int]]] | None:
    """The edits of these versions (in this order), or None when they changed meanwhile."""
    geometries = dict(
        AreaVersion.objects.filter(layer=layer, pk__in=ids).values_list("pk", "geometry")
    )
    if len(geometries) != len(ids):
        return None
    front = FrontTest(layer.theater.bounds)
    encoded: list[list[list[int]]] = []
    previous: list[Ring] = []
    for pk in ids:
        rings = rings_of(geometries[pk])
        encoded.append(edits(rings, previous, front))
        previous = rings
    front.resolve()
    front.patch(encoded)
    return encoded


def warm(layer: AreaLayer) -> None:
    """Encode a layer's versions now (after an import), so the map's next visit need not."""
    layer_timeline(layer)


def _cache_key(layer: AreaLayer, versions: list[AreaVersion]) -> str:
    written = max((v.updated_at for v in versions), default=None)
    rule = f"{layer.theater.bounds.wkt}|{settings.FRONTLINE_BORDER_KM}"
    state = f"{len(versions)}|{max((v.pk for v in versions), default=0)}|{written}|{rule}"
    digest = hashlib.sha256(state.encode()).hexdigest()[:24]
    return f"area-timeline:{FORMAT}:{layer.pk}:{digest}"


def _cached(key: str) -> list[list[list[int]]] | None:
    if not settings.ANSWER_CACHE:
        return None
    try:
        found = caches[answers.CACHE_ALIAS].get(key)
    except Exception as error:  # the cache away: encode again
        logger.warning("area timeline cache read skipped: %s", error)
        return None
    return found if isinstance(found, list) else None


def _keep(key: str, rings: list[list[list[int]]]) -> None:
    if not settings.ANSWER_CACHE:
        return
    try:
        caches[answers.CACHE_ALIAS].set(key, rings, timeout=settings.ANSWER_CACHE_TTL_S)
    except Exception as error:
        logger.warning("area timeline cache write skipped: %s", error)
