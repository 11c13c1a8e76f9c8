"""The audit trail: every write through the services records who, when, how and what."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.history.models import Revision
from apps.history.recorder import acting
from apps.territory import selectors, services
from apps.territory.models import ControlChange
from tests.factories import ChangeFactory, GroupFactory, SourceFactory

pytestmark = pytest.mark.django_db
Published, Draft = ControlChange.ReviewState.PUBLISHED, ControlChange.ReviewState.DRAFT


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice")


def revisions_of(obj):
    return list(
        Revision.objects.filter(content_type__model=obj._meta.model_name, object_id=obj.pk)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def change_revisions(change):
    return Revision.objects.filter(content_type__model="controlchange", object_id=change.pk)


def state_on(place, day):
    return selectors.place_state_on(place=place, on=day)


def test_a_change_s_life_is_recorded_with_who_how_and_what(place, isis, syria, alice):
    with acting(user=alice, via=Revision.Via.ADMIN):
        change = ChangeFactory(place=place, controller=isis, review_state=Draft)
        change = services.control_change_update(change=change, version=1, controller=syria)
        change = services.control_change_publish(change=change, version=2)
        change = services.control_change_unpublish(change=change, version=3)
    assert revisions_of(change) == ["created", "changed", "published", "unpublished"]
    edit = change_revisions(change).get(action="changed")
    assert (edit.user, edit.via) == (alice, "admin")
    assert edit.diff["controller"] == ["Islamic State", "Syrian government"]
    assert edit.data["controller"] == syria.pk
    assert edit.labels["controller"] == "Syrian government"
    assert edit.data["review_state"] == Draft and edit.data["sources"]


def test_writes_outside_a_request_are_recorded_as_commands(place, isis):
    change = ChangeFactory(place=place, controller=isis)
    revision = change_revisions(change).get()
    assert (revision.user, revision.via, revision.action) == (None, "command", "created")


def test_an_edit_that_changes_nothing_records_nothing(isis):
    services.group_update(group=isis, name=isis.name)
    assert revisions_of(isis) == ["created"]


def test_restoring_an_older_version_brings_back_fields_and_periods(place, isis, syria):
    change = ChangeFactory(place=place, controller=isis, date=date(2015, 1, 1))
    first = change_revisions(change).get(action="created")
    services.control_change_update(change=change, version=1, controller=syria)
    assert state_on(place, date(2015, 6, 1)).controller == syria

    restored = services.revision_restore(revision=first)
    assert restored.pk == change.pk and restored.controller == isis and restored.version == 3
    assert state_on(place, date(2015, 6, 1)).controller == isis  # periods follow
    last = change_revisions(change).first()
    assert last.action == "restored" and f"#{first.pk}" in last.note


def test_a_deleted_change_can_be_restored(place, isis):
    change = ChangeFactory(place=place, controller=isis)
    services.control_change_delete(change=ChangeFactory._meta.model.objects.get(pk=change.pk))
    deletion = Revision.objects.get(action="deleted")
    assert deletion.data["controller"] == isis.pk
    assert state_on(place, date(2016, 1, 1)).status == "unknown"

    again = services.revision_restore(revision=deletion)
    assert again.pk != deletion.object_id and again.review_state == Published
    assert state_on(place, date(2016, 1, 1)).controller == isis
    assert revisions_of(again) == ["restored"]


def test_restoring_what_refers_to_a_deleted_object_names_it(place):
    group = GroupFactory()
    source = SourceFactory()
    change = ChangeFactory(place=place, controller=group, sources=[source])
    created = change_revisions(change).get(action="created")
    other = GroupFactory()
    services.control_change_update(change=change, version=1, controller=other)
    services.group_delete(group=group)
    with pytest.raises(ValidationError) as error:
        services.revision_restore(revision=created)
    assert "controller" in error.value.message_dict


def test_other_records_are_recorded_and_restorable(isis):
    services.group_update(group=isis, color="#123456")
    created = Revision.objects.get(
        content_type__model="armedgroup", object_id=isis.pk, action="created"
    )
    services.revision_restore(revision=created)
    isis.refresh_from_db()
    assert isis.color == "#1a1a1a"
    assert revisions_of(isis) == ["created", "changed", "restored"]
