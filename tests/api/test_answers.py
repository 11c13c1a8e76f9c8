"""Answers kept per data revision: the revision, conditional requests, the kept bytes."""

import gzip
import threading

import brotli
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.territory import revisions, rules, services
from apps.territory.models import ControlChange, Place, Theater
from tests.conftest import d
from tests.factories import ChangeFactory, GroupFactory, PlaceFactory, SourceFactory, TheaterFactory

HEAVY = [
    ("/api/v1/control/", {"date": "2017-11-04"}),
    ("/api/v1/control/diff/", {"from": "2015-01-01", "to": "2017-11-04"}),
    ("/api/v1/timeline/", {}),
    ("/api/v1/stats/control-series/", {"area": "false"}),
]


@pytest.fixture
def record(theater, isis, syria):
    deir = PlaceFactory(theater=theater, name="Deir ez-Zor")
    ChangeFactory(place=deir, date=d("2014-07-14"), controller=isis)
    ChangeFactory(place=deir, date=d("2017-11-03"), controller=syria)
    return deir


def tag(theater: Theater) -> str:
    return revisions.stamp_of(theater.pk).tag


def test_the_revision_moves_with_each_kind_of_write_and_only_for_its_theater(theater, isis):
    other = TheaterFactory()
    place = PlaceFactory(theater=theater)
    cited = [SourceFactory()]  # a new source moves every theater (tested below)
    steps = {
        "place created": lambda: PlaceFactory(theater=theater),
        "place edited": lambda: services.place_update(place=place, name="Renamed"),
        "change created": lambda: ChangeFactory(place=place, controller=isis, sources=cited),
        "change edited": lambda: services.control_change_update(
            change=place.changes.get(), version=1, summary="edited"
        ),
        "change unpublished": lambda: services.control_change_unpublish(
            change=place.changes.get(), version=2
        ),
        "change deleted": lambda: services.control_change_delete(change=place.changes.get()),
        "changes bulk-created": lambda: services.control_changes_bulk_create(
            proposals=[
                rules.ChangeProposal(
                    place=place,
                    date=d("2016-01-01"),
                    status="controlled",
                    controller=isis,
                    review_state="published",
                )
            ]
        ),
        "changes bulk-deleted": lambda: services.control_changes_bulk_delete(
            changes=ControlChange.objects.filter(place=place)
        ),
        "places bulk-created": lambda: services.places_bulk_create(
            places=[
                Place(
                    theater=theater,
                    name="Bulk",
                    slug="bulk",
                    kind="town",
                    location=place.location,
                    country="SY",
                )
            ]
        ),
        "places bulk-deleted": lambda: services.places_bulk_delete(
            places=Place.objects.filter(slug="bulk")
        ),
        "place deleted": lambda: services.place_delete(place=Place.objects.get(name="Renamed")),
        "theater edited": lambda: services.theater_update(theater=theater, name="New name"),
    }
    for what, write in steps.items():
        before, untouched = tag(theater), tag(other)
        places_before = revisions.places_stamp_of(theater.pk)
        write()
        assert tag(theater) != before, what
        assert tag(other) == untouched, f"{what} moved another theater's revision"
        # the places' own tag moves with the places' writes only
        moved = revisions.places_stamp_of(theater.pk) != places_before
        assert moved == what.startswith("place"), what


def test_groups_and_sources_move_every_theater(theater):
    other = TheaterFactory()
    for write in (GroupFactory, SourceFactory):
        before = (tag(theater), tag(other))
        write()
        after = (tag(theater), tag(other))
        assert before[0] != after[0] and before[1] != after[1]


def test_a_place_moved_to_another_theater_moves_both(theater):
    other = TheaterFactory()
    place = PlaceFactory(theater=theater)
    before = (tag(theater), tag(other))
    places_before = (revisions.places_stamp_of(theater.pk), revisions.places_stamp_of(other.pk))
    services.place_update(place=place, theater=other)
    assert tag(theater) != before[0] and tag(other) != before[1]
    assert revisions.places_stamp_of(theater.pk) != places_before[0]
    assert revisions.places_stamp_of(other.pk) != places_before[1]


def test_an_edit_that_changes_nothing_keeps_the_revision(theater):
    place = PlaceFactory(theater=theater, name="Same")
    before = tag(theater)
    services.place_update(place=place, name="Same")
    assert tag(theater) == before


