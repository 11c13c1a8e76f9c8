import pytest
from django.conf import settings
from django.db import transaction

from apps.ingest.reference import load_dataset
from apps.territory.models import Theater
from apps.zones import selectors as zone_selectors
from apps.zones import services as zone_services


@pytest.fixture(scope="module")
def reference_filled(django_db_setup, django_db_blocker):
    """The reference dataset with every zone day cached, once per module, inside a transaction
    rolled back at the end (each test's own changes roll back to this savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_dataset(settings.REFERENCE_DATA_DIR)
        theater = Theater.objects.get(slug="syria-iraq-2014-2019")
        filled = zone_services.fill_missing(theater.pk)
        assert filled.computed == len(zone_selectors.zone_days(theater.pk)) > 50
        yield theater
        transaction.set_rollback(True)


@pytest.fixture
def reference(reference_filled, db):
    return Theater.objects.get(pk=reference_filled.pk)
