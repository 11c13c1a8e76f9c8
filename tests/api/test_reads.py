"""Read endpoints: shapes, filters, exports, drafts, sync feeds, caching headers, schema."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import Point, Polygon

from apps.territory import selectors, services
from apps.territory.models import ControlChange
from tests.conftest import d
from tests.factories import ChangeFactory, PlaceFactory


@pytest.fixture
def record(theater, isis, syria):
    deir = PlaceFactory(
        theater=theater,
        name="Deir ez-Zor",
        slug="deir-ez-zor",
        kind="city",
        aliases=["Dayr az-Zawr", "Deir el-Zour"],
        location=Point(40.1408, 35.3359),
        area=Polygon.from_bbox((40.10, 35.30, 40.18, 35.37)),
        population=211_000,
    )
    qaim = PlaceFactory(
        theater=theater, name="al-Qaim", slug="al-qaim", location=Point(40.9895, 34.3925)
    )
    ChangeFactory(
        place=deir, date=d("2014-07-14"), status="contested", controller=isis, challengers=[syria]
    )
    ChangeFactory(place=deir, date=d("2017-11-03"), controller=syria, summary="retaken")
    ChangeFactory(place=qaim, date=d("2014-06-21"), controller=isis)
    ChangeFactory(place=qaim, date=d("2017-11-10"), controller=syria, review_state="draft")
    return {"deir": deir, "qaim": qaim}


def test_control_geojson(api, record, theater):
    body = api.get("/api/v1/control/", {"date": "2017-11-02", "theater": theater.pk}).json()
    assert body["type"] == "FeatureCollection"
    deir = next(f for f in body["features"] if f["properties"]["name"] == "Deir ez-Zor")
    assert deir["geometry"] == {"type": "Point", "coordinates": [40.1408, 35.3359]}
    props = deir["properties"]
    assert (props["status"], props["controller"]["slug"], props["since"]) == (
        "contested",
        "is",
        "2014-07-14",
    )
    assert [g["slug"] for g in props["challengers"]] == ["sy"]


def test_control_filters_and_csv(api, record, syria):
    by_group = api.get("/api/v1/control/", {"date": "2017-11-04", "group": syria.pk}).json()
    assert [f["properties"]["name"] for f in by_group["features"]] == ["Deir ez-Zor"]
    csv = api.get("/api/v1/control/", {"date": "2017-11-04", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("place_id,place,kind,lon,lat,status,controller")
    assert any(",Deir ez-Zor,city,40.1408,35.3359,controlled,sy," in line for line in lines)


def test_drafts_are_for_editors_only(api, editor_api, record):
    public = api.get("/api/v1/changes/", {"place": record["qaim"].pk}).json()
    assert [c["review_state"] for c in public["results"]] == ["published"]
    editors = editor_api.get("/api/v1/changes/", {"place": record["qaim"].pk}).json()
    assert sorted(c["review_state"] for c in editors["results"]) == ["draft", "published"]
    # A draft never shows in control/ either.
    control = api.get("/api/v1/control/", {"date": "2017-12-01"}).json()
    qaim = next(f for f in control["features"] if f["properties"]["name"] == "al-Qaim")
    assert qaim["properties"]["controller"]["slug"] == "is"


def test_change_filters(api, record, isis):
    def ids(**query):
        return [c["id"] for c in api.get("/api/v1/changes/", query).json()["results"]]

    assert len(ids(group=isis.pk)) == 2
    assert len(ids(date_after="2017-01-01")) == 1
    assert len(ids(date_before="2015-01-01")) == 2
    assert ids(updated_since="2999-01-01T00:00:00Z") == []
    assert api.get("/api/v1/changes/", {"date_after": "nope"}).status_code == 400


def test_changes_csv_uses_the_dataset_columns(api, record):
    response = api.get("/api/v1/changes/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0] == (
        "place,date,date_precision,status,controller,challengers,supported_by,confidence,"
        "summary,sources"
    )
    assert "deir-ez-zor,2017-11-03,day,controlled,sy,,,confirmed,retaken," in text


def test_changes_as_geojson(api, record):
    collection = api.get("/api/v1/changes/", {"format": "geojson", "place": record["deir"].pk})
    assert collection["Content-Type"] == "application/geo+json"
    body = collection.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 2
    assert "results" not in body and body["next"] is None
    first = body["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [40.1408, 35.3359]}
    assert first["properties"]["date"] == "2014-07-14" and first["id"] == first["properties"]["id"]
    one = api.get(f"/api/v1/changes/{first['id']}/", {"format": "geojson"}).json()
    assert one == first


def test_sources_cited_for_a_place(api, editor_api, record):
    """The place panel's sources in one request: those its published changes cite."""
    deir, qaim = record["deir"], record["qaim"]
    cited = {s.pk for c in deir.changes.all() for s in c.sources.all()}
    draft_only = {s.pk for s in qaim.changes.get(review_state="draft").sources.all()}
    ids = {s["id"] for s in api.get("/api/v1/sources/", {"place": deir.pk}).json()["results"]}
    assert ids == cited and len(cited) == 2
    qaim_ids = {s["id"] for s in api.get("/api/v1/sources/", {"place": qaim.pk}).json()["results"]}
    assert qaim_ids and not qaim_ids & draft_only  # a draft's sources are not listed
    assert api.get("/api/v1/sources/", {"place": 999_999}).status_code == 404
    assert api.get("/api/v1/sources/", {"place": "x"}).status_code == 400
    assert api.get("/api/v1/sources/", {"place": ""}).status_code == 400


