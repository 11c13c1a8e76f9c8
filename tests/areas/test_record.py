"""Area layers: reading snapshots, the versions they make, km² and ground gained and lost."""

from __future__ import annotations

import io
import json
import math
import zipfile
from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from apps.areas import geometry as geo
from apps.areas import series, services
from apps.areas.models import AreaSnapshot, AreaVersion
from apps.history.models import Revision
from apps.territory import revisions
from tests.areas.fronts import START, box, document, ground_on, write_series
from tests.conftest import on_postgres

A, F = 6378137.0, 1 / 298.257223563  # WGS 84
E2 = F * (2 - F)
E = math.sqrt(E2)


def rectangle_km2(west: float, south: float, east: float, north: float) -> float:
    """The exact area of a lon/lat rectangle on the WGS 84 ellipsoid (the authalic formula),
    independent of the code under test."""

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - E2 * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)

    return math.radians(east - west) * A * A * (1 - E2) / 2 * (q(north) - q(south)) / 1e6


def dense_box(west: float, south: float, east: float, north: float, n: int = 200) -> Polygon:
    """A rectangle whose parallels are drawn as the parallels they are (many short edges)."""
    lons = [west + (east - west) * i / n for i in range(n + 1)]
    ring = [(x, south) for x in lons] + [(x, north) for x in reversed(lons)] + [(west, south)]
    return Polygon(ring, srid=4326)


def ground(k: int) -> MultiPolygon:
    return geo.ground_of(ground_on(k)).geometry


@pytest.fixture
def layer(theater, syria, isis):
    return services.layer_create(
        theater=theater,
        slug="front",
        name="Held ground",
        group=syria,
        complement=isis,
        assessor="Test assessor",
    )


def add(layer, *days: int, replace: bool = False, geometry=None):
    return services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(START + timedelta(days=k), geometry or ground(k)) for k in days
        ],
        replace=replace,
    )


def versions(layer) -> list[tuple[int, int | None, float]]:
    """(first day, end day, km²) per version, days counted from START."""

    def n(day):
        return None if day is None else (day - START).days

    rows = AreaVersion.objects.filter(layer=layer).order_by("start")
    return [(n(v.start), n(v.end), v.area_km2) for v in rows]


# --- Geometry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "west, south, east, north", [(40, 35, 41, 36), (30, 45, 31, 46), (-1, -0.5, 1, 0.5)]
)
def test_km2_is_the_ellipsoid_s_area(west, south, east, north):
    expected = rectangle_km2(west, south, east, north)
    assert geo.km2(dense_box(west, south, east, north)) == pytest.approx(expected, rel=1e-5)


def test_holes_are_subtracted_and_parts_added():
    outer, hole = dense_box(40, 35, 41, 36), dense_box(40.2, 35.2, 40.4, 35.4)
    holed = Polygon(outer.exterior_ring, hole.exterior_ring, srid=4326)
    island = dense_box(42, 35, 42.5, 35.5)
    expected = (
        rectangle_km2(40, 35, 41, 36)
        - rectangle_km2(40.2, 35.2, 40.4, 35.4)
        + rectangle_km2(42, 35, 42.5, 35.5)
    )
    assert geo.km2(MultiPolygon(holed, island, srid=4326)) == pytest.approx(expected, rel=1e-5)


def test_three_d_coordinates_lose_their_z():
    polygon = {"type": "Polygon", "coordinates": [[[*xy, 120.0] for xy in box(40, 35, 41, 36)]]}
    found = geo.ground_of(polygon)
    assert not found.geometry.hasz and found.geometry.num_geom == 1 and not found.repaired


def test_an_invalid_ring_is_repaired_and_said_so():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[40, 35], [41, 36], [41, 35], [40, 36], [40, 35]]],
    }
    found = geo.ground_of(bowtie)
    assert found.geometry.valid and found.geometry.num_geom == 2
    assert "Self-intersection" in found.repaired


