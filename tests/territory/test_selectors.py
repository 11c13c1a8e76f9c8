"""Selectors: filters, diff, series, and that their cost does not grow with the history."""

from unittest.mock import patch

import orjson
import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection

from apps.territory import selectors
from apps.territory.models import ControlPeriod
from tests.conftest import d
from tests.factories import ChangeFactory, PlaceFactory


@pytest.fixture
def three_places(theater, isis, syria, sdf):
    """Raqqa (IS, then SDF), Palmyra (IS, SY, IS, SY), an oil field (SDF, unknown before)."""
    raqqa = PlaceFactory(
        theater=theater,
        name="Raqqa",
        slug="raqqa",
        location=Point(39.01, 35.95),
        population=220_000,
        kind="city",
    )
    palmyra = PlaceFactory(
        theater=theater,
        name="Palmyra",
        slug="palmyra",
        location=Point(38.27, 34.55),
        population=50_000,
        kind="city",
    )
    field = PlaceFactory(
        theater=theater,
        name="al-Omar",
        slug="al-omar",
        location=Point(40.55, 35.08),
        kind="oil_field",
    )
    ChangeFactory(place=raqqa, date=d("2014-01-13"), controller=isis)
    ChangeFactory(place=raqqa, date=d("2017-10-17"), controller=sdf)
    for day, group in [
        ("2014-01-01", syria),
        ("2015-05-21", isis),
        ("2016-03-27", syria),
        ("2016-12-11", isis),
        ("2017-03-02", syria),
    ]:
        ChangeFactory(place=palmyra, date=d(day), controller=group)
    ChangeFactory(place=field, date=d("2017-10-22"), controller=sdf)
    return raqqa, palmyra, field


def slugs(states):
    return sorted(s.place.slug for s in states)


def test_control_at_filters(three_places, theater, isis, sdf):
    on = d("2016-01-01")
    assert slugs(selectors.control_at(on=on, theater=theater)) == ["al-omar", "palmyra", "raqqa"]
    assert slugs(selectors.control_at(on=on, kinds=["oil_field"])) == ["al-omar"]
    assert slugs(selectors.control_at(on=on, groups=[isis])) == ["palmyra", "raqqa"]
    assert slugs(selectors.control_at(on=on, groups=[sdf])) == []  # al-Omar still unknown
    assert slugs(selectors.control_at(on=on, bbox=(38.0, 34.0, 39.5, 36.5))) == [
        "palmyra",
        "raqqa",
    ]
    unknown = next(s for s in selectors.control_at(on=on) if s.place.slug == "al-omar")
    assert (unknown.status, unknown.since) == ("unknown", None)


def test_bad_bbox_is_refused():
    with pytest.raises(ValidationError) as error:
        selectors.control_at(on=d("2016-01-01"), bbox=(40.0, 30.0, 39.0, 31.0))
    assert "bbox" in error.value.message_dict


def test_control_at_query_count_does_not_grow_with_history(
    three_places, django_assert_max_num_queries
):
    """Places, periods in force, their challengers, their groups: four queries, however long
    the record and however many places."""
    with django_assert_max_num_queries(4):
        states = selectors.control_at(on=d("2016-06-01"))
    assert len(states) == 3