@pytest.mark.parametrize("path,query", HEAVY)
def test_a_conditional_request_is_answered_before_reading_the_data(api, record, path, query):
    first = api.get(path, query)
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    assert first["Cache-Control"] == "public, no-cache"
    with CaptureQueriesContext(connection) as seen:
        again = api.get(path, query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    reads = [q["sql"] for q in seen.captured_queries if "SAVEPOINT" not in q["sql"]]
    tables = " ".join(reads)
    assert len(reads) <= 2, tables  # the theater, its revision
    for data in ("territory_place", "territory_controlperiod", "territory_controlchange"):
        assert data not in tables
    since = api.get(path, query, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_kept_answer_is_byte_identical_to_a_built_one(api, record, settings):
    bodies = {}
    for path, query in HEAVY:
        built = api.get(path, query, HTTP_ACCEPT_ENCODING="gzip")
        kept_gzip = api.get(path, query, HTTP_ACCEPT_ENCODING="gzip")
        kept_br = api.get(path, query, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        plain = api.get(path, query, HTTP_ACCEPT_ENCODING="identity, br;q=0")
        assert (built["Content-Encoding"], kept_br["Content-Encoding"]) == ("gzip", "br")
        assert not plain.has_header("Content-Encoding")
        body = bodies[path] = gzip.decompress(built.content)
        assert gzip.decompress(kept_gzip.content) == body
        assert brotli.decompress(kept_br.content) == body
        assert plain.content == body
        assert "Accept-Encoding" in plain["Vary"]
    settings.CACHES = {
        **settings.CACHES,
        "answers": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    for path, query in HEAVY:  # built each time, never kept
        assert api.get(path, query).content == bodies[path]
    settings.ANSWER_CACHE = False
    for path, query in HEAVY:  # nothing to keep, nothing to compress: sent as it is built
        response = api.get(path, query, HTTP_ACCEPT_ENCODING="identity")
        if path in ("/api/v1/control/", "/api/v1/timeline/"):
            assert response.streaming and "ETag" in response
            assert b"".join(response.streaming_content) == bodies[path]
        else:
            assert response.content == bodies[path]


def test_kept_answers_are_per_parameters_and_representation(api, record, syria):
    on_day = api.get("/api/v1/control/", {"date": "2017-11-04"}).json()
    before = api.get("/api/v1/control/", {"date": "2017-11-02"}).json()
    assert on_day["features"][0]["properties"]["controller"]["slug"] == syria.slug
    assert before["features"][0]["properties"]["controller"]["slug"] != syria.slug
    csv = api.get("/api/v1/control/", {"date": "2017-11-04", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv["Content-Disposition"] == 'attachment; filename="control-2017-11-04.csv"'
    again = api.get("/api/v1/control/", {"format": "csv", "date": "2017-11-04"})
    assert again.content == csv.content and again["Content-Disposition"]


def test_a_write_between_two_reads_is_seen_by_the_second(api, record, isis):
    first = api.get("/api/v1/control/", {"date": "2018-01-01"})
    ChangeFactory(place=record, date=d("2017-12-01"), controller=isis)
    second = api.get("/api/v1/control/", {"date": "2018-01-01"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert second.json()["features"][0]["properties"]["controller"]["slug"] == isis.slug
    timeline = api.get("/api/v1/timeline/").json()
    assert timeline["changes"]["count"] == 3


class BrokenCache:
    """A cache backend whose every call fails, as a full disk or a lost server would."""

    def __init__(self, *args, **kwargs):
        pass

    def close(self, **kwargs):  # called after every request
        pass

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise OSError("the cache is away")

        return fail


@pytest.mark.parametrize(
    "backend",
    [
        {
            "BACKEND": "apps.ops.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
        {"BACKEND": "tests.api.test_answers.BrokenCache"},
    ],
    ids=["tolerant-redis-away", "redis-away", "broken"],
)
def test_an_absent_cache_never_fails_a_request(api, record, syria, settings, backend):
    settings.CACHES = {**settings.CACHES, "answers": backend}
    for _ in range(2):
        response = api.get("/api/v1/control/", {"date": "2017-11-04"})
        assert response.status_code == 200
        assert response.json()["features"][0]["properties"]["controller"]["slug"] == syria.slug


def test_errors_are_not_kept(api, record):
    assert api.get("/api/v1/control/", {"date": "2017-13-01"}).status_code == 400
    assert api.get("/api/v1/control/", {"date": "2017-13-01"}).status_code == 400
    assert api.get("/api/v1/timeline/", {"theater": "nowhere"}).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_lose_a_step():
    theater = TheaterFactory()
    start = revisions.stamp_of(theater.pk)
    steps, errors = 25, []

    def writer():
        try:
            for _ in range(steps):
                with transaction.atomic():
                    revisions.advance([theater.pk])
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    value = int(revisions.stamp_of(theater.pk).tag.rsplit(".", 1)[1])
    assert value == int(start.tag.rsplit(".", 1)[1]) + 2 * steps


@pytest.mark.parametrize("size", [1, 2, 5_000])
def test_control_in_pieces_is_the_whole_answer_byte_for_byte(record, theater, size):
    from apps.api.renderers import dumps
    from apps.api.shapes import control_features
    from apps.api.views.control import feature_collection
    from apps.territory import selectors

    PlaceFactory(theater=theater, name="Second")
    PlaceFactory(theater=theater, name="Third")
    on = d("2017-11-04")
    snapshot = selectors.control_snapshot(on=on, theater=theater)
    whole = dumps({"type": "FeatureCollection", "date": on, "features": control_features(snapshot)})
    assert b"".join(feature_collection(on, snapshot, size)) == whole
    empty = selectors.control_snapshot(on=on, theater=TheaterFactory())
    assert b"".join(feature_collection(on, empty, size)) == dumps(
        {"type": "FeatureCollection", "date": on, "features": []}
    )
