"""The OGC collections of observed areas and the front line, read as GDAL reads them."""

from datetime import timedelta

import pytest

from apps.areas import geometry as geo
from apps.areas import services
from tests.areas.fronts import START, ground_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer(theater, syria, isis):
    layer = services.layer_create(
        theater=theater, slug="front", name="Held", group=syria, complement=isis, assessor="A"
    )
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(START + timedelta(days=k), geo.ground_of(ground_on(k)).geometry)
            for k in (0, 1, 2)
        ],
    )
    return layer


def test_areas_by_instant_and_interval(client, layer):
    url = "/ogc/collections/areas/items"
    day1 = client.get(url, {"datetime": str(START + timedelta(days=1))}).json()
    (feature,) = day1["features"]
    assert feature["properties"]["valid_from"] == str(START + timedelta(days=1))
    assert feature["geometry"]["type"] == "MultiPolygon"
    span = client.get(url, {"datetime": f"{START}/{START + timedelta(days=1)}"}).json()
    assert span["numberMatched"] == 2
    today = client.get(url).json()  # default: in force today, the last version
    assert [f["properties"]["valid_until"] for f in today["features"]] == [None]
    one = client.get(f"/ogc/collections/areas/items/{feature['id']}").json()
    assert one["properties"]["layer"] == "front"


def test_the_front_line_collection(client, layer, theater):
    body = client.get("/ogc/collections/frontline/items", {"datetime": str(START)}).json()
    (feature,) = body["features"]
    assert feature["id"] == theater.pk and feature["geometry"]["type"] == "MultiLineString"
    assert feature["properties"]["length_km"] > 0
    before = client.get("/ogc/collections/frontline/items", {"datetime": "2020-01-01"}).json()
    assert before["features"] == []


@pytest.mark.postgres
def test_gdal_reads_the_areas_collection(live_server, layer):
    import subprocess

    out = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{live_server.url}/ogc/collections/areas"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Feature Count: 1" in out.stdout and "area_km2" in out.stdout