def test_period_lookup_can_use_the_range_index(postgres_only, three_places):
    queryset = selectors.periods_containing(d("2016-06-01"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "territory_period_range_gist" in plan or "period_no_overlap" in plan, plan


def test_control_diff(three_places, sdf):
    diffs = selectors.control_diff(from_date=d("2017-10-16"), to_date=d("2017-10-23"))
    assert [(x.place.slug, x.before.status, x.after.controller.slug) for x in diffs] == [
        ("al-omar", "unknown", "sdf"),
        ("raqqa", "controlled", "sdf"),
    ]
    # Palmyra went IS → SY → IS between these days: back where it was, so no difference.
    assert selectors.control_diff(from_date=d("2016-01-01"), to_date=d("2017-01-01")) == []
    assert selectors.control_diff(from_date=d("2017-10-17"), to_date=d("2017-10-17")) == []


def test_control_diff_refuses_reversed_dates():
    with pytest.raises(ValidationError) as error:
        selectors.control_diff(from_date=d("2017-01-02"), to_date=d("2017-01-01"))
    assert "must not be before" in error.value.message_dict["to"][0]


def test_control_series(three_places, theater, isis, syria, sdf):
    series = selectors.control_series(
        theater=theater, from_date=d("2017-01-01"), to_date=d("2017-12-01"), interval="month"
    )
    assert series.dates[0] == d("2017-01-01") and series.dates[-1] == d("2017-12-01")
    by_group = {s.group.slug: s for s in series.groups}
    # Samples on the 1st: IS holds Raqqa and Palmyra until 1 March; Palmyra is Syrian from the
    # 1 April sample (retaken 2 March); SDF holds Raqqa and al-Omar from 1 November.
    assert by_group["is"].places == [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    assert by_group["is"].population[0] == 270_000
    assert by_group["sy"].places == [0, 0, 0] + [1] * 9
    assert by_group["sdf"].places == [0] * 10 + [2, 2]
    assert by_group["sdf"].population[-1] == 220_000


def test_control_series_validates_its_input(theater):
    with pytest.raises(ValidationError) as error:
        selectors.control_series(
            theater=theater, from_date=d("2015-01-01"), to_date=d("2016-01-01"), interval="hour"
        )
    assert "interval" in error.value.message_dict


def test_place_history_is_ordered_and_open_ended(three_places):
    _, palmyra, _ = three_places
    periods = selectors.place_history(place=palmyra)
    assert [p.start for p in periods] == sorted(p.start for p in periods)
    assert periods[-1].end is None
    assert ControlPeriod.objects.filter(place=palmyra).count() == 5


def test_control_series_refuses_huge_ranges_before_building_them(theater):
    with pytest.raises(ValidationError) as error:
        selectors.control_series(
            theater=theater, from_date=d("0001-01-01"), to_date=d("9999-12-31"), interval="day"
        )
    assert "use a coarser interval" in error.value.message_dict["interval"][0]


def test_an_empty_group_selection_is_no_filter(three_places):
    assert len(selectors.control_at(on=d("2016-01-01"), groups=[])) == 3


def test_the_databases_timeline_columns_are_the_pythons(
    three_places, theater, isis, syria, sdf, postgres_only
):
    """PostgreSQL writes the timeline's JSON columns itself; the Python path (SpatiaLite's)
    must give the same values, filters included, with challengers, holderless contests, drafts
    and other theaters' changes in the data."""
    raqqa, palmyra, field = three_places
    ChangeFactory(
        place=raqqa, date=d("2016-05-01"), status="contested", controller=None,
        challengers=[sdf, isis],
    )  # fmt: skip
    ChangeFactory(
        place=palmyra, date=d("2016-05-01"), status="besieged", controller=syria,
        challengers=[isis],
    )  # fmt: skip
    ChangeFactory(place=field, date=d("2016-05-01"), controller=isis, review_state="draft")
    ChangeFactory(place=PlaceFactory(), date=d("2016-05-01"), controller=isis)  # elsewhere
    epoch = d("2013-06-01")
    for filters in [
        {},
        {"from_date": d("2016-01-01")},
        {"to_date": d("2016-05-01")},
        {"from_date": d("2016-04-01"), "to_date": d("2016-06-01")},
        {"bbox": (38.0, 34.0, 39.5, 36.5)},
        {"from_date": d("2030-01-01")},  # no change at all
    ]:
        query = {"theater": theater, "epoch": epoch, **filters}
        in_database = selectors.timeline(**query)
        with patch.object(connection, "vendor", "sqlite"):  # the embedded default's path
            in_python = selectors.timeline(**query)
        assert in_database.count == in_python.count, filters
        for part in ("places", "changes"):
            ours, theirs = getattr(in_database, part), getattr(in_python, part)
            assert list(ours) == list(theirs)
            for name in ours:
                assert orjson.loads(ours[name]) == orjson.loads(theirs[name]), (filters, name)
    whole = selectors.timeline(theater=theater, epoch=epoch)
    assert whole.count == 10
    assert orjson.loads(whole.changes["challengers"]).count([]) == 8
    contested = sorted(sorted(c) for c in orjson.loads(whole.changes["challengers"]) if c)
    assert contested == sorted([sorted([sdf.pk, isis.pk]), [isis.pk]])
