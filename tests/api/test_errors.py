"""Every wrong request: a 4xx with a JSON body naming the problem, and nothing written."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.territory.models import ArmedGroup, ControlChange, Place
from tests.conftest import d
from tests.factories import ChangeFactory, SourceFactory


@pytest.fixture
def change(place, isis):
    return ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)


def test_write_without_a_token_is_401(api, db):
    response = api.post("/api/v1/groups/", {"slug": "x", "name": "X", "color": "#000000"})
    assert response.status_code == 401
    assert "WWW-Authenticate" in response
    assert not ArmedGroup.objects.exists()


def test_write_by_a_non_editor_is_403(reader_api):
    response = reader_api.post(
        "/api/v1/groups/", {"slug": "x", "name": "X", "color": "#000000"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only editors may change the record."


def test_unknown_id_is_404(api, db):
    assert api.get("/api/v1/places/999999/history/").status_code == 404
    response = api.get("/api/v1/groups/999999/")
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.parametrize("debug", [False, True])
def test_a_url_under_api_that_matches_nothing_is_json_whatever_debug_says(api, db, settings, debug):
    settings.DEBUG = debug
    for method, path in [
        ("delete", "/api/v1/places/0.5/"),
        ("get", "/api/v1/nowhere/"),
        ("post", "/api/nothing"),
        ("get", "/api/v1/places/1/x/"),
    ]:
        # gzip accepted: Django's debug page is compressed before the JSON replaces it
        response = getattr(api, method)(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and response.json(), path
        assert "Content-Encoding" not in response and "ETag" not in response, path
        assert response.get("Content-Length", str(len(response.content))) == str(
            len(response.content)
        ), path
    assert api.get("/api/v1/places").status_code == 301  # a missing slash still redirects
    assert "html" in api.get("/no-such-page/")["Content-Type"]  # pages keep their HTML


def test_wrong_method_is_405(editor_api, change):
    response = editor_api.put(f"/api/v1/changes/{change.pk}/", {}, format="json")
    assert response.status_code == 405
    assert editor_api.post("/api/v1/control/?date=2015-01-01").status_code == 405


def test_wrong_content_type_is_415(editor_api, db):
    response = editor_api.post(
        "/api/v1/groups/", "slug=x&name=X", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_body_over_1_mb_is_413(editor_api, db):
    body = json.dumps(
        {"slug": "x", "name": "X", "color": "#000000", "description": "x" * 1_100_000}
    )
    response = editor_api.post("/api/v1/groups/", body, content_type="application/json")
    assert response.status_code == 413
    assert not ArmedGroup.objects.exists()


def test_missing_or_stale_version_is_409_and_changes_nothing(reviewer_api, change, syria):
    url = f"/api/v1/changes/{change.pk}/"
    missing = reviewer_api.patch(url, {"summary": "no version"}, format="json")
    assert missing.status_code == 409
    assert missing.json()["current_version"] == 1

    ok = reviewer_api.patch(url, {"summary": "first", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = reviewer_api.patch(url, {"controller": syria.pk, "version": 1}, format="json")
    assert stale.status_code == 409
    assert "modified by someone else" in stale.json()["version"][0]
    change.refresh_from_db()
    assert (change.summary, change.controller_id, change.version) == (
        "first",
        change.controller_id,
        2,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date=2017-02-30", "date"),
        ("date=", "date"),
        ("date=2017-11-04&bbox=1,2,3", "bbox"),
        ("date=2017-11-04&bbox=40,36,39,35", "bbox"),
        ("date=2017-11-04&bbox=a,b,c,d", "bbox"),
        ("date=2017-11-04&bbox=0,0,200,10", "bbox"),
        ("date=2017-11-04&bbox=", "bbox"),
        ("date=2017-11-04&bbox= 1,2,3,4", "bbox"),
        ("date=2017-11-04&bbox=1e1,2,3,4", "bbox"),
        ("date=2017-11-04&theater=", "theater"),
        ("date=2017-11-04&theater=a b", "theater"),
        ("date=2017-11-04&theater=%D9%A1", "theater"),  # an Arabic-Indic digit one
        ("date=2017-11-04&group=abc", "group"),
        ("date=2017-11-04&group=0", "group"),
        ("date=2017-11-04&group=", "group"),
        ("date=2017-11-04&group=1,,2", "group"),
        ("date=2017-11-04&kind=castle", "kind"),
        ("date=2017-11-04&kind=", "kind"),
        ("date=2017-11-04&kind=city,,town", "kind"),
    ],
)
def test_bad_control_queries_name_the_parameter(api, db, query, field):
    response = api.get(f"/api/v1/control/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("control/?date=2017-11-04&theater=nowhere", "theater"),
        ("control/?date=2017-11-04&theater=999999", "theater"),
        ("control/?date=2017-11-04&group=999999", "group"),
        ("timeline/?theater=nowhere", "theater"),
        ("changes/?place=999999", "place"),
        ("changes/?group=999999", "group"),
        ("sources/?place=999999", "place"),
    ],
)
def test_a_well_formed_reference_to_nothing_is_404_naming_the_parameter(api, db, path, field):
    response = api.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert field in response.json()


def test_from_after_to_is_400(api, db):
    response = api.get("/api/v1/control/diff/?from=2017-11-05&to=2017-11-01")
    assert response.status_code == 400
    assert "must not be before" in response.json()["to"][0]


def change_body(place, group, **extra):
    body = {
        "place": place.pk,
        "date": "2016-01-01",
        "status": "controlled",
        "controller": group.pk,
        "sources": [SourceFactory().pk],
        "review_state": "published",
    }
    return {**body, **extra}


def test_future_date_no_op_and_duplicate_are_400(reviewer_api, change, place, isis, syria):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = reviewer_api.post(
        "/api/v1/changes/", change_body(place, syria, date=future), format="json"
    )
    assert response.status_code == 400 and "in the future" in response.json()["date"][0]

    response = reviewer_api.post("/api/v1/changes/", change_body(place, isis), format="json")
    assert response.status_code == 400 and "changes nothing" in response.json()["status"][0]

    response = reviewer_api.post(
        "/api/v1/changes/", change_body(place, syria, date="2015-01-01"), format="json"
    )
    assert response.status_code == 400 and "already has a change" in response.json()["date"][0]
    assert ControlChange.objects.count() == 1


def test_unknown_ids_in_a_body_are_400(editor_api, place):
    response = editor_api.post(
        "/api/v1/changes/",
        {"place": place.pk, "date": "2016-01-01", "status": "controlled", "controller": 99999},
        format="json",
    )
    assert response.status_code == 400 and "controller" in response.json()


def test_bad_colour_is_400(editor_api):
    response = editor_api.post(
        "/api/v1/groups/", {"slug": "x", "name": "X", "color": "black"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["color"] == ["Colour must be #rrggbb, e.g. #1f77b4; got 'black'."]


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        ({"type": "Point", "coordinates": [35.0, 40.0]}, "outside the bounds"),
        ({"type": "Point", "coordinates": "nope"}, "Not a GeoJSON geometry"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[40, 35], [41, 36], [41, 35], [40, 36], [40, 35]]],
            },
            "Expected a Point",
        ),
    ],
)
def test_bad_place_geometry_is_400(editor_api, theater, geometry, expected):
    response = editor_api.post(
        "/api/v1/places/",
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "slug": "p",
                "name": "P",
                "kind": "town",
                "country": "SY",
                "theater": theater.pk,
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert expected in json.dumps(response.json())
    assert not Place.objects.exists()


def test_self_intersecting_area_is_400(editor_api, place):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[40, 35], [41, 36], [41, 35], [40, 36], [40, 35]]],
    }
    response = editor_api.patch(
        f"/api/v1/places/{place.pk}/?geometry=area",
        {"type": "Feature", "geometry": bowtie, "properties": {}},
        format="json",
    )
    assert response.status_code == 400
    assert "Self-intersection" in response.json()["area"][0]


def test_deleting_a_group_in_use_is_409(reviewer_api, change, isis):
    response = reviewer_api.delete(f"/api/v1/groups/{isis.pk}/")
    assert response.status_code == 409
    assert ArmedGroup.objects.filter(pk=isis.pk).exists()


def test_token_endpoint(api, editor):
    ok = api.post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": "correct horse battery"},
        format="json",
    )
    assert ok.status_code == 200 and len(ok.json()["token"]) == 64
    bad = api.post("/api/v1/auth/token/", {"username": "editor", "password": "nope"}, format="json")
    assert bad.status_code == 401 and bad["WWW-Authenticate"] == "Token"
    assert bad.json() == {"detail": "Unable to log in with provided credentials."}
    nul = api.post("/api/v1/auth/token/", {"username": "ed\x00", "password": "x"}, format="json")
    assert nul.status_code == 401
    malformed = api.post("/api/v1/auth/token/", {"username": "editor"}, format="json")
    assert malformed.status_code == 400 and "password" in malformed.json()


def test_login_is_throttled(api, editor, monkeypatch):
    from django.core.cache import cache

    from apps.api.throttling import LoginThrottle

    monkeypatch.setattr(LoginThrottle, "rate", "3/minute", raising=False)
    cache.clear()
    codes = [
        api.post(
            "/api/v1/auth/token/", {"username": "editor", "password": "x"}, format="json"
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_delete_with_a_stale_version_is_409(reviewer_api, change):
    reviewer_api.patch(
        f"/api/v1/changes/{change.pk}/", {"summary": "x", "version": 1}, format="json"
    )
    assert reviewer_api.delete(f"/api/v1/changes/{change.pk}/?version=1").status_code == 409
    assert reviewer_api.delete(f"/api/v1/changes/{change.pk}/?version=x").status_code == 400
    assert reviewer_api.delete(f"/api/v1/changes/{change.pk}/?version=2").status_code == 204


def test_updated_since_with_an_odd_utc_offset_is_answered(api, db):
    response = api.get("/api/v1/changes/", {"updated_since": "0220-07-26T14:46:09-20:07"})
    assert response.status_code == 200, response.content
    # at the calendar's ends, whose UTC time does not exist: the end itself
    for moment in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        assert api.get("/api/v1/changes/", {"updated_since": moment}).status_code == 200
        assert api.get("/api/v1/changes/deleted/", {"since": moment}).status_code == 200
    assert (
        api.get("/api/v1/changes/", {"updated_since": "2015-01-01T00:00:00+05:30"}).status_code
        == 200
    )


@pytest.mark.parametrize("value", ["11/03/2017", "20171103", "2017-W44-5", "2017-11-3"])
def test_change_filters_take_days_as_every_parameter_does(api, db, value):
    response = api.get("/api/v1/changes/", {"date_after": value})
    assert response.status_code == 400
    assert "is not a date (YYYY-MM-DD)" in response.json()["date_after"][0]
    assert api.get("/api/v1/changes/", {"date_before": "2017-11-03"}).status_code == 200
