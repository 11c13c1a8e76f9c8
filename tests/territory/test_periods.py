"""The pure time functions."""

import pytest

from apps.territory.periods import DatedState, State, build_periods, series_dates
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
