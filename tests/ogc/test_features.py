from datetime import date

import pytest

from tests.factories import ChangeFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(theater, isis, syria):
    place = PlaceFactory(theater=theater, name="Town", slug="town")
    ChangeFactory(place=place, date=date(2015, 1, 1), controller=isis)
    ChangeFactory(place=place, date=date(2017, 1, 1), controller=syria)
    return place


def test_landing_conformance_and_collections(client, town):
    landing = client.get("/ogc/").json()
    assert {link["rel"] for link in landing["links"]} >= {"self", "conformance", "data"}
    assert any("conf/geojson" in c for c in client.get("/ogc/conformance").json()["conformsTo"])
    ids = [c["id"] for c in client.get("/ogc/collections").json()["collections"]]
    assert ids == ["places", "control", "periods", "zones"]


def test_periods_by_instant_and_interval(client, town):
    url = "/ogc/collections/periods/items"
    in_2016 = client.get(url, {"datetime": "2016-06-01"}).json()
    assert [f["properties"]["controller"] for f in in_2016["features"]] == ["is"]
    both = client.get(url, {"datetime": "2016-06-01/2018-01-01"}).json()
    assert [f["properties"]["controller"] for f in both["features"]] == ["is", "sy"]
    open_end = client.get(url, {"datetime": "2017-06-01/.."}).json()
    assert [f["properties"]["controller"] for f in open_end["features"]] == ["sy"]


def test_one_feature_and_the_errors(client, town):
    response = client.get(f"/ogc/collections/control/items/{town.pk}", {"datetime": "2016-01-01"})
    assert response["Content-Type"] == "application/geo+json"
    assert response.json()["properties"]["controller"] == "is"
    assert client.get("/ogc/collections/control/items/999999").status_code == 404
    assert client.get("/ogc/collections/nothing/items").status_code == 404
    for bad in [{"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"datetime": "yesterday"},
                {"limit": "0"}, {"offset": "-1"}, {"limit": "many"},
                {"offset": "99999999999999999999"}]:  # fmt: skip
        response = client.get("/ogc/collections/places/items", bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "InvalidParameterValue"


def test_pages_come_from_the_database_and_walk_every_item(
    client, theater, isis, syria, django_assert_max_num_queries
):
    places = [PlaceFactory(theater=theater) for _ in range(25)]
    for number, place in enumerate(places):
        ChangeFactory(place=place, date=date(2015, 1, 1), controller=isis if number % 2 else syria)
    url, seen = "/ogc/collections/control/items", []
    query = {"datetime": "2016-01-01", "limit": "10"}
    while url:
        with django_assert_max_num_queries(8):  # a page costs the same however many items
            page = client.get(url, query).json()
        assert page["numberMatched"] == 25 and page["numberReturned"] <= 10
        seen += [(f["id"], f["properties"]["controller"]) for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        query = {}
    expected = [(p.pk, "is" if n % 2 else "sy") for n, p in enumerate(places)]
    assert seen == expected  # in id order, each once
