from datetime import date

import pytest
from django.db import connection

from tests.factories import GroupFactory, PlaceFactory, TheaterFactory


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
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only integrity")


def d(text: str) -> date:
    return date.fromisoformat(text)
