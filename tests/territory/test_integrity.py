"""Integrity the database enforces by itself, even against writes that bypass the services."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from apps.territory.models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    PeriodChallenger,
)
from tests.conftest import d
from tests.factories import ChangeFactory


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_overlapping_periods_are_rejected_on_postgres(postgres_only, place, isis, syria):
    change = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    # The open period [2015-01-01, ∞) exists; a hand-made overlapping one must fail.
    refused(
        lambda: ControlPeriod.objects.create(
            place=place,
            start=d("2016-01-01"),
            end=d("2017-01-01"),
            status="controlled",
            controller=syria,
            change=change,
        )
    )
    # Adjacent, non-overlapping ranges are fine: [2014-01-01, 2015-01-01).
    ControlPeriod.objects.create(
        place=place,
        start=d("2014-01-01"),
        end=d("2015-01-01"),
        status="controlled",
        controller=syria,
        change=change,
    )


def test_exclusion_constraint_exists(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'period_no_overlap'"
        )
        (definition,) = cursor.fetchone()
    assert definition.startswith("EXCLUDE USING gist (place_id WITH =, daterange(start,")


def test_overlapping_periods_fail_model_validation_on_postgres(place, isis, syria):
    """validate_constraints() (full_clean) asks the exclusion constraint with a connection, not
    a schema editor: on PostgreSQL it refuses the overlap, elsewhere it has nothing to check."""
    change = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    overlapping = ControlPeriod(
        place=place,
        start=d("2016-01-01"),
        end=d("2017-01-01"),
        status="controlled",
        controller=syria,
        change=change,
    )
    if connection.vendor == "postgresql":
        with pytest.raises(ValidationError, match="must not overlap"):
            overlapping.validate_constraints()
    else:
        overlapping.validate_constraints()


def test_unique_place_and_date(place, isis, syria):
    ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    refused(
        lambda: ControlChange.objects.create(
            place=place, date=d("2015-01-01"), status="controlled", controller=syria
        )
    )


def test_controller_required_unless_contested(place):
    refused(
        lambda: ControlChange.objects.create(place=place, date=d("2015-01-01"), status="controlled")
    )
    ControlChange.objects.create(place=place, date=d("2015-01-02"), status="contested")


def test_colour_must_be_hex(db):
    refused(lambda: ArmedGroup.objects.create(name="X", slug="x", color="red"))


def test_group_cannot_be_controller_and_challenger_of_a_change(place, isis, syria):
    change = ChangeFactory(
        place=place, date=d("2015-01-01"), status="besieged", controller=syria, challengers=[isis]
    )
    refused(lambda: ChangeChallenger.objects.create(change=change, group=syria))

    def make_challenger_the_controller():
        change.controller = isis
        change.save()

    refused(make_challenger_the_controller)


def test_group_cannot_be_controller_and_challenger_of_a_period(place, isis, syria):
    ChangeFactory(
        place=place, date=d("2015-01-01"), status="besieged", controller=syria, challengers=[isis]
    )
    period = ControlPeriod.objects.get(place=place)
    refused(lambda: PeriodChallenger.objects.create(period=period, group=syria))
    refused(lambda: ControlPeriod.objects.filter(pk=period.pk).update(controller=isis))


def test_period_end_after_start(place, isis):
    change = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    refused(
        lambda: ControlPeriod.objects.create(
            place=place,
            start=d("2013-01-01"),
            end=d("2013-01-01"),
            status="controlled",
            controller=isis,
            change=change,
        )
    )
