"""The front line: shared boundaries once, coasts and borders left out, geodesic lengths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from pyproj import Geod

from apps.areas import frontline, services
from tests.areas.fronts import START, box

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient(HTTP_HOST="127.0.0.1")


# inland Syria, between Homs and Raqqa: no coast or border within 50 km
WEST_BOX, EAST_BOX = (37.0, 35.0, 37.5, 35.6), (37.5, 35.0, 38.0, 35.6)
COAST_BOX = (35.5, 35.0, 36.4, 35.3)  # from the sea off Latakia to inland


def ground(bounds) -> MultiPolygon:
    return MultiPolygon(Polygon(box(*bounds), srid=4326), srid=4326)


def edge_km(*points) -> float:
    lons, lats = zip(*points, strict=True)
    return GEOD.line_length(lons, lats) / 1000


def perimeter_km(bounds) -> float:
    return edge_km(*box(*bounds))


def test_two_layers_that_meet_share_one_line(theater):
    shared = edge_km((37.5, 35.0), (37.5, 35.6))
    both = frontline.front_between([ground(WEST_BOX), ground(EAST_BOX)], theater.bounds)
    expected = perimeter_km(WEST_BOX) + perimeter_km(EAST_BOX) - shared
    assert frontline.length_km(both) == pytest.approx(expected, rel=1e-6)
    alone = frontline.front_of(ground(WEST_BOX), theater.bounds)
    assert frontline.length_km(alone) == pytest.approx(perimeter_km(WEST_BOX), rel=1e-6)


def test_a_layer_against_the_coast_has_no_front_at_sea_or_along_it(theater):
    front = frontline.front_of(ground(COAST_BOX), theater.bounds)
    lons = [x for k in range(front.num_geom) for x, _ in front[k].coords]
    assert lons and min(lons) > 35.95  # the coast is near 35.8-35.9 here; nothing west of it
    inland = edge_km((36.4, 35.0), (36.4, 35.3))
    assert inland < frontline.length_km(front) < perimeter_km(COAST_BOX) / 2


def test_nothing_held_has_no_front(theater):
    assert frontline.length_km(frontline.front_between([], theater.bounds)) == 0


def test_versions_store_their_front_and_the_api_draws_it(api, theater, syria, isis):
    west = services.layer_create(theater=theater, slug="west", name="W", group=syria, assessor="A")
    east = services.layer_create(theater=theater, slug="east", name="E", group=isis, assessor="A")
    services.snapshots_add(layer=west, snapshots=[services.DayGround(START, ground(WEST_BOX))])
    services.snapshots_add(layer=east, snapshots=[services.DayGround(START, ground(EAST_BOX))])
    assert west.versions.get().front_km == pytest.approx(perimeter_km(WEST_BOX), rel=1e-6)
    body = api.get("/api/v1/frontline/", {"theater": theater.slug, "date": str(START)}).json()
    (feature,) = body["features"]
    assert feature["geometry"]["type"] == "MultiLineString"
    shared = edge_km((37.5, 35.0), (37.5, 35.6))
    expected = perimeter_km(WEST_BOX) + perimeter_km(EAST_BOX) - shared
    assert feature["properties"]["length_km"] == pytest.approx(expected, abs=0.1)
    assert {layer["slug"] for layer in feature["properties"]["layers"]} == {"west", "east"}
    one = api.get(
        "/api/v1/frontline/", {"theater": theater.slug, "date": str(START), "layer": "west"}
    ).json()["features"][0]["properties"]["length_km"]
    assert one == pytest.approx(perimeter_km(WEST_BOX), abs=0.1)
    series = api.get(
        "/api/v1/stats/area-series/",
        {
            "theater": theater.slug,
            "layer": "west",
            "interval": "day",
            "from": str(START - timedelta(days=1)),
            "to": str(START),
        },
    ).json()
    assert series["layers"][0]["front_km"] == [
        None,
        pytest.approx(perimeter_km(WEST_BOX), abs=1e-2),
    ]