@pytest.mark.parametrize(
    "value, words",
    [
        ({"type": "Point", "coordinates": [40, 35]}, "Polygon or a MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "Unreadable|empty"),
        ({"type": "Polygon", "coordinates": [[[40, 35], [41]]]}, "Unreadable"),
        (None, "Polygon or a MultiPolygon"),
    ],
)
def test_what_cannot_be_an_area_is_refused_with_a_reason(value, words):
    with pytest.raises(geo.GeometryError, match=words):
        geo.ground_of(value)


def test_the_older_crs_member_is_read_and_another_crs_refused():
    geo.check_crs(document(ground_on(0)))
    geo.check_crs(document(ground_on(0), crs=False))
    web_mercator = {
        **document(ground_on(0)),
        "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
    }
    with pytest.raises(geo.GeometryError, match="EPSG:3857"):
        geo.check_crs(web_mercator)


def test_the_same_ground_whatever_the_ring_s_first_vertex():
    a = Polygon(box(40, 35, 41, 36), srid=4326)
    b = Polygon([*box(40, 35, 41, 36)[1:], box(40, 35, 41, 36)[1]], srid=4326)
    assert geo.same_ground(MultiPolygon(a), MultiPolygon(b))
    assert not geo.same_ground(MultiPolygon(a), MultiPolygon(Polygon(box(40, 35, 41, 36.1))))


# --- Reading series ---------------------------------------------------------------------------


def test_a_folder_of_daily_files_is_read_by_the_dates_in_their_names(tmp_path):
    write_series(tmp_path / "series")
    found = series.read([str(tmp_path / "series")])
    assert not found.problems and found.files == 7
    assert [f.day for f in found.days] == [START + timedelta(days=k) for k in range(7)]


def test_a_zip_and_one_file_of_dated_features(tmp_path):
    archive = tmp_path / "series.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for k in (0, 1):
            z.writestr(f"data/2024-07-{8 + k:02d}.geojson", json.dumps(document(ground_on(k))))
    assert [f.day for f in series.read([str(archive)]).days] == [START, date(2024, 7, 9)]
    features = [
        {
            "type": "Feature",
            "properties": {"date": f"2024-07-{8 + k:02d}"},
            "geometry": ground_on(k),
        }
        for k in (0, 1, 2)
    ]
    one = tmp_path / "fronts.geojson"
    one.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    found = series.read([str(one)])
    assert [f.day for f in found.days] == [START + timedelta(days=k) for k in range(3)]


def test_features_of_one_day_are_one_ground(tmp_path):
    west = {"type": "Polygon", "coordinates": [box(40, 35, 40.5, 36)]}
    east = {"type": "Polygon", "coordinates": [box(40.5, 35, 41, 36)]}
    path = tmp_path / "2024-07-08.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": west},
                    {"type": "Feature", "properties": {}, "geometry": east},
                ],
            }
        )
    )
    (day,) = series.read([str(path)]).days
    assert day.ground.geometry.num_geom == 1
    assert geo.km2(day.ground.geometry) == pytest.approx(
        geo.km2(
            GEOSGeometry(json.dumps({"type": "Polygon", "coordinates": [box(40, 35, 41, 36)]}))
        ),
        rel=1e-6,  # the union has a vertex more on each long edge: geodesics differ
    )


def test_unreadable_files_are_named(tmp_path):
    (tmp_path / "undated.geojson").write_text(json.dumps(document(ground_on(0))))
    (tmp_path / "2024-07-09.geojson").write_text("{not json")
    (tmp_path / "notes.txt").write_text("hello")
    found = series.read(
        [str(tmp_path / name) for name in ("undated.geojson", "2024-07-09.geojson", "notes.txt")]
    )
    problems = dict(found.problems)
    assert "No date" in problems["undated.geojson"]
    assert "Not JSON" in problems["2024-07-09.geojson"]
    assert "GeoJSON" in problems[str(tmp_path / "notes.txt")]


def test_gdal_reads_a_geopackage_with_a_date_field(tmp_path):
    from django.contrib.gis.gdal import DataSource

    source = tmp_path / "fronts.geojson"
    features = [
        {"type": "Feature", "properties": {"day": f"2024-07-{8 + k:02d}"}, "geometry": ground_on(k)}
        for k in (0, 1)
    ]
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    gpkg = tmp_path / "fronts.gpkg"
    import subprocess

    subprocess.run(["ogr2ogr", "-f", "GPKG", str(gpkg), str(source)], check=True)
    assert DataSource(str(gpkg))[0].num_feat == 2
    found = series.read([str(gpkg)], date_field="day")
    assert not found.problems and [f.day for f in found.days] == [START, date(2024, 7, 9)]


# --- Versions ---------------------------------------------------------------------------------


def test_identical_days_are_one_version_and_gains_and_losses_are_measured(layer):
    report = add(layer, *range(7))
    assert (report.added, report.unchanged) == (7, 0)
    assert [(s, e) for s, e, _ in versions(layer)] == [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 5),
        (5, 6),
        (6, None),
    ]
    assert AreaSnapshot.objects.filter(layer=layer).count() == 7
    v = {(x.start - START).days: x for x in AreaVersion.objects.filter(layer=layer)}
    assert v[0].gained_km2 is None and v[0].gained is None  # a first version has no before
    assert v[1].gained_km2 == pytest.approx(geo.km2(Polygon(box(40.2, 35, 40.3, 36))), rel=1e-6)
    assert v[1].lost_km2 == 0 and v[1].lost is None
    retreat = v[5]  # back from 40.5 to 40.35
    assert retreat.gained_km2 == 0
    assert retreat.lost_km2 == pytest.approx(geo.km2(Polygon(box(40.35, 35, 40.5, 36))), rel=1e-6)
    for x in v.values():
        assert x.area_km2 == pytest.approx(geo.km2(x.geometry), rel=1e-12)


