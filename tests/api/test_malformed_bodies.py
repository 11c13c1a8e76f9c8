"""Hostile JSON bodies: absurd nesting, and GeoJSON that asks GDAL to read a CRS from elsewhere.
Every one is a JSON 400 naming the problem, and nothing is written."""

import json

import pytest
from django.core.exceptions import SuspiciousOperation
from django.urls import path
from rest_framework.views import APIView

from apps.api.parsers import MAX_DEPTH
from apps.territory.models import ArmedGroup, Place
from config.urls import urlpatterns as project_urls

TOO_DEEP = "nested too deeply"


def nested(depth: int, leaf="1") -> str:
    return "[" * depth + leaf + "]" * depth


def place_body(theater, geometry) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "slug": "p",
            "name": "P",
            "kind": "town",
            "country": "SY",
            "theater": theater.pk,
        },
    }


def post_raw(client, url: str, body: str):
    return client.generic("POST", url, body, content_type="application/json")


def assert_too_deep(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert TOO_DEEP in detail and str(MAX_DEPTH) in detail


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 2_000, 100_000])
def test_a_token_request_nested_too_deeply_is_400(api, db, depth):
    body = '{"username": ' + nested(depth) + ', "password": "x"}'
    assert_too_deep(post_raw(api, "/api/v1/auth/token/", body))


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_a_place_geometry_nested_too_deeply_is_400(editor_api, theater, depth):
    body = json.dumps(place_body(theater, None)).replace(
        '"geometry": null', '"geometry": {"type": "Point", "coordinates": ' + nested(depth) + "}"
    )
    assert_too_deep(post_raw(editor_api, "/api/v1/places/", body))
    assert not Place.objects.exists()


def test_aliases_nested_too_deeply_are_400(editor_api, db):
    body = '{"slug": "x", "name": "X", "aliases": ' + nested(1_000, '"a"') + "}"
    assert_too_deep(post_raw(editor_api, "/api/v1/groups/", body))
    assert not ArmedGroup.objects.exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/groups/", "/api/v1/sources/", "/api/v1/changes/", "/api/v1/exports/"]
)
def test_every_json_endpoint_refuses_deep_nesting(editor_api, db, url):
    assert_too_deep(post_raw(editor_api, url, '{"a": ' + nested(3_000) + "}"))


def test_nesting_within_the_limit_is_parsed_as_usual(editor_api, db):
    """Brackets inside strings do not count; a body at the limit reaches the serializer."""
    brackets = "[" * 5_000 + "{" * 5_000
    body = '{"slug": "x", "name": "X", "aliases": ["' + brackets + '"], "deep": '
    body += nested(MAX_DEPTH - 1) + "}"
    response = post_raw(editor_api, "/api/v1/groups/", body)
    assert response.status_code == 400
    assert "aliases" in response.json() and TOO_DEEP not in response.content.decode()


def test_malformed_json_still_names_the_parse_error(editor_api, db):
    for body in ['{"slug": "x"', "[[[}}}", '{"a": [1, 2}', "\x00"]:
        response = post_raw(editor_api, "/api/v1/groups/", body)
        assert response.status_code == 400, body
        assert response.json()["detail"].startswith("JSON parse error"), body


# --- crs: GeoJSON names EPSG:4326 or nothing ------------------------------------------------

LINKED = [
    {"type": "link", "properties": {"href": "http://169.254.169.254/latest/", "type": "proj4"}},
    {"type": "name", "properties": {"name": "/etc/passwd"}},
    {"type": "name", "properties": {"name": "http://example.com/crs.wkt"}},
    {"TYPE": "url", "properties": {"NAME": "file:///etc/passwd"}},
]


@pytest.mark.parametrize("crs", LINKED)
def test_a_crs_pointing_at_a_url_or_file_is_a_json_400(editor_api, theater, crs):
    geometry = {"type": "Point", "coordinates": [38.5, 35.5], "crs": crs}
    response = editor_api.post("/api/v1/places/", place_body(theater, geometry), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "EPSG:4326" in response.json()["geometry"][0]
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "name", "properties": {"name": "EPSG:3857"}},
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32637"}},
        {"type": "name"},
        "EPSG:4326",
    ],
)
def test_a_crs_other_than_wgs84_is_refused_by_name(editor_api, theater, crs):
    geometry = {"type": "Point", "coordinates": [38.5, 35.5], "crs": crs}
    response = editor_api.post("/api/v1/places/", place_body(theater, geometry), format="json")
    assert response.status_code == 400
    assert "crs" in response.json()["geometry"][0]


@pytest.mark.parametrize(
    "name", ["EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "CRS84"]
)
def test_a_crs_naming_wgs84_is_accepted(editor_api, theater, name):
    geometry = {
        "type": "Point",
        "coordinates": [38.5, 35.5],
        "crs": {"type": "name", "properties": {"name": name}},
    }
    response = editor_api.post("/api/v1/places/", place_body(theater, geometry), format="json")
    assert response.status_code == 201, response.json()
    place = Place.objects.get()
    assert place.location.srid == 4326 and place.location.coords == (38.5, 35.5)


def test_a_crs_inside_a_collection_member_is_checked_too(editor_api, place):
    area = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [38.5, 35.5], "crs": LINKED[1]}],
    }
    response = editor_api.patch(
        f"/api/v1/places/{place.pk}/?geometry=area",
        {"type": "Feature", "geometry": area, "properties": {}},
        format="json",
    )
    assert response.status_code == 400 and "crs" in response.json()["geometry"][0]


# --- any SuspiciousOperation under /api/ ------------------------------------------------------


class SuspiciousView(APIView):
    permission_classes = []

    def get(self, request):
        raise SuspiciousOperation("Something odd in the request.")


def suspicious_page(request):
    raise SuspiciousOperation("Something odd in the request.")


urlpatterns = [
    path("api/v1/suspicious/", SuspiciousView.as_view()),
    path("api/v1/suspicious-page/", suspicious_page),
    *project_urls,
]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/api/v1/suspicious/", "/api/v1/suspicious-page/"])
def test_a_suspicious_operation_under_api_is_a_json_400(api, db, settings, url, debug):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = debug
    response = api.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_disallowed_host_under_api_is_a_json_400(db):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="evil.example").get("/api/v1/groups/")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
