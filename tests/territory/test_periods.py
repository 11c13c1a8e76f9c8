"""The pure time functions."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.territory.periods import (
    DatedState,
    State,
    build_periods,
    controller_differences,
    series_dates,
)
from tests.conftest import d

A, B = State("controlled", 1), State("contested", 1, frozenset({2}))


def test_build_periods_orders_chains_and_merges():
    periods = build_periods(
        [
            DatedState(3, d("2016-01-01"), A),
            DatedState(1, d("2014-01-01"), A),
            DatedState(2, d("2015-01-01"), B),
            DatedState(4, d("2017-01-01"), A),  # same as before: merged into change 3's period
        ]
    )
    assert [(p.start, p.end, p.state, p.change_id) for p in periods] == [
        (d("2014-01-01"), d("2015-01-01"), A, 1),
        (d("2015-01-01"), d("2016-01-01"), B, 2),
        (d("2016-01-01"), None, A, 3),
    ]
    assert periods[0].contains(d("2014-12-31")) and not periods[0].contains(d("2015-01-01"))


def test_build_periods_of_nothing():
    assert build_periods([]) == []


def test_two_changes_on_one_day_are_impossible():
    with pytest.raises(ValueError):
        build_periods([DatedState(1, d("2014-01-01"), A), DatedState(2, d("2014-01-01"), B)])


def test_series_dates():
    assert series_dates(d("2017-01-30"), d("2017-04-30"), "month") == [
        d("2017-01-30"),
        d("2017-02-28"),
        d("2017-03-30"),
        d("2017-04-30"),
    ]
    assert len(series_dates(d("2014-01-01"), d("2014-12-31"), "day")) == 365
    assert series_dates(d("2014-01-01"), d("2014-01-20"), "week")[-1] == d("2014-01-15")
    with pytest.raises(ValueError):
        series_dates(d("2014-01-01"), d("2014-01-20"), "fortnight")


# --- controller_differences: the days derived zones must be recomputed for ----------------

history = st.lists(st.tuples(st.integers(0, 40), st.sampled_from([None, 1, 2, 3])), max_size=6)


def _periods(changes):
    """Periods ``(start, end, controller)`` of changes given as (day number, controller)."""
    by_day = dict(changes)
    days = sorted(by_day)
    return [
        (
            date(2020, 1, 1) + timedelta(days=d),
            date(2020, 1, 1) + timedelta(days=e) if e is not None else None,
            by_day[d],
        )
        for d, e in zip(days, [*days[1:], None][: len(days)], strict=True)
    ]


@given(history, history)
def test_controller_differences_are_exactly_the_days_that_differ(old, new):
    before, after = _periods(old), _periods(new)
    ranges = controller_differences(before, after)

    def controller(periods, day):
        return next((c for s, e, c in periods if s <= day and (e is None or day < e)), None)

    for offset in range(-2, 50):
        day = date(2020, 1, 1) + timedelta(days=offset)
        inside = any(s <= day and (e is None or day < e) for s, e in ranges)
        assert inside == (controller(before, day) != controller(after, day)), day
    assert all(
        ranges[i][1] is not None and ranges[i][1] < ranges[i + 1][0] for i in range(len(ranges) - 1)
    )  # ordered, disjoint, not touching