def test_history(api, record):
    periods = api.get(f"/api/v1/places/{record['deir'].pk}/history/").json()["periods"]
    assert [(p["start"], p["end"], p["status"]) for p in periods] == [
        ("2014-07-14", "2017-11-03", "contested"),
        ("2017-11-03", None, "controlled"),
    ]
    assert periods[1]["controller"]["slug"] == "sy" and isinstance(periods[1]["change"], int)


def test_diff_json_and_geojson(api, record):
    query = {"from": "2017-11-02", "to": "2017-11-04"}
    body = api.get("/api/v1/control/diff/", query).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["place"]["name"] == "Deir ez-Zor"
    assert (item["before"]["status"], item["after"]["controller"]["slug"]) == ("contested", "sy")
    geo = api.get("/api/v1/control/diff/", {**query, "format": "geojson"}).json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["id"] == record["deir"].pk


def test_timeline_replays_to_the_same_state_as_control(api, record, theater):
    body = api.get("/api/v1/timeline/", {"theater": theater.slug}).json()
    changes, status_names = body["changes"], body["status_codes"]
    assert changes["count"] == 3  # the draft is not in it
    assert body["format"] == 2
    day, place, change_id = date.fromisoformat(body["epoch"]), 0, 0
    state, ids = {}, []
    for i in range(changes["count"]):
        day += timedelta(days=changes["day_delta"][i])
        place += changes["place_delta"][i]
        change_id += changes["id_delta"][i]
        ids.append(change_id)
        if day > d("2017-11-04"):
            continue
        state[place] = (
            status_names[str(changes["status"][i])],
            changes["controller"][i],
            sorted(changes["challengers"][i]),
        )
    published = ControlChange.objects.filter(review_state="published", place__theater=theater)
    assert ids == list(published.order_by("date", "place_id", "pk").values_list("pk", flat=True))
    expected = {
        s.place.pk: (s.status, s.controller.pk, sorted(g.pk for g in s.challengers))
        for s in selectors.control_at(on=d("2017-11-04"), theater=theater)
    }
    assert state == expected
    assert body["places"]["name"] == ["Deir ez-Zor", "al-Qaim"]
    assert body["places"]["population"] == [211_000, None]
    assert changes["doubt"] == [0, 0, 0]  # each dated to the day and confirmed


def test_timeline_says_what_is_unsure_about_a_change(api, theater, isis, syria):
    place = PlaceFactory(theater=theater, slug="unsure")
    for k, (day, precision, confidence) in enumerate(
        (
            ("2015-01-01", "day", "confirmed"),
            ("2015-02-01", "month", "confirmed"),
            ("2015-03-01", "day", "claimed"),
            ("2016-01-01", "year", "disputed"),
            ("2016-06-01", "day", "likely"),
        )
    ):
        ChangeFactory(
            place=place,
            date=d(day),
            controller=(isis, syria)[k % 2],
            date_precision=precision,
            confidence=confidence,
        )
    body = api.get("/api/v1/timeline/", {"theater": theater.slug}).json()
    assert body["changes"]["doubt"] == [0, 1, 2, 3, 2]


