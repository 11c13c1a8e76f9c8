"""A tombstone says whether its change was ever public; so does the migration that added the
flag, for the tombstones that existed before it, from the audit trail."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from apps.territory import services
from apps.territory.models import DeletedControlChange
from tests.factories import ChangeFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("apps.territory.migrations.0006_tombstone_was_public")


@pytest.fixture
def three(place, isis, syria):
    """A draft never published, a published change, one published then unpublished; all
    deleted. Returns their tombstones."""
    never = ChangeFactory(place=place, controller=isis, review_state="draft")
    shown = ChangeFactory(place=place, controller=isis, date=date(2016, 1, 1))
    withdrawn = ChangeFactory(place=place, controller=syria, date=date(2017, 1, 1))
    withdrawn = services.control_change_unpublish(change=withdrawn, version=withdrawn.version)
    ids = [never.pk, shown.pk, withdrawn.pk]
    for change in (never, shown, withdrawn):
        services.control_change_delete(change=change)
    return [DeletedControlChange.objects.get(change_id=pk) for pk in ids]


def test_a_tombstone_says_whether_its_change_was_ever_public(three):
    assert [t.was_public for t in three] == [False, True, True]


def test_the_migration_judges_existing_tombstones_by_their_history(three):
    unknown = DeletedControlChange.objects.create(change_id=10**9, was_public=True)
    DeletedControlChange.objects.update(was_public=True)  # as the new column's default
    migration.judge_existing(apps, None)
    judged = [DeletedControlChange.objects.get(pk=t.pk).was_public for t in three]
    assert judged == [False, True, True]
    assert DeletedControlChange.objects.get(pk=unknown.pk).was_public  # no history: listed
