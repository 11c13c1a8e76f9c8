"""Place control derived from an area layer: entering, leaving, the complement, short flips,
hand-entered changes winning, and a second run changing nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from apps.areas import geometry as geo
from apps.areas import services
from apps.areas.derive import MARK, derive_changes
from apps.territory import selectors
from apps.territory.models import ControlChange
from tests.areas.fronts import START, ground_on
from tests.factories import ChangeFactory, PlaceFactory, SourceFactory

# the front of tests/areas/fronts.py: the held box reaches lon 40.2, 40.3, 40.4, 40.5, 40.5,
# 40.35 (a retreat) and 40.6 on days 0 to 6, with a hole (40.05-40.1, 35.4-35.5) from day 2
SPOTS = {
    "always": (40.1, 35.7),  # inside from day 0
    "taken": (40.25, 35.7),  # taken on day 1
    "flip": (40.45, 35.7),  # taken day 3, lost day 5, taken again day 6
    "hole": (40.07, 35.45),  # held, then in the hole from day 2
    "beyond": (42.0, 35.7),  # never inside: the complement's
}


def day(k: int):
    return START + timedelta(days=k)


@pytest.fixture
def layer(theater, syria, isis):
    layer = services.layer_create(
        theater=theater, slug="front", name="Held", group=syria, complement=isis, assessor="A"
    )
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(
                day(k), geo.ground_of(ground_on(k)).geometry, source=SourceFactory(title=f"day {k}")
            )
            for k in range(7)
        ],
    )
    return layer


@pytest.fixture
def places(theater):
    return {
        name: PlaceFactory(theater=theater, name=name, location=Point(*xy, srid=4326))
        for name, xy in SPOTS.items()
    }


def history(place) -> list[tuple[int, str]]:
    changes = ControlChange.objects.filter(place=place).order_by("date")
    return [((c.date - START).days, c.controller.slug) for c in changes]


def test_entering_and_leaving_become_changes_from_the_layer_and_its_complement(layer, places):
    report = derive_changes(layer=layer)
    assert history(places["always"]) == [(0, "sy")]
    assert history(places["taken"]) == [(0, "is"), (1, "sy")]
    assert history(places["flip"]) == [(0, "is"), (3, "sy"), (5, "is"), (6, "sy")]
    assert history(places["hole"]) == [(0, "sy"), (2, "is")]
    assert history(places["beyond"]) == [(0, "is")]
    assert report.created == 10 and report.places == 5
    change = ControlChange.objects.get(place=places["taken"], date=day(1))
    assert change.review_state == "draft" and change.confidence == "likely"
    assert change.summary.startswith(MARK) and str(day(1)) in change.summary
    assert [s.title for s in change.sources.all()] == ["day 1"]


def test_a_second_run_changes_nothing_and_min_days_skips_short_flips(layer, places):
    derive_changes(layer=layer)
    again = derive_changes(layer=layer)
    assert (again.created, again.unchanged, again.deleted) == (0, 10, 0)
    short = derive_changes(layer=layer, min_days=2)
    assert short.short_flips == 1 and short.deleted == 2  # day 5 lost, day 6 retaken: gone
    assert history(places["flip"]) == [(0, "is"), (3, "sy")]


def test_hand_entered_changes_win_and_disagreements_are_named(layer, places, syria, isis):
    ChangeFactory(place=places["beyond"], date=day(-10), controller=syria)  # by hand
    ChangeFactory(place=places["always"], date=day(-10), controller=syria)
    report = derive_changes(layer=layer)
    assert history(places["beyond"]) == [(-10, "sy")]  # untouched, nothing derived
    assert history(places["always"]) == [(-10, "sy")]  # it already says so
    assert report.agreeing == 1
    (disagreement,) = [d for d in report.disagreements if d[0] == "beyond"]
    assert disagreement[1] == day(0) and "Islamic State" in disagreement[2]
    assert "Syrian government" in disagreement[3]


def test_published_derived_changes_reach_the_record(layer, places, isis):
    out = io.StringIO()
    call_command(
        "derive_changes",
        "--theater",
        layer.theater.slug,
        "--layer",
        "front",
        "--publish",
        stdout=out,
    )
    assert "10 changes created" in out.getvalue()
    state = selectors.place_state_on(place=places["flip"], on=day(5))
    assert state.controller == isis and state.status == "controlled"
    timeline = selectors.timeline(theater=layer.theater, epoch=layer.theater.start_date)
    assert timeline.count == 10
