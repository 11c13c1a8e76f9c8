"""Property: after any sequence of creates, edits, publications and deletions, the stored
periods say exactly what a brute-force replay of the published changes says, day by day."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.territory import selectors, services
from apps.territory.models import ControlChange
from apps.territory.periods import State
from tests.factories import GroupFactory, PlaceFactory, SourceFactory

DAY0 = date(2015, 1, 1)
DAYS = 12  # a small window makes collisions, merges and neighbours frequent

day_offset = st.integers(min_value=0, max_value=DAYS - 1)
group_index = st.integers(min_value=0, max_value=2)
state = st.sampled_from(["controlled", "contested", "besieged"])

place_index = st.integers(min_value=0, max_value=1)
create = st.tuples(st.just("create"), place_index, day_offset, state, group_index, st.booleans())
relocate = st.tuples(st.just("relocate"), st.integers(0, 20), place_index)
edit_date = st.tuples(st.just("move"), st.integers(0, 20), day_offset)
edit_state = st.tuples(st.just("restate"), st.integers(0, 20), state, group_index)
toggle = st.tuples(st.just("toggle"), st.integers(0, 20))
delete = st.tuples(st.just("delete"), st.integers(0, 20))
operations = st.lists(
    st.one_of(create, edit_date, edit_state, toggle, delete, relocate), max_size=14
)


def proposal(status: str, holder_index: int, groups):
    """A valid shape for the status: holder + (for contested/besieged) the next group."""
    holder = groups[holder_index]
    challenger = groups[(holder_index + 1) % len(groups)]
    if status == "controlled":
        return {"status": status, "controller": holder, "challengers": []}
    return {"status": status, "controller": holder, "challengers": [challenger]}


def apply(op, places, groups, source) -> None:
    kind = op[0]
    changes = list(ControlChange.objects.filter(place__in=places).order_by("pk"))
    if kind == "create":
        _, index, offset, status, holder, published = op
        services.control_change_create(
            place=places[index],
            date=DAY0 + timedelta(days=offset),
            sources=[source],
            review_state="published" if published else "draft",
            **proposal(status, holder, groups),
        )
        return
    if not changes:
        return
    change = changes[op[1] % len(changes)]
    if kind == "move":
        services.control_change_update(
            change=change, version=change.version, date=DAY0 + timedelta(days=op[2])
        )
    elif kind == "restate":
        services.control_change_update(
            change=change, version=change.version, **proposal(op[2], op[3], groups)
        )
    elif kind == "relocate":
        services.control_change_update(change=change, version=change.version, place=places[op[2]])
    elif kind == "toggle":
        new_state = "draft" if change.review_state == "published" else "published"
        services.control_change_update(
            change=change, version=change.version, review_state=new_state
        )
    else:
        services.control_change_delete(change=change)


def brute_force(place) -> list[tuple]:
    published = [
        (c.date, (c.status, c.controller_id, frozenset(g.pk for g in c.challengers.all())))
        for c in ControlChange.objects.filter(place=place, review_state="published")
    ]
    days = []
    for offset in range(DAYS + 2):
        day = DAY0 + timedelta(days=offset)
        in_force = [s for when, s in published if when <= day]
        latest = max((when, s) for when, s in published if when <= day)[1] if in_force else None
        days.append(latest)
    return days


def from_periods(place) -> list[tuple]:
    periods = selectors.place_history(place=place)
    days = []
    for offset in range(DAYS + 2):
        day = DAY0 + timedelta(days=offset)
        matching = [p for p in periods if p.start <= day and (p.end is None or day < p.end)]
        assert len(matching) <= 1, "overlapping periods"
        p = matching[0] if matching else None
        days.append(
            (p.status, p.controller_id, frozenset(g.pk for g in p.challengers.all())) if p else None
        )
    return days


def check_shape(place) -> None:
    periods = selectors.place_history(place=place)
    for period in periods:
        # Each period begins with the published change that opened it.
        assert period.change.place_id == place.pk
        assert period.change.review_state == "published"
        assert period.change.date == period.start
    for earlier, later in pairwise(periods):
        assert earlier.end == later.start, "periods must be contiguous"
        earlier_state = (earlier.status, earlier.controller_id, set(earlier.challengers.all()))
        later_state = (later.status, later.controller_id, set(later.challengers.all()))
        assert earlier_state != later_state, "identical neighbours must be merged"
    if periods:
        assert periods[-1].end is None


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_periods_match_brute_force_replay(ops):
    with transaction.atomic():
        first = PlaceFactory()
        places = [first, PlaceFactory(theater=first.theater)]
        groups = [GroupFactory(), GroupFactory(), GroupFactory()]
        source = SourceFactory()
        for op in ops:
            try:
                with transaction.atomic():
                    apply(op, places, groups, source)
            except ValidationError:
                pass  # refused writes must leave everything as it was; checked below
            for place in places:
                assert from_periods(place) == brute_force(place)
                check_shape(place)
        for place in places:
            for offset in (0, DAYS // 2, DAYS + 1):
                day = DAY0 + timedelta(days=offset)
                expected = brute_force(place)[offset]
                got = selectors.place_state_on(place=place, on=day)
                # Before any published change a place is unknown: no holder, no challengers.
                assert got.key == (State(*expected) if expected else State("unknown", None))
                assert (got.since is None) == (expected is None)
        transaction.set_rollback(True)
