"""The bulk write path: the same rows, periods, revisions, tombstones and announcements as
writing one change at a time."""

import pytest
from django.core.exceptions import ValidationError

from apps.history.models import Revision
from apps.territory import rules, services, signals
from apps.territory.models import ControlChange, ControlPeriod, DeletedControlChange, Place
from tests.conftest import d
from tests.factories import ChangeFactory, PlaceFactory, SourceFactory


def periods(place):
    return [
        (p.start, p.end, p.status, p.controller_id)
        for p in ControlPeriod.objects.filter(place=place).order_by("start")
    ]


def proposal(place, day, controller, **fields):
    fields = {"review_state": "published", "sources": [SourceFactory()], **fields}
    return rules.ChangeProposal(
        place=place, date=d(day), status="controlled", controller=controller, **fields
    )


def test_bulk_changes_end_as_one_by_one_writes_do(theater, isis, sdf):
    one, bulk = PlaceFactory(theater=theater), PlaceFactory(theater=theater)
    days = [("2014-06-01", isis), ("2016-01-01", sdf), ("2017-03-01", isis)]
    for day, group in days:
        ChangeFactory(place=one, date=d(day), controller=group)
    heard = []
    signals.controllers_changed.connect(
        lambda sender, **kw: heard.append(kw["ranges"]), dispatch_uid="bulk-test", weak=False
    )
    try:
        made = services.control_changes_bulk_create(
            proposals=[proposal(bulk, day, group) for day, group in days]
        )
    finally:
        signals.controllers_changed.disconnect(dispatch_uid="bulk-test")
    assert [c.date for c in made] == [d(day) for day, _ in days]
    assert periods(bulk) == periods(one)
    assert heard == [[(d("2014-06-01"), None)]]  # the place held from its first change on
    revisions = Revision.objects.filter(
        content_type__model="controlchange", object_id__in=[c.pk for c in made]
    )
    assert revisions.filter(action=Revision.Action.CREATED).count() == 3
    assert all(c.sources.count() == 1 for c in made)


def test_drafts_in_bulk_leave_the_periods_alone(place, isis):
    draft = proposal(place, "2015-01-01", isis, review_state="draft")
    services.control_changes_bulk_create(proposals=[draft])
    assert periods(place) == []
    assert ControlChange.objects.get(place=place).review_state == "draft"


def test_bulk_delete_leaves_tombstones_and_rebuilds(place, isis, sdf):
    kept = ChangeFactory(place=place, date=d("2014-01-01"), controller=isis)
    public = ChangeFactory(place=place, date=d("2015-01-01"), controller=sdf)
    once = ChangeFactory(place=place, date=d("2016-01-01"), controller=isis)
    once = services.control_change_unpublish(change=once, version=once.version)
    draft = ChangeFactory(place=place, date=d("2017-01-01"), controller=sdf, review_state="draft")
    count = services.control_changes_bulk_delete(changes=ControlChange.objects.exclude(pk=kept.pk))
    assert count == 3
    tombstones = dict(DeletedControlChange.objects.values_list("change_id", "was_public"))
    assert tombstones == {public.pk: True, once.pk: True, draft.pk: False}
    assert periods(place) == [(d("2014-01-01"), None, "controlled", isis.pk)]
    deleted = Revision.objects.filter(action=Revision.Action.DELETED)
    assert set(deleted.values_list("object_id", flat=True)) == {public.pk, once.pk, draft.pk}


def test_bulk_places_obey_the_rules_and_are_audited(theater):
    good = Place(
        theater=theater,
        name="Ain Issa",
        slug="ain-issa",
        kind="town",
        location=theater.bounds.centroid,
        country="SY",
    )
    bad = Place(
        theater=theater,
        name="Nowhere",
        slug="nowhere",
        kind="town",
        location=theater.bounds.centroid,
        country="Syria",
    )
    with pytest.raises(ValidationError):
        services.places_bulk_create(places=[good, bad])
    assert not Place.objects.filter(slug__in=["ain-issa", "nowhere"]).exists()
    good.pk = None
    [made] = services.places_bulk_create(places=[good])
    assert (
        made.search_text
        and Revision.objects.filter(
            content_type__model="place", object_id=made.pk, action=Revision.Action.CREATED
        ).exists()
    )


def test_places_with_changes_are_not_deleted_in_bulk(place, isis):
    ChangeFactory(place=place, controller=isis)
    with pytest.raises(services.InUseError):
        services.places_bulk_delete(places=Place.objects.filter(pk=place.pk))
    assert Place.objects.filter(pk=place.pk).exists()
