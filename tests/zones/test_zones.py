"""Derived zones on the reference dataset (PostGIS)."""

import json

import pytest
from django.contrib.gis.geos import GEOSGeometry

from apps.territory.models import Place

pytestmark = pytest.mark.postgres


def zone_of(client, day: str, slug: str) -> str | None:
    body = client.get("/api/v1/zones/", {"date": day, "theater": "syria-iraq-2014-2019"}).json()
    assert body["derived"] is True and "Derived, not observed" in body["method"]
    point = Place.objects.get(slug=slug).location
    holders = [
        f["properties"]["group"]["slug"]
        for f in body["features"]
        if GEOSGeometry(json.dumps(f["geometry"]), srid=4326).intersects(point)
    ]
    assert len(holders) <= 1, holders  # zones of different groups never overlap
    return holders[0] if holders else None


def test_deir_ez_zor_and_raqqa_fall_in_their_holders_zones(client, reference):
    assert zone_of(client, "2017-11-04", "deir-ez-zor") == "syrian-government"
    assert zone_of(client, "2017-11-02", "abu-kamal") == "islamic-state"
    assert zone_of(client, "2016-06-01", "raqqa") == "islamic-state"


def test_zones_have_areas_and_bad_input_is_400(client, reference):
    body = client.get(
        "/api/v1/zones/", {"date": "2016-06-01", "theater": "syria-iraq-2014-2019"}
    ).json()
    areas = {
        f["properties"]["group"]["slug"]: f["properties"]["area_km2"] for f in body["features"]
    }
    assert areas["islamic-state"] > 1000 and all(a > 0 for a in areas.values())
    one = {"date": "2016-06-01", "theater": "syria-iraq-2014-2019"}
    assert client.get("/api/v1/zones/", one).status_code == 200
    bad = client.get(
        "/api/v1/zones/",
        {"date": "2016-06-01", "theater": "syria-iraq-2014-2019", "radius_km": "900"},
    )
    assert bad.status_code == 400


def test_one_place_alone_has_the_disc_around_it(theater, isis):
    """No Voronoi diagram exists for a single place: its cell is the whole theater."""
    from datetime import date

    from apps.zones import selectors as zone_selectors
    from tests.factories import ChangeFactory, PlaceFactory

    town = PlaceFactory(theater=theater)  # inland Syria, far from the sea and the bounds
    ChangeFactory(place=town, date=date(2015, 1, 1), controller=isis)
    zones = zone_selectors.zones_on(theater=theater, on=date(2016, 1, 1))
    assert [s.group_id for s in zones.shapes] == [isis.pk]
    assert 1_900 < zones.shapes[0].area_km2 < 1_964  # π × 25² km², as a 32-sided polygon
