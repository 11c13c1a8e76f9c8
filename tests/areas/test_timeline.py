"""The area timeline: each version's rings written as edits of the version before, decoded
back exactly (a reference decoder here, independent of the map's), with the front flags, and
``area-timeline/`` and ``areas/disagreement/`` over the API."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from apps.areas import geometry as geo
from apps.areas import services, timeline
from apps.areas.timeline import BACKWARD, FORWARD, POINTS, SCALE
from tests.areas.fronts import START, ground_on


def decode(ops: list[int], previous: list[list[tuple[int, int]]]) -> tuple[list, list]:
    """One ring's points and front flags from its edits (docs/api.md, "area-timeline/")."""
    points: list[tuple[int, int]] = []
    flags: list[int] = []
    k = 0
    while k < len(ops):
        kind = ops[k]
        if kind == POINTS:
            n = ops[k + 1]
            x = y = 0
            for j in range(n):
                dx, dy, f = ops[k + 2 + 3 * j : k + 5 + 3 * j]
                x, y = (x + dx, y + dy) if j else (dx, dy)
                points.append((x, y))
                flags.append(f)
            k += 2 + 3 * n
        else:
            assert kind in (FORWARD, BACKWARD), kind
            r, s, n, f = ops[k + 1 : k + 5]
            source = previous[r]
            m = len(source)
            step = 1 if kind == FORWARD else -1
            for j in range(n):
                points.append(source[(s + step * j) % m])
                flags.append(-1 if j < n - 1 else f)  # inherited: checked by the caller
            k += 5
    return points, flags


def integers(rings):
    """Rings as the map receives them: integer points (degrees times SCALE)."""
    return [[(round(x * SCALE), round(y * SCALE)) for x, y in ring] for ring in rings]


def roundtrip(versions, front=None):
    """Encode each version against the one before and decode it back; the integers written."""
    front = front or (lambda a, b: 0)
    previous: list = []
    decoded: list = []
    total = 0
    for rings in versions:
        encoded = timeline.edits(rings, previous, front)
        total += sum(len(ops) for ops in encoded)
        decoded = [decode(ops, decoded)[0] for ops in encoded]
        assert decoded == integers(rings)
        previous = rings
    return total


def square(x: float, y: float, side: float, n: int = 8) -> list[tuple[float, float]]:
    """A square of 4n points (degrees), counter-clockwise from its south-west corner."""
    edge = [(x + side * i / n, y) for i in range(n)]
    edge += [(x + side, y + side * i / n) for i in range(n)]
    edge += [(x + side - side * i / n, y + side) for i in range(n)]
    edge += [(x, y + side - side * i / n) for i in range(n)]
    return edge


def test_unchanged_rings_are_one_copy_each_and_moved_points_are_written():
    a = square(30, 30, 0.8)
    moved = list(a)
    moved[10] = (moved[10][0] + 0.007, moved[10][1])  # one point of the east side pushed out
    extra = square(32, 30, 0.08, 2)
    versions = [[a], [a], [moved], [moved, extra], [extra, moved]]
    previous: list = []
    decoded: list = []
    sizes = []
    for rings in versions:
        encoded = timeline.edits(rings, previous, lambda a, b: 0)
        decoded = [decode(ops, decoded)[0] for ops in encoded]
        assert decoded == integers(rings)
        sizes.append([ops[0] for ops in encoded])
        previous = rings
    assert sizes[1] == [FORWARD]  # the same ring: one copy
    assert sizes[4] == [FORWARD, FORWARD]  # reordered rings: copied from where they were


def test_rotated_and_reversed_rings_are_copied_not_written_again():
    a = square(30, 30, 0.8)
    rotated = a[13:] + a[:13]
    reversed_ = list(reversed(a))
    assert roundtrip([[a], [rotated]]) - roundtrip([[a]]) <= 2 * 5  # wraps round: two copies
    assert roundtrip([[a], [reversed_]]) - roundtrip([[a]]) <= 2 * 5  # backwards
    encoded = timeline.edits([reversed_], [a], lambda a, b: 0)
    assert BACKWARD in encoded[0][::5]


def test_a_whole_new_ring_and_an_empty_version():
    a = square(30, 30, 0.8)
    b = square(35, 35, 0.4)
    roundtrip([[a], [], [b], [a, b], [b]])


