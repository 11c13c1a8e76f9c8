"""What the domain announces: the theater and the day ranges whose controller changed, sent
inside the write's transaction (derived views drop what they cached before it commits)."""

import pytest
from django.db import connection

from apps.territory import services, signals
from tests.conftest import d
from tests.factories import ChangeFactory


@pytest.fixture
def heard():
    calls = []

    def controllers(sender, *, theater_id, ranges, **kwargs):
        calls.append(("controllers", theater_id, sorted(ranges), connection.in_atomic_block))

    def reshaped(sender, *, theater_id, **kwargs):
        calls.append(("reshaped", theater_id, None, connection.in_atomic_block))

    signals.controllers_changed.connect(controllers, dispatch_uid="test")
    signals.theater_reshaped.connect(reshaped, dispatch_uid="test")
    yield calls
    signals.controllers_changed.disconnect(dispatch_uid="test")
    signals.theater_reshaped.disconnect(dispatch_uid="test")


def test_a_back_dated_change_announces_the_days_its_controller_changed(place, isis, sdf, heard):
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    ChangeFactory(place=place, date=d("2017-01-01"), controller=sdf)
    heard.clear()
    ChangeFactory(place=place, date=d("2016-01-01"), controller=sdf)
    assert heard == [("controllers", place.theater_id, [(d("2016-01-01"), d("2017-01-01"))], True)]


def test_a_status_alone_announces_nothing(place, isis, sdf, heard):
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    heard.clear()
    ChangeFactory(
        place=place, date=d("2016-01-01"), controller=isis, status="contested", challengers=[sdf]
    )
    assert heard == []


def test_moving_a_place_announces_every_day_it_was_held(place, isis, heard):
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    heard.clear()
    services.place_update(place=place, importance=place.importance + 1)
    assert heard == [("controllers", place.theater_id, [(d("2015-01-01"), None)], True)]


def test_new_bounds_reshape_the_theater(theater, heard):
    bounds = theater.bounds.buffer(0.5).envelope
    services.theater_update(theater=theater, bounds=bounds)
    assert heard == [("reshaped", theater.pk, None, True)]
    heard.clear()
    services.theater_update(theater=theater, name="Renamed")
    assert heard == []


def test_the_zones_cache_listens_only_where_zones_exist():
    from apps.zones import compute

    assert signals.controllers_watched() == compute.available()
