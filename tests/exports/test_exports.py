"""GIS exports: a GeoPackage GDAL opens with the right layers and counts, GeoJSON and CSV,
through the API's job flow."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.gdal import DataSource
from django.utils import timezone

from apps.exports.builder import run_job
from apps.exports.models import ExportJob
from apps.exports.tasks import expire_exports
from apps.ingest.reference import load_dataset
from apps.territory.models import ControlChange, ControlPeriod, Place, Theater
from apps.users.models import User
from apps.users.roles import EDITORS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = str(tmp_path / "exports")
    return Path(settings.EXPORT_ROOT)


@pytest.fixture
def reference(db):
    load_dataset(settings.REFERENCE_DATA_DIR)
    return Theater.objects.get(slug="syria-iraq-2014-2019")


def export(theater, fmt, **dates) -> ExportJob:
    job = ExportJob.objects.create(theater=theater, format=fmt, **dates)
    run_job(job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    return job


def reference_rows(name: str) -> int:
    """Rows of data/reference/<name>.csv (the file's records, header left out)."""
    import csv

    from django.conf import settings

    with open(settings.REFERENCE_DATA_DIR / f"{name}.csv", newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_a_geopackage_opens_in_gdal_with_every_layer(reference, export_root):
    from datetime import date

    job = export(reference, "gpkg", date=date(2017, 11, 4))
    source = DataSource(str(export_root / job.file))
    layers = {layer.name: layer for layer in source}
    assert set(layers) == {"places", "changes", "periods", "control", "zones"}
    zones = {f.get("group"): f.get("area_km2") for f in layers["zones"]}
    assert zones["syrian-government"] > 0 and layers["zones"].geom_type.name == "MultiPolygon"
    places, changes = reference_rows("places"), reference_rows("changes")  # as the CSVs hold
    assert len(layers["places"]) == Place.objects.count() == places
    assert len(layers["changes"]) == ControlChange.objects.count() == changes
    assert len(layers["periods"]) == ControlPeriod.objects.count()
    assert len(layers["control"]) == places
    control = {f.get("slug"): f.get("controller") for f in layers["control"]}
    assert control["deir-ez-zor"] == "syrian-government"
    assert layers["places"].srs.srid == 4326
    assert job.counts["changes"] == changes


def test_geojson_and_csv(reference, export_root):
    from datetime import date

    control = export(reference, "geojson", date=date(2016, 6, 1))
    collection = json.loads((export_root / control.file).read_text())
    raqqa = next(f for f in collection["features"] if f["properties"]["slug"] == "raqqa")
    assert raqqa["properties"]["controller"] == "islamic-state"
    changes = export(reference, "csv", date_from=date(2017, 11, 1), date_to=date(2017, 11, 30))
    rows = list(csv.DictReader(io.StringIO((export_root / changes.file).read_text())))
    assert rows and all("2017-11-01" <= r["date"] <= "2017-11-30" for r in rows)
    from apps.territory.csv_tables import COLUMNS

    assert list(rows[0]) == COLUMNS["changes"]  # re-importable


def test_old_files_expire(reference, export_root):
    from datetime import date

    job = export(reference, "geojson", date=date(2016, 6, 1))
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=3))
    assert expire_exports() == 1
    job.refresh_from_db()
    assert job.status == "expired" and not (export_root / job.file).exists()


def test_the_api_flow(reference, django_capture_on_commit_callbacks):
    from tests.api.conftest import client_for

    user = User.objects.create_user("gis", password="gis-password-1")
    user.groups.add(Group.objects.get(name=EDITORS))
    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        asked = {"theater": reference.slug, "format": "gpkg", "date": "2017-11-04"}
        response = client.post("/api/v1/exports/", asked, format="json")
    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert job["status"] == "done" and job["download"] and job["expires_at"]
    download = client.get(job["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/geopackage+sqlite3"
    assert b"SQLite format 3" in b"".join(download.streaming_content)[:16]

    bad = [
        {"theater": "nowhere", "format": "csv"},
        {"theater": reference.slug, "format": "shp"},
        {"theater": reference.slug, "format": "csv", "date": "2017-01-01", "from": "2016-01-01"},
        {"theater": reference.slug, "format": "csv", "from": "2017-01-01", "to": "2016-01-01"},
    ]
    for body in bad:
        assert client.post("/api/v1/exports/", body, format="json").status_code == 400, body
    other = User.objects.create_user("other")
    assert client_for(other).get(response["Location"]).status_code == 403  # no role
    assert client_for(other).post("/api/v1/exports/", asked, format="json").status_code == 403
    other.groups.add(Group.objects.get(name=EDITORS))
    assert client_for(other).get(response["Location"]).status_code == 404  # not theirs


def test_the_admin_lists_exports_pending_and_done(reference, client, admin_user):
    from datetime import date

    done = export(reference, "geojson", date=date(2016, 6, 1))
    waiting = ExportJob.objects.create(theater=reference, format="csv")  # its task never ran
    client.force_login(admin_user)
    page = client.get("/admin/exports/exportjob/?status=pending")
    text = page.content.decode()
    assert page.status_code == 200 and str(waiting.pk) in text and str(done.pk) not in text
    listing = client.get("/admin/exports/exportjob/").content.decode()
    assert "control on 2016-06-01" in listing and "download" in listing


def test_a_geopackage_holds_the_observed_areas_and_the_front_line(export_root, theater, syria):
    from datetime import timedelta

    from apps.areas import geometry as geo
    from apps.areas import services
    from tests.areas.fronts import START, ground_on

    layer = services.layer_create(
        theater=theater, slug="front", name="Held", group=syria, assessor="A"
    )
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(START + timedelta(days=k), geo.ground_of(ground_on(k)).geometry)
            for k in (0, 1)
        ],
    )
    job = export(theater, "gpkg", date=START + timedelta(days=1))
    layers = {layer.name: layer for layer in DataSource(str(export_root / job.file))}
    assert {"areas", "frontline"} <= set(layers)
    (area,) = list(layers["areas"])
    assert area.get("valid_from") == START + timedelta(days=1)  # GDAL reads a date
    assert area.get("area_km2") == pytest.approx(geo.km2(geo.ground_of(ground_on(1)).geometry))
    assert layers["frontline"].geom_type.name == "MultiLineString"
    everything = export(theater, "gpkg")  # no day: every version
    assert everything.counts["areas"] == 2 and "frontline" not in everything.counts
