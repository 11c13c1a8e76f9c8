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
    assert ids == ["places", "control", "periods", "zones", "areas", "frontline"]


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
    for path in (
        "/ogc/collections/nothing",
        "/ogc/collections/nothing/items",
        "/ogc/collections/nothing/items/1",
        "/ogc/collections/places/items/99999999999999999999999",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "NotFound", path


def invalid(client, query, path="/ogc/collections/places/items") -> str:
    """The OGC error body of a request that must be refused; returns its description."""
    response = client.get(path, query)
    assert response.status_code == 400, query
    assert response["Content-Type"] == "application/json", query
    body = response.json()
    assert body["code"] == "InvalidParameterValue", query
    return body["description"]


@pytest.mark.parametrize(
    "bbox",
    [
        "-200,0,10,10",
        "0,-91,10,10",
        "10,0,0,10",
        "0,10,10,0",
        "1,2,3",
        "a,b,c,d",
        "nan,0,1,1",
        "1,2,3,4,5",
        "0,0,0,181,10,10",
        ",,,",
        "inf,0,1,1",
    ],
)
def test_every_bad_bbox_is_a_400_in_ogc_form(client, town, bbox):
    assert invalid(client, {"bbox": bbox}).startswith("bbox: ")


def test_a_3d_bbox_drops_its_heights(client, town):
    url = "/ogc/collections/places/items"
    inside = client.get(url, {"bbox": "39,34,-100,41,36,100"}).json()  # Town: 40, 35
    assert [f["id"] for f in inside["features"]] == [town.pk]
    assert "bbox=39" in inside["links"][0]["href"]
    outside = client.get(url, {"bbox": "20,20,0,30,30,0"}).json()
    assert outside["features"] == [] and outside["numberMatched"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2017-13-01",
        "20171104",
        "2017-W44-6",
        "2017-11-04T25:00:00Z",
        "2018-01-01/2017-01-01",
        "../..",
        "/",
        "2017-01-01/x",
        "2017-01-01/2018-01-01/2019-01-01",
    ],
)
def test_every_bad_datetime_is_a_400_in_ogc_form(client, town, value):
    for path in ("/ogc/collections/periods/items", f"/ogc/collections/control/items/{town.pk}"):
        assert invalid(client, {"datetime": value}, path).startswith("datetime: ")


def test_an_interval_that_ends_before_it_starts_says_so(client, town):
    description = invalid(
        client, {"datetime": "2018-01-01/2017-01-01"}, "/ogc/collections/periods/items"
    )
    assert "ends (2017-01-01) before it starts (2018-01-01)" in description
    same_day = client.get("/ogc/collections/periods/items", {"datetime": "2016-01-01/2016-01-01"})
    assert same_day.status_code == 200 and len(same_day.json()["features"]) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "-5"),
        ("limit", "many"),
        ("limit", "1.5"),
        ("limit", "1e3"),
        ("limit", ""),
        ("offset", "-1"),
        ("offset", "x"),
        ("offset", "١"),
        ("offset", "99999999999999999999"),
    ],
)
def test_every_bad_limit_and_offset_is_a_400_in_ogc_form(client, town, name, value):
    assert invalid(client, {name: value}).startswith(f"{name}: ")


def test_a_large_limit_is_clamped_and_unknown_parameters_refused(client, town):
    page = client.get("/ogc/collections/places/items", {"limit": "99999999"}).json()
    assert "limit=10000" in page["links"][0]["href"]
    assert invalid(client, {"color": "red"}).startswith("color: Unknown parameter")
    assert invalid(client, {"f": "html"}).startswith("f: ")
    assert client.get("/ogc/collections/places/items", {"f": "json"}).status_code == 200
    assert invalid(client, {"bbox": "0,0,1,1"}, f"/ogc/collections/places/items/{town.pk}")


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


def test_items_are_kept_per_revision_and_revalidated(client, town, isis):
    url = "/ogc/collections/control/items"
    first = client.get(url, {"datetime": "2018-01-01"}, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and first["ETag"].startswith('W/"')
    again = client.get(url, {"datetime": "2018-01-01"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other_host = client.get(url, {"datetime": "2018-01-01"}, HTTP_HOST="localhost")
    assert "http://localhost/" in other_host.json()["links"][0]["href"]
    ChangeFactory(place=town, date=date(2017, 6, 1), controller=isis)
    after = client.get(url, {"datetime": "2018-01-01"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert [f["properties"]["controller"] for f in after.json()["features"]] == ["is"]
