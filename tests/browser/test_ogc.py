"""OGC API – Features, read by GDAL's own client (ogrinfo/ogr2ogr, the OAPIF driver) from the
live server, as QGIS would."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.browser  # uses the live server of tests/browser/conftest.py


def gdal(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is missing: install gdal-bin (make test does).")
    done = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=120,
        env={"CPL_DEBUG": "OFF", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_the_collections(live_url):
    out = gdal("ogrinfo", "-ro", f"OAPIF:{live_url}/ogc/")
    layers = re.findall(r"^\d+: (\w+)", out, re.MULTILINE)
    assert layers == ["places", "control", "periods", "zones", "areas", "frontline"], out


def test_ogr2ogr_copies_collections_into_a_geopackage(live_url, api, tmp_path):
    places = api("/api/v1/places/?page_size=1000")
    expected = places["count"] if "count" in places else len(places["features"])
    target = tmp_path / "frontline.gpkg"
    gdal(
        "ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{live_url}/ogc/", "places", "periods", "zones"
    )
    summary = gdal("ogrinfo", "-ro", "-so", str(target), "places")
    assert f"Feature Count: {expected}" in summary, summary
    assert "name: String" in summary and "slug: String" in summary
    periods = gdal("ogrinfo", "-ro", "-so", str(target), "periods")
    count = int(re.search(r"Feature Count: (\d+)", periods).group(1))
    assert count >= 166  # the reference dataset's changes make at least this many periods
    zones = gdal("ogrinfo", "-ro", "-so", str(target), "zones")
    assert "Geometry: Multi Polygon" in zones and "area_km2: Real" in zones, zones


def test_items_page_with_next_links_and_filter_by_bbox_and_datetime(live_url, api):
    first = api("/ogc/collections/places/items?limit=10")
    assert first["numberReturned"] == 10 and first["numberMatched"] > 10
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = api(following.removeprefix(live_url))
    assert {f["id"] for f in first["features"]}.isdisjoint({f["id"] for f in second["features"]})

    deir = api("/ogc/collections/control/items?bbox=40.0,35.2,40.3,35.45&datetime=2017-11-04")
    holders = {f["properties"]["slug"]: f["properties"]["controller"] for f in deir["features"]}
    assert holders.get("deir-ez-zor") == "syrian-government", holders
    before = api("/ogc/collections/control/items?bbox=40.0,35.2,40.3,35.45&datetime=2017-09-16")
    assert {f["properties"]["slug"]: f["properties"]["controller"] for f in before["features"]}[
        "deir-ez-zor"
    ] is None  # split: contested, no side holding most of it
