"""The time engine end to end: writes through services, reads through selectors."""

import pytest
from django.core.exceptions import ValidationError

from apps.territory import selectors, services
from apps.territory.models import ControlChange, ControlPeriod, DeletedControlChange
from tests.conftest import d
from tests.factories import ChangeFactory, SourceFactory

DRAFT = ControlChange.ReviewState.DRAFT


def state_on(place, day):
    return selectors.place_state_on(place=place, on=d(day))


def history(place):
    return [
        (p.start.isoformat(), p.end.isoformat() if p.end else None, p.status, p.controller.slug)
        for p in selectors.place_history(place=place)
    ]


def test_unknown_before_first_change_and_effective_on_its_day(place, isis):
    ChangeFactory(place=place, date=d("2014-06-10"), controller=isis)

    before = state_on(place, "2014-06-09")
    assert (before.status, before.controller, before.since) == ("unknown", None, None)
    first_day = state_on(place, "2014-06-10")
    assert (first_day.status, first_day.controller, first_day.since) == (
        "controlled",
        isis,
        d("2014-06-10"),
    )


def test_two_changes_in_a_row_and_the_last_day_of_a_period(place, isis, syria):
    ChangeFactory(place=place, date=d("2015-05-21"), controller=isis)
    ChangeFactory(place=place, date=d("2016-03-27"), controller=syria)

    assert history(place) == [
        ("2015-05-21", "2016-03-27", "controlled", "is"),
        ("2016-03-27", None, "controlled", "sy"),
    ]
    assert state_on(place, "2016-03-26").controller == isis  # last day of the first period
    assert state_on(place, "2016-03-27").controller == syria
    assert state_on(place, "2019-01-01").since == d("2016-03-27")


def test_back_dated_insertion_between_two_changes(place, isis, syria, sdf):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    ChangeFactory(place=place, date=d("2017-01-01"), controller=sdf)
    ChangeFactory(place=place, date=d("2015-06-01"), controller=isis)  # entered later

    assert history(place) == [
        ("2014-01-01", "2015-06-01", "controlled", "sy"),
        ("2015-06-01", "2017-01-01", "controlled", "is"),
        ("2017-01-01", None, "controlled", "sdf"),
    ]


def test_moving_a_change_past_its_neighbour(place, isis, syria, sdf):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    middle = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    ChangeFactory(place=place, date=d("2016-01-01"), controller=sdf)

    services.control_change_update(change=middle, version=middle.version, date=d("2017-01-01"))

    assert history(place) == [
        ("2014-01-01", "2016-01-01", "controlled", "sy"),
        ("2016-01-01", "2017-01-01", "controlled", "sdf"),
        ("2017-01-01", None, "controlled", "is"),
    ]


def test_deleting_the_first_and_the_last_change(place, isis, syria, sdf):
    first = ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    last = ChangeFactory(place=place, date=d("2016-01-01"), controller=sdf)
    deleted_ids = [first.pk, last.pk]

    services.control_change_delete(change=first)
    assert history(place) == [
        ("2015-01-01", "2016-01-01", "controlled", "is"),
        ("2016-01-01", None, "controlled", "sdf"),
    ]
    assert state_on(place, "2014-06-01").status == "unknown"

    services.control_change_delete(change=last)
    assert history(place) == [("2015-01-01", None, "controlled", "is")]
    assert DeletedControlChange.objects.filter(change_id__in=deleted_ids).count() == 2


def test_deleting_a_middle_change_merges_identical_neighbours(place, isis, syria):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    middle = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    ChangeFactory(place=place, date=d("2016-01-01"), controller=syria, confidence="likely")

    services.control_change_delete(change=middle)

    assert history(place) == [("2014-01-01", None, "controlled", "sy")]


def test_a_draft_does_not_count_until_published(place, isis, syria):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    draft = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis, review_state=DRAFT)

    assert state_on(place, "2015-06-01").controller == syria
    assert len(history(place)) == 1

    published = services.control_change_publish(change=draft, version=draft.version)
    assert state_on(place, "2015-06-01").controller == isis
    assert published.version == draft.version + 1

    services.control_change_unpublish(change=published, version=published.version)
    assert state_on(place, "2015-06-01").controller == syria


def test_contested_and_besieged_states_carry_challengers(place, isis, syria):
    ChangeFactory(
        place=place,
        date=d("2014-07-14"),
        status="contested",
        controller=isis,
        challengers=[syria],
    )
    ChangeFactory(place=place, date=d("2017-11-03"), controller=syria)

    contested = state_on(place, "2017-11-02")
    assert (contested.status, contested.controller, contested.challengers) == (
        "contested",
        isis,
        (syria,),
    )
    assert state_on(place, "2017-11-03").challengers == ()


def test_contested_with_no_holder(place, isis, syria):
    ChangeFactory(
        place=place,
        date=d("2014-01-01"),
        status="contested",
        controller=None,
        challengers=[isis, syria],
    )
    state = state_on(place, "2014-02-01")
    assert state.controller is None
    assert {g.slug for g in state.challengers} == {"is", "sy"}


def test_swapping_controller_and_challenger_in_one_edit(place, isis, syria):
    change = ChangeFactory(
        place=place, date=d("2014-01-01"), status="besieged", controller=syria, challengers=[isis]
    )
    services.control_change_update(
        change=change, version=change.version, controller=isis, challengers=[syria]
    )
    state = state_on(place, "2014-01-02")
    assert (state.controller, state.challengers) == (isis, (syria,))


def test_stale_version_is_refused_and_changes_nothing(place, isis, syria):
    change = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    services.control_change_update(change=change, version=1, summary="first editor")

    with pytest.raises(services.StaleVersionError) as error:
        services.control_change_update(change=change, version=1, controller=syria)

    assert "version 1" in str(error.value) and "version is 2" in str(error.value)
    stored = ControlChange.objects.get(pk=change.pk)
    assert (stored.summary, stored.controller, stored.version) == ("first editor", isis, 2)
    assert state_on(place, "2015-02-01").controller == isis


def test_moving_a_change_to_another_place_rebuilds_both(theater, isis, syria):
    from tests.factories import PlaceFactory

    a, b = PlaceFactory(theater=theater), PlaceFactory(theater=theater)
    change = ChangeFactory(place=a, date=d("2015-01-01"), controller=isis)

    services.control_change_update(change=change, version=1, place=b)

    assert history(a) == []
    assert history(b) == [("2015-01-01", None, "controlled", "is")]


def test_a_failed_write_leaves_no_trace(place, isis, syria):
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    before = list(ControlPeriod.objects.values_list("start", "end", "controller"))

    with pytest.raises(ValidationError):
        services.control_change_create(
            place=place,
            date=d("2015-01-01"),  # duplicate date
            status="controlled",
            controller=syria,
            sources=[SourceFactory()],
            review_state="published",
        )

    assert ControlChange.objects.count() == 1
    assert list(ControlPeriod.objects.values_list("start", "end", "controller")) == before


def test_delete_with_a_stale_version_is_refused(place, isis):
    change = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    services.control_change_update(change=change, version=1, summary="edited meanwhile")

    with pytest.raises(services.StaleVersionError):
        services.control_change_delete(change=change, version=1)

    assert ControlChange.objects.filter(pk=change.pk).exists()
    assert state_on(place, "2015-02-01").controller == isis