def test_re_adding_changes_nothing_and_a_longer_series_appends(layer):
    add(layer, 0, 1, 2)
    before = list(AreaVersion.objects.filter(layer=layer).values_list("pk", "updated_at"))
    tag = revisions.stamp_of(layer.theater_id).tag
    report = add(layer, 0, 1, 2)
    assert (report.added, report.unchanged, report.versions_written) == (0, 3, 0)
    assert list(AreaVersion.objects.filter(layer=layer).values_list("pk", "updated_at")) == before
    assert revisions.stamp_of(layer.theater_id).tag == tag  # nothing written, nothing moved
    report = add(layer, 0, 1, 2, 3, 4)
    assert (report.added, report.unchanged) == (2, 3)
    assert [(s, e) for s, e, _ in versions(layer)] == [(0, 1), (1, 2), (2, 3), (3, None)]
    assert AreaVersion.objects.filter(layer=layer).values_list("pk", flat=True)[0] == before[0][0]
    assert revisions.stamp_of(layer.theater_id).tag != tag


def test_another_ground_for_a_stored_day_is_refused_unless_replaced(layer):
    add(layer, 0, 1, 2)
    other = ground(6)
    report = add(layer, 1, geometry=other)
    assert report.conflicts == [(START + timedelta(days=1), "")] and report.added == 0
    report = add(layer, 1, geometry=other, replace=True)
    assert report.replaced == 1
    v = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    assert geo.same_ground(v.geometry, other)
    following = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=2))
    gained, lost = geo.gained_and_lost(other, ground(2))  # measured again against the new one
    assert following.lost_km2 == pytest.approx(geo.km2(lost), rel=1e-9)
    assert following.gained_km2 == pytest.approx(geo.km2(gained), rel=1e-9)


def test_a_day_inserted_between_splits_and_a_replaced_day_rejoins(layer):
    add(layer, 0, 3)  # day 3's ground from day 3; day 0's until then
    add(layer, 1, geometry=ground(3))  # day 1 shows day 3's ground: one version from day 1
    assert [(s, e) for s, e, _ in versions(layer)] == [(0, 1), (1, None)]
    add(layer, 2, geometry=ground(0))  # day 2 went back: three versions
    assert [(s, e) for s, e, _ in versions(layer)] == [(0, 1), (1, 2), (2, 3), (3, None)]
    add(layer, 2, geometry=ground(3), replace=True)  # it did not: one again
    assert [(s, e) for s, e, _ in versions(layer)] == [(0, 1), (1, None)]
    days = AreaSnapshot.objects.filter(layer=layer).values_list("day", "version__start")
    assert {(d - START).days: (s - START).days for d, s in days} == {0: 0, 1: 1, 2: 1, 3: 1}


def test_deleting_a_version_lets_the_one_before_last_until_the_next(layer):
    add(layer, 0, 1, 2)
    middle = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    services.version_delete(version=middle)
    assert [(s, e) for s, e, _ in versions(layer)] == [(0, 2), (2, None)]
    last = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=2))
    gained, _ = geo.gained_and_lost(ground(0), ground(2))
    assert last.gained_km2 == pytest.approx(geo.km2(gained), rel=1e-9)
    assert not AreaSnapshot.objects.filter(layer=layer, day=START + timedelta(days=1)).exists()


def test_writes_are_audited(layer):
    add(layer, 0)
    add(layer, 1)
    actions = Revision.objects.filter(content_type__model="areaversion").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["changed", "created", "created"]  # the first's end moved
    assert Revision.objects.filter(content_type__model="arealayer", action="created").count() == 1


@pytest.mark.postgres
def test_versions_of_a_layer_never_overlap_in_the_database(layer):
    add(layer, 0, 1)
    first = AreaVersion.objects.get(layer=layer, start=START)
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaVersion.objects.filter(pk=first.pk).update(end=START + timedelta(days=5))
    assert connection.vendor == "postgresql" and on_postgres()


def test_a_layer_s_complement_is_another_group(theater, syria):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="other side"):
        services.layer_create(
            theater=theater, slug="x", name="X", group=syria, complement=syria, assessor="A"
        )


# --- The command ------------------------------------------------------------------------------


def test_import_areas_creates_the_layer_then_appends_and_says_what_it_did(
    tmp_path, theater, syria, isis
):
    folder = tmp_path / "series"
    write_series(folder, range(4))
    args = [str(folder), "--theater", theater.slug, "--layer", "front"]
    with pytest.raises(CommandError, match="needs its group"):
        call_command("import_areas", *args, stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "import_areas",
        *args,
        "--group",
        syria.slug,
        "--complement",
        isis.slug,
        "--assessor",
        "DeepStateMap",
        stdout=out,
    )
    assert "4 days: 4 added, 0 unchanged" in out.getvalue()
    write_series(folder, range(7))
    out = io.StringIO()
    call_command("import_areas", *args, stdout=out)
    assert "7 days: 3 added, 4 unchanged" in out.getvalue()
    assert "now has 6 versions" in out.getvalue()
    version = AreaVersion.objects.get(layer__slug="front", start=START)
    assert version.source.publisher == "DeepStateMap" and version.source.published == START
    (folder / "deepstatemap_data_20240709.geojson").write_text(json.dumps(document(ground_on(6))))
    out = io.StringIO()
    call_command("import_areas", *args, stdout=out)
    assert "1 refused" in out.getvalue() and "refused 2024-07-09" in out.getvalue()
    out = io.StringIO()
    call_command("import_areas", *args, "--replace", stdout=out)
    assert "1 replaced" in out.getvalue()
