"""Concurrent writers on one place (PostgreSQL): they queue, never deadlock, never overwrite."""

import threading
import time

import pytest
from django.db import connection

from apps.territory import services
from apps.territory.models import ControlChange
from tests.conftest import d
from tests.factories import ChangeFactory, GroupFactory, PlaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_thread(results, name, call):
    def target():
        try:
            call()
            results[name] = "ok"
        except Exception as exc:  # reported, then asserted on by the test
            results[name] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


def test_publishing_a_neighbour_while_editing_a_change_does_not_deadlock(
    postgres_only, monkeypatch
):
    """T1 publishes Z, whose rebuild re-creates a period referencing Y, while T2 edits Y."""
    gov, isis = GroupFactory(), GroupFactory()
    place = PlaceFactory()
    ChangeFactory(place=place, date=d("2014-01-01"), controller=gov)
    z = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    y = ChangeFactory(place=place, date=d("2016-01-01"), controller=gov)
    z = services.control_change_unpublish(change=z, version=z.version)  # y merges into 2014's

    rebuild = services.place_periods_rebuild
    t1_rebuilding = threading.Event()

    def slow_rebuild(*, place):
        if threading.current_thread().name == "T1":
            t1_rebuilding.set()
            time.sleep(1.0)  # hold the place while T2 arrives
        return rebuild(place=place)

    monkeypatch.setattr(services.changes, "place_periods_rebuild", slow_rebuild)
    results = {}
    t1 = run_in_thread(
        results, "T1", lambda: services.control_change_publish(change=z, version=z.version)
    )
    t1_rebuilding.wait(5)
    t2 = run_in_thread(
        results,
        "T2",
        lambda: services.control_change_update(change=y, version=y.version, confidence="likely"),
    )
    t1.join(20)
    t2.join(20)

    assert results == {"T1": "ok", "T2": "ok"}
    assert ControlChange.objects.get(pk=y.pk).confidence == "likely"
    assert ControlChange.objects.get(pk=z.pk).review_state == "published"


def test_two_editors_saving_the_same_version_one_wins(postgres_only):
    change = ChangeFactory(date=d("2015-01-01"))
    results = {}
    threads = [
        run_in_thread(
            results,
            name,
            lambda summary=name: services.control_change_update(
                change=change, version=1, summary=summary
            ),
        )
        for name in ("A", "B")
    ]
    for thread in threads:
        thread.join(20)

    outcomes = sorted(results.values())
    assert outcomes[0].startswith("StaleVersionError") or outcomes[1].startswith(
        "StaleVersionError"
    )
    assert "ok" in outcomes
    stored = ControlChange.objects.get(pk=change.pk)
    assert stored.version == 2
    assert stored.summary == next(name for name, outcome in results.items() if outcome == "ok")