def test_control_series(api, record, theater):
    body = api.get(
        "/api/v1/stats/control-series/",
        {"theater": theater.pk, "from": "2017-01-01", "to": "2018-01-01", "interval": "month"},
    ).json()
    assert len(body["dates"]) == 13
    by_group = {g["group"]["slug"]: g for g in body["groups"]}
    assert by_group["sy"]["places"][-1] == 1 and by_group["sy"]["population"][-1] == 211_000


def test_places_search_is_accent_case_and_spelling_insensitive(api, record):
    for q in ("dayr az zawr", "DEIR EL-ZOUR", "Déir ez-Zor", "zor"):
        body = api.get("/api/v1/places/", {"q": q}).json()
        assert [f["properties"]["slug"] for f in body["features"]] == ["deir-ez-zor"], q


def test_places_search_follows_renames_and_alias_edits(api, record):
    def found(q):
        return [
            f["properties"]["slug"] for f in api.get("/api/v1/places/", {"q": q}).json()["features"]
        ]

    services.place_update(place=record["qaim"], name="Al-Qa'im City")
    services.place_update(place=record["deir"], aliases=["Dayr al-Zur"])
    assert found("qa'im city") == ["al-qaim"]
    assert found("dayr al zur") == ["deir-ez-zor"]
    assert found("dayr az-zawr") == []  # the alias that was removed


def test_places_geojson_filters_pagination_and_area(api, record, theater):
    body = api.get("/api/v1/places/", {"bbox": "40.5,34,41.5,35", "page_size": 1}).json()
    assert body["type"] == "FeatureCollection" and body["count"] == 1
    assert body["features"][0]["properties"]["slug"] == "al-qaim"
    everything = api.get("/api/v1/places/", {"page_size": 1}).json()
    assert everything["count"] == 2 and everything["next"]
    area = api.get(f"/api/v1/places/{record['deir'].pk}/", {"geometry": "area"}).json()
    assert area["geometry"]["type"] == "MultiPolygon"
    assert api.get("/api/v1/places/", {"kind": "castle"}).status_code == 400


def test_deleted_feed(api, reviewer_api, record):
    change = record["deir"].changes.get(date=d("2017-11-03"))
    response = reviewer_api.delete(f"/api/v1/changes/{change.pk}/")
    assert response.status_code == 204
    feed = api.get("/api/v1/changes/deleted/", {"since": "2020-01-01"}).json()
    assert [row["id"] for row in feed["results"]] == [change.pk]
    assert feed["next"] is None
    assert api.get("/api/v1/changes/deleted/", {"since": "yesterday"}).status_code == 400


def test_deleted_feed_is_paged_by_time(api, reviewer_api, record, monkeypatch):
    from apps.api.views import records

    monkeypatch.setattr(records, "DELETED_PAGE", 1)
    deleted = list(record["deir"].changes.values_list("pk", flat=True))
    for pk in deleted:
        assert reviewer_api.delete(f"/api/v1/changes/{pk}/").status_code == 204
    seen, url = [], "/api/v1/changes/deleted/?since=2020-01-01"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        assert len(seen) <= 2, "the feed must not repeat itself"
    assert sorted(seen) == sorted(deleted)
    assert (
        api.get("/api/v1/changes/deleted/", {"since": "2020-01-01", "after": "x"}).status_code
        == 400
    )


