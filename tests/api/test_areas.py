"""areas/, areas/diff/ and stats/area-series/ on a synthetic advancing front."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from apps.areas import geometry as geo
from apps.areas import services
from apps.territory import services as territory_services
from tests.areas.fronts import START, ground_on


def day(k: int) -> str:
    return (START + timedelta(days=k)).isoformat()


@pytest.fixture
def front(theater, syria, isis):
    theater = territory_services.theater_update(
        theater=theater, reference_km2=100_000, reference_name="The land"
    )
    layer = services.layer_create(
        theater=theater, slug="front", name="Held", group=syria, complement=isis, assessor="A"
    )
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(START + timedelta(days=k), geo.ground_of(ground_on(k)).geometry)
            for k in (0, 1, 2, 3, 4, 5, 6)
        ],
    )
    return layer


def km2(k: int) -> float:
    return geo.km2(geo.ground_of(ground_on(k)).geometry)


def test_areas_on_a_day_is_the_version_in_force(api, theater, front):
    body = api.get("/api/v1/areas/", {"theater": theater.slug, "date": day(4)}).json()
    (feature,) = body["features"]
    props = feature["properties"]
    assert (props["valid_from"], props["valid_until"]) == (day(3), day(5))  # day 4 = day 3
    assert props["area_km2"] == pytest.approx(km2(3), abs=1e-3)
    assert props["layer"]["group"]["slug"] == "sy" and props["layer"]["complement"]["slug"] == "is"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert len(feature["geometry"]["coordinates"]) == 2  # the island
    before = api.get("/api/v1/areas/", {"theater": theater.slug, "date": day(-1)}).json()
    assert before["features"] == []  # before the first snapshot: nothing
    later = api.get("/api/v1/areas/", {"theater": theater.slug, "date": "2030-01-01"}).json()
    assert later["features"][0]["properties"]["valid_from"] == day(6)  # until further notice


def test_simplified_areas_keep_their_km2_and_stay_valid(api, theater, front):
    full = api.get("/api/v1/areas/", {"theater": theater.slug, "date": day(6)}).json()
    coarse = api.get("/api/v1/areas/", {"theater": theater.slug, "date": day(6), "zoom": 2}).json()
    a, b = full["features"][0], coarse["features"][0]
    assert b["properties"]["vertices"] <= a["properties"]["vertices"]
    assert b["properties"]["area_km2"] == a["properties"]["area_km2"]  # the stored ground's
    import json

    from django.contrib.gis.geos import GEOSGeometry

    assert GEOSGeometry(json.dumps(b["geometry"])).valid
    bad = api.get(
        "/api/v1/areas/", {"theater": theater.slug, "date": day(6), "zoom": 3, "tolerance": 0.1}
    )
    assert bad.status_code == 400 and "tolerance" in bad.json()
    for query, name in (({"date": "x"}, "date"), ({"date": day(1), "layer": "Bad Slug"}, "layer")):
        response = api.get("/api/v1/areas/", {"theater": theater.slug, **query})
        assert response.status_code == 400 and name in response.json()
    for path in ("areas/", "frontline/", "stats/area-series/"):
        query = {"theater": theater.slug, "date": day(1), "layer": "front,nope"}
        response = api.get(f"/api/v1/{path}", query)
        assert response.status_code == 404 and "'nope'" in response.json()["layer"][0], path


def test_areas_diff_measures_gains_and_losses(api, theater, front):
    body = api.get(
        "/api/v1/areas/diff/", {"theater": theater.slug, "from": day(4), "to": day(5)}
    ).json()
    by = {f["properties"]["change"]: f["properties"] for f in body["features"]}
    assert by["gained"]["km2"] == 0
    assert by["lost"]["km2"] == pytest.approx(km2(4) - km2(5), rel=1e-6)
    assert by["lost"]["net_km2"] == pytest.approx(km2(5) - km2(4), abs=1e-3)
    same = api.get("/api/v1/areas/diff/", {"theater": theater.slug, "from": day(3), "to": day(4)})
    assert {f["properties"]["km2"] for f in same.json()["features"]} == {0}
    reversed_ = api.get(
        "/api/v1/areas/diff/", {"theater": theater.slug, "from": day(4), "to": day(3)}
    )
    assert reversed_.status_code == 400


def test_the_series_net_is_the_difference_of_what_is_held(api, theater, front):
    body = api.get(
        "/api/v1/stats/area-series/",
        {"theater": theater.slug, "interval": "day", "from": day(-1), "to": day(7)},
    ).json()
    (layer,) = body["layers"]
    held = layer["held_km2"]
    assert held[0] is None  # before the first snapshot
    assert held[1] == pytest.approx(km2(0), abs=1e-3)
    assert held[5] == held[4]  # a day with no change
    assert held[-1] == pytest.approx(km2(6), abs=1e-3)  # the day after the last: still in force
    for i in range(len(held) - 1):
        net = layer["net_km2"][i]
        assert net == pytest.approx((held[i + 1] or 0) - (held[i] or 0), abs=2e-3), i
    assert layer["net_km2"][-1] == 0  # the last step runs to `to`: nothing after
    assert layer["share_percent"][1] == pytest.approx(100 * km2(0) / 100_000, abs=1e-4)
    assert body["reference"] == {"km2": 100_000, "name": "The land"}


def test_a_weekly_series_sums_the_days_of_each_step(api, theater, front):
    daily = api.get(
        "/api/v1/stats/area-series/",
        {"theater": theater.slug, "interval": "day", "from": day(0), "to": day(6)},
    ).json()["layers"][0]
    weekly = api.get(
        "/api/v1/stats/area-series/",
        {"theater": theater.slug, "interval": "week", "from": day(0), "to": day(6)},
    ).json()["layers"][0]
    assert weekly["gained_km2"][0] == pytest.approx(sum(daily["gained_km2"]), abs=1e-2)
    assert weekly["lost_km2"][0] == pytest.approx(sum(daily["lost_km2"]), abs=1e-2)


def test_a_monthly_series_over_months_without_snapshots(api, theater, front):
    """The series begins in July 2024 (days 0-6 from 8 July): June shows nothing, July's
    first day is before the first snapshot (its step gains all the first ground and the
    changes after it), August and September have no snapshot: the last ground, unchanged."""
    body = api.get(
        "/api/v1/stats/area-series/",
        {"theater": theater.slug, "interval": "month", "from": "2024-06-01", "to": "2024-09-30"},
    ).json()
    assert body["dates"] == ["2024-06-01", "2024-07-01", "2024-08-01", "2024-09-01"]
    (layer,) = body["layers"]
    assert layer["held_km2"][:2] == [None, None]
    assert layer["held_km2"][2] == layer["held_km2"][3] == pytest.approx(km2(6), abs=1e-3)
    assert layer["net_km2"][0] == 0 and layer["net_km2"][1] == pytest.approx(km2(6), abs=2e-3)
    assert layer["gained_km2"][2:] == [0, 0] and layer["lost_km2"][2:] == [0, 0]
    grounds = [geo.ground_of(ground_on(k)).geometry for k in range(7)]
    lost = sum(geo.km2(a.difference(b)) for a, b in itertools.pairwise(grounds))  # hole, retreat
    assert layer["lost_km2"][1] == pytest.approx(lost, rel=1e-6)
    assert lost > km2(4) - km2(5)


def test_an_area_write_moves_the_theater_s_kept_answers(api, theater, front):
    query = {"theater": theater.slug, "date": "2030-01-01"}
    first = api.get("/api/v1/areas/", query)
    etag = first["ETag"]
    assert api.get("/api/v1/areas/", query, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.snapshots_add(
        layer=front,
        snapshots=[
            services.DayGround(START + timedelta(days=9), geo.ground_of(ground_on(0)).geometry)
        ],
    )
    again = api.get("/api/v1/areas/", query, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again.json()["features"][0]["properties"][
        "valid_from"
    ] == day(9)


def test_the_feeds_let_a_mirror_follow_writes_and_deletions(api, theater, front):
    from django.utils import timezone

    everything = api.get("/api/v1/area-versions/", {"updated_since": "2000-01-01T00:00:00Z"})
    assert everything.status_code == 200
    rows = everything.json()["results"]
    assert len(rows) == 6 and rows[0]["geometry"]["type"] == "MultiPolygon"
    moment = timezone.now()
    services.snapshots_add(  # day 8 shows day 0's ground: the last version ends, one begins
        layer=front,
        snapshots=[
            services.DayGround(START + timedelta(days=8), geo.ground_of(ground_on(0)).geometry)
        ],
    )
    since = {"updated_since": moment.isoformat()}
    changed = api.get("/api/v1/area-versions/", since).json()["results"]
    assert [(r["start"], r["end"]) for r in changed] == [(day(6), day(8)), (day(8), None)]
    services.snapshots_add(  # day 1 shows day 0's ground after all: day 1's version goes
        layer=front,
        snapshots=[
            services.DayGround(START + timedelta(days=1), geo.ground_of(ground_on(0)).geometry)
        ],
        replace=True,
    )
    gone = api.get("/api/v1/area-versions/deleted/", {"since": moment.isoformat()}).json()
    gone_ids = {r["id"] for r in gone["results"]}
    # day 1's version, and day 0's, which grew past its old end and was written again
    assert len(gone_ids) == 2 and {r["layer"] for r in gone["results"]} == {front.pk}
    now = api.get("/api/v1/area-versions/", since).json()["results"]
    assert (day(0), day(2)) in [(r["start"], r["end"]) for r in now]
    assert not gone_ids & {r["id"] for r in now}
    assert api.get("/api/v1/area-versions/", {"updated_since": "x"}).status_code == 400


def test_the_versions_feed_pages_without_overlap_or_gap(api, theater, front, monkeypatch):
    from apps.api.views import areas as views

    monkeypatch.setattr(views, "FEED_PAGE", 4)
    url, seen = "/api/v1/area-versions/?updated_since=2000-01-01T00:00:00Z", []
    url += f"&theater={theater.slug}"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        assert url is None or f"theater={theater.slug}" in url
    assert sorted(seen) == sorted(front.versions.values_list("pk", flat=True)) and len(seen) == 6