def test_front_flags_follow_their_segments_through_copies_forwards_and_backwards():
    a = square(30, 30, 0.8)

    def front(p, q):  # the east side (lon 30.8) is the front
        return int(p[0] == q[0] == 30.8)

    def flags_of(ring):
        return [front(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]

    for later in (a[5:] + a[:5], list(reversed(a)), [*a[:20], (30.9, 30.4), *a[20:]]):
        encoded = timeline.edits([later], [a], front)
        points, flags = decode(encoded[0], integers([a]))
        assert points == integers([later])[0]
        # what a copy inherits is the source ring's flag of the same segment
        want = flags_of(later)
        for i, f in enumerate(flags):
            if f != -1:
                assert f == want[i], (i, later[i])


def test_rings_are_read_from_wkb_as_open_rings_without_repeated_points():
    shape = geo.ground_of(ground_on(3)).geometry
    rings = timeline.rings_of(shape)
    assert len(rings) == 3  # the box, its hole, the island
    outer = rings[0]
    assert outer[0] != outer[-1]
    assert (40.0, 35.0) in outer
    triangle = Polygon(((0, 0), (1, 0), (1, 0), (1, 1), (0, 0)), srid=4326)
    assert timeline.rings_of(triangle) == [[(0, 0), (1, 0), (1, 1)]]


@pytest.fixture
def layers(theater, syria, isis):
    first = services.layer_create(
        theater=theater, slug="ours", name="Ours", group=syria, complement=isis, assessor="Us"
    )
    second = services.layer_create(
        theater=theater, slug="theirs", name="Theirs", group=syria, assessor="Them"
    )
    for layer, reach in ((first, 0.0), (second, 0.1)):
        services.snapshots_add(
            layer=layer,
            snapshots=[
                services.DayGround(
                    START + timedelta(days=k), geo.ground_of(grown(ground_on(k), reach)).geometry
                )
                for k in range(7)
            ],
        )
    return first, second


def grown(geometry: dict, by: float) -> dict:
    """The same ground with its eastern edge further east by ``by`` degrees."""
    if not by:
        return geometry
    east = max(x for part in geometry["coordinates"] for x, _ in part[0])
    return {
        "type": "MultiPolygon",
        "coordinates": [
            [[[x + by if x == east else x, y] for x, y in ring] for ring in part]
            for part in geometry["coordinates"]
        ],
    }


def test_area_timeline_answer_decodes_to_every_stored_version(client, theater, layers):
    answer = client.get(f"/api/v1/area-timeline/?theater={theater.slug}").json()
    assert answer["format"] == timeline.FORMAT and answer["scale"] == SCALE
    epoch = theater.start_date
    assert [entry["layer"]["slug"] for entry in answer["layers"]] == ["ours", "theirs"]
    for entry, layer in zip(answer["layers"], layers, strict=True):
        stored = list(layer.versions.order_by("start"))
        versions = entry["versions"]
        assert versions["count"] == len(stored) == len(entry["rings"]) == 6  # day 4 = day 3
        assert versions["id"] == [v.pk for v in stored]
        assert versions["start"] == [(v.start - epoch).days for v in stored]
        assert versions["end"][-1] is None
        assert versions["area_km2"] == [round(v.area_km2, 3) for v in stored]
        assert entry["layer"]["last_published"] == str(START + timedelta(days=6))
        previous: list = []
        for rings, version in zip(entry["rings"], stored, strict=True):
            decoded = [decode(ops, previous)[0] for ops in rings]
            assert decoded == integers(timeline.rings_of(version.geometry))
            previous = decoded
    one = client.get(f"/api/v1/area-timeline/?theater={theater.slug}&layer=theirs").json()
    assert [entry["layer"]["slug"] for entry in one["layers"]] == ["theirs"]
    missing = client.get(f"/api/v1/area-timeline/?theater={theater.slug}&layer=nope")
    assert missing.status_code == 404


def test_front_flags_leave_out_the_theaters_bounds(client, syria, isis):
    from tests.factories import TheaterFactory

    # a theater in the middle of Syria's land, the layer's western edge on its bounds
    theater = TheaterFactory(bounds=Polygon.from_bbox((38.0, 34.0, 40.0, 36.0)))
    layer = services.layer_create(
        theater=theater, slug="west", name="West", group=syria, assessor="Us"
    )
    held = MultiPolygon(Polygon.from_bbox((38.0, 34.5, 39.0, 35.5)), srid=4326)
    services.snapshots_add(layer=layer, snapshots=[services.DayGround(START, held)])
    answer = client.get(f"/api/v1/area-timeline/?theater={theater.slug}").json()
    (ops,) = answer["layers"][0]["rings"][0]
    points, flags = decode(ops, [])
    front = {(points[i], points[(i + 1) % len(points)]) for i, f in enumerate(flags) if f == 1}
    east = round(39.0 * SCALE)
    assert front and all(a[0] == b[0] == east or a[1] == b[1] for a, b in front)
    assert not any(a[0] == b[0] == round(38.0 * SCALE) for a, b in front)  # the bounds


def test_disagreement_between_two_assessors(client, theater, layers):
    day = START + timedelta(days=6)
    url = f"/api/v1/areas/disagreement/?theater={theater.slug}&date={day}&a=ours&b=theirs"
    answer = client.get(url).json()
    ours, theirs = (layer.versions.get(start__lte=day, end__isnull=True) for layer in layers)
    want = geo.km2(theirs.geometry.difference(ours.geometry))
    assert math.isclose(answer["disagreement_km2"], want, rel_tol=1e-3)
    only = {f["properties"]["only"]: f["properties"]["km2"] for f in answer["features"]}
    assert only["a"] == 0 and math.isclose(only["b"], want, rel_tol=1e-3)
    assert answer["a"]["version"]["id"] == ours.pk
    assert answer["b"]["version"]["valid_from"] == str(theirs.start)
    before = client.get(url.replace(str(day), str(START - timedelta(days=1)))).json()
    assert before["disagreement_km2"] == 0 and before["a"]["version"] is None
    for bad, status in (("&b=ours", 400), ("&b=nope", 404), ("", 400)):
        query = url.replace("&b=theirs", bad)
        assert client.get(query).status_code == status, bad


def test_a_layers_edits_are_kept_until_its_versions_change(layers, monkeypatch, settings):
    settings.ANSWER_CACHE = True
    ours, theirs = layers
    calls = []
    encode = timeline.encode
    monkeypatch.setattr(
        timeline, "encode", lambda layer, ids: calls.append(layer.slug) or encode(layer, ids)
    )
    first = timeline.layer_timeline(ours)
    again = timeline.layer_timeline(ours)
    assert calls == ["ours"] and again.rings == first.rings
    timeline.layer_timeline(theirs)
    # a day with other ground: a new version of ours; theirs is kept
    services.snapshots_add(
        layer=ours,
        snapshots=[
            services.DayGround(START + timedelta(days=9), geo.ground_of(ground_on(2)).geometry)
        ],
    )
    changed = timeline.layer_timeline(ours)
    timeline.layer_timeline(theirs)
    assert calls == ["ours", "theirs", "ours"]
    assert len(changed.rings) == len(changed.versions) == 7
