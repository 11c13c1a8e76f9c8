from datetime import date

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.factories import GroupFactory, PlaceFactory, TheaterFactory


def on_postgres() -> bool:
    """Whether the suite runs on PostgreSQL (read from the settings: no connection needed)."""
    return "postgis" in settings.DATABASES["default"]["ENGINE"]


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and not on_postgres():
        pytest.skip("needs PostgreSQL/PostGIS (the suite runs on SpatiaLite)")


@pytest.fixture(autouse=True)
def empty_answer_cache():
    """Kept answers (and control/'s kept place heads) are keyed by revisions, which a
    rolled-back test may repeat."""
    from apps.api import feature_heads

    caches["answers"].clear()
    feature_heads.forget()
    yield
    caches["answers"].clear()
    feature_heads.forget()


@pytest.fixture
def theater(db):
    return TheaterFactory()


@pytest.fixture
def place(theater):
    return PlaceFactory(theater=theater)


@pytest.fixture
def isis(db):
    return GroupFactory(name="Islamic State", slug="is", color="#1a1a1a")


@pytest.fixture
def syria(db):
    return GroupFactory(name="Syrian government", slug="sy", color="#c0392b", kind="state")


@pytest.fixture
def sdf(db):
    return GroupFactory(name="SDF", slug="sdf", color="#e1b800")


@pytest.fixture
def postgres_only(db):
    if not on_postgres():
        pytest.skip("PostgreSQL-only integrity")


def d(text: str) -> date:
    return date.fromisoformat(text)