def test_etag_and_gzip(api, record):
    first = api.get("/api/v1/control/", {"date": "2017-11-04"}, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    etag = first["ETag"]
    again = api.get("/api/v1/control/", {"date": "2017-11-04"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_reads_can_require_a_token(api, reader_api, record, settings):
    settings.API_READS_REQUIRE_TOKEN = True
    assert api.get("/api/v1/groups/").status_code == 401
    assert reader_api.get("/api/v1/groups/").status_code == 200


def test_schema_and_docs_are_served_offline(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/control/",
        "/api/v1/control/diff/",
        "/api/v1/timeline/",
        "/api/v1/stats/control-series/",
        "/api/v1/places/{id}/history/",
        "/api/v1/changes/",
        "/api/v1/changes/deleted/",
        "/api/v1/auth/token/",
        "/api/v1/groups/",
    ]:
        assert path in paths, path
    docs = api.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


def test_the_schema_says_free_text_parameters_hold_no_nul_and_the_api_refuses_one(api, db):
    parameters = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"][
        "/api/v1/places/"
    ]["get"]["parameters"]
    (q,) = [p for p in parameters if p["name"] == "q"]
    assert re.fullmatch(q["schema"]["pattern"], "Deir ez-Zor")
    assert not re.fullmatch(q["schema"]["pattern"], "Deir\x00")
    refused = api.get("/api/v1/places/", {"q": "Deir\x00"})
    assert refused.status_code == 400
    assert refused.json() == {"q": ["NUL characters are not allowed."]}


def test_writes_keep_services_in_charge(reviewer_api, record):
    """A PATCH that publishes a draft goes through the service and reshapes history."""
    draft = record["qaim"].changes.get(review_state="draft")
    response = reviewer_api.patch(
        f"/api/v1/changes/{draft.pk}/", {"review_state": "published", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    state = selectors.place_state_on(place=record["qaim"], on=d("2018-01-01"))
    assert state.controller.slug == "sy"


def test_large_answers_pause_the_collector_only_while_building(api, record, monkeypatch):
    import gc

    seen = []
    original = selectors.control_snapshot

    def spy(**kwargs):
        seen.append(gc.isenabled())
        return original(**kwargs)

    monkeypatch.setattr(selectors, "control_snapshot", spy)
    response = api.get("/api/v1/control/", {"date": "2017-11-04"})
    assert response.status_code == 200 and seen == [False]
    assert gc.isenabled()
    assert not hasattr(response, "data")  # sent as bytes: the built answer was let go


def test_large_answer_views_let_go_of_their_response(api, record, monkeypatch):
    """A view and its request refer to each other, so a view lives until a full collection:
    holding its response, it would keep the answer's body alive that long."""
    from apps.api.cached import CachedAnswerView

    views = []
    original = CachedAnswerView.answer

    def spy(self, request):
        views.append(self)
        return original(self, request)

    monkeypatch.setattr(CachedAnswerView, "answer", spy)
    for path in ("/api/v1/control/", "/api/v1/timeline/"):
        assert api.get(path, {"date": "2017-11-04"}).status_code == 200
    assert len(views) == 2 and all(view.response is None for view in views)


def test_coordinates_are_rounded_by_the_database(api, theater, isis):
    place = PlaceFactory(theater=theater, location=Point(40.123456789, 35.987654321))
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    feature = api.get("/api/v1/control/", {"date": "2016-01-01"}).json()["features"][0]
    assert feature["geometry"]["coordinates"] == [40.12346, 35.98765]
    timeline = api.get("/api/v1/timeline/", {"theater": theater.pk}).json()
    assert (timeline["places"]["lon"], timeline["places"]["lat"]) == ([40.12346], [35.98765])
    # one precision everywhere: OGC API – Features and the GIS exports' features too
    for collection in ("places", "control"):
        ogc = api.get(f"/ogc/collections/{collection}/items/{place.pk}", {"datetime": "2016-01-01"})
        assert ogc.json()["geometry"]["coordinates"] == [40.12346, 35.98765], collection
    from apps.exports.builder import _point

    assert _point(place)["coordinates"] == [40.12346, 35.98765]


def test_places_and_changes_take_the_theater_by_id_or_slug(api, record, theater):
    other = PlaceFactory()  # in a theater of its own, with a change of its own
    ChangeFactory(place=other, date=d("2016-01-01"))
    for key in (theater.pk, theater.slug):
        places = api.get("/api/v1/places/", {"theater": key}).json()["features"]
        assert {p["id"] for p in places} == {record["deir"].pk, record["qaim"].pk}
        changes = api.get("/api/v1/changes/", {"theater": key}).json()["results"]
        assert len(changes) == 3 and other.pk not in {c["place"] for c in changes}
    for bad, status in (("nowhere", 404), ("999999", 404), ("a b", 400), ("", 400)):
        response = api.get("/api/v1/places/", {"theater": bad})
        assert response.status_code == status and "theater" in response.json(), bad
