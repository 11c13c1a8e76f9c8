"""control/ from the places' kept heads: the same bytes as the Features built as dicts, kept
across changes, rebuilt when a place is written."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api import feature_heads
from apps.api.renderers import dumps
from apps.api.shapes import control_features
from apps.territory import selectors, services
from tests.conftest import d
from tests.factories import ChangeFactory, PlaceFactory, TheaterFactory


@pytest.fixture
def places(theater, isis, syria, sdf):
    deir = PlaceFactory(theater=theater, name="Deir ez-Zor", location=Point(40.141, 35.336))
    ChangeFactory(place=deir, date=d("2014-07-14"), controller=isis)
    ChangeFactory(
        place=deir, date=d("2016-01-01"), status="besieged", controller=syria,
        challengers=[isis],
    )  # fmt: skip
    ChangeFactory(place=deir, date=d("2017-11-03"), controller=syria)
    raqqa = PlaceFactory(theater=theater, name='ar-Raqqa "الرقة"', kind="city")
    ChangeFactory(
        place=raqqa, date=d("2017-06-06"), status="contested", controller=None,
        challengers=[sdf, isis],
    )  # fmt: skip
    PlaceFactory(theater=theater, name="Ṭabqa")  # never changed: unknown
    PlaceFactory(theater=TheaterFactory(), name="Elsewhere")
    return deir, raqqa


def built_as_dicts(on, theater, groups=None):
    snapshot = selectors.control_snapshot(on=on, theater=theater, groups=groups)
    return dumps({"type": "FeatureCollection", "date": on, "features": control_features(snapshot)})


@pytest.mark.parametrize("size", [1, 2, 5_000])
def test_the_same_bytes_as_the_features_built_as_dicts(places, theater, isis, sdf, size):
    heads = feature_heads.heads_of(theater)
    assert len(heads.heads) == 3
    for day in ("2014-01-01", "2016-06-01", "2017-07-01", "2017-11-04"):
        on = d(day)
        found = selectors.periods_on(on=on, theater=theater)
        for groups in ([], [isis], [sdf], [isis, sdf]):
            wanted = selectors.group_ids(groups)
            ours = b"".join(feature_heads.feature_collection(on, heads, found, wanted, size))
            assert ours == built_as_dicts(on, theater, groups or None), (day, groups)


def test_an_empty_theater(theater):
    on = d("2017-11-04")
    found = selectors.periods_on(on=on, theater=theater)
    ours = b"".join(
        feature_heads.feature_collection(on, feature_heads.heads_of(theater), found, set())
    )
    assert ours == dumps({"type": "FeatureCollection", "date": on, "features": []})


def place_reads(queries) -> int:
    return sum('FROM "territory_place"' in q["sql"] and "ST_X" in q["sql"] for q in queries)


def test_kept_across_changes_and_rebuilt_when_a_place_is_written(api, places, theater, syria):
    deir, raqqa = places
    query = {"date": "2018-01-01", "theater": theater.pk}
    assert api.get("/api/v1/control/", query).status_code == 200
    ChangeFactory(place=raqqa, date=d("2017-10-20"), controller=syria)
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/control/", query).json()
    assert place_reads(queries) == 0  # the heads were kept: only the periods were read
    assert [f["properties"]["controller"]["slug"] for f in body["features"][:2]] == ["sy", "sy"]

    services.place_update(place=deir, name="Dayr az-Zawr", location=Point(40.15, 35.33))
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/control/", query).json()
    assert place_reads(queries) == 1
    renamed = next(f for f in body["features"] if f["id"] == deir.pk)
    assert renamed["properties"]["name"] == "Dayr az-Zawr"
    assert renamed["geometry"]["coordinates"] == [40.15, 35.33]
    assert body["features"][0]["properties"]["name"].startswith("ar-Raqqa")  # by name again
