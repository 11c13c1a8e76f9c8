"""Every validation rule: a clear message, keyed by the field, and nothing written."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place
from tests.conftest import d
from tests.factories import ChangeFactory, GroupFactory, PlaceFactory, SourceFactory


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict


def create_change(place=None, **overrides):
    fields = {
        "place": place,
        "date": d("2015-01-01"),
        "status": "controlled",
        "review_state": "published",
        "sources": [SourceFactory()],
    }
    fields.update(overrides)
    return errors_of(services.control_change_create, **fields)


def test_future_date(place, isis):
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = create_change(place, date=tomorrow, controller=isis)
    assert "is in the future" in errors["date"][0]
    assert not ControlChange.objects.exists()


def test_a_change_that_changes_nothing(place, isis, syria):
    ChangeFactory(
        place=place, date=d("2014-07-01"), status="contested", controller=isis, challengers=[syria]
    )
    errors = create_change(
        place, date=d("2015-01-01"), status="contested", controller=isis, challengers=[syria]
    )
    assert errors["status"][0].startswith("This change changes nothing")
    assert "since 2014-07-01" in errors["status"][0]


def test_same_controller_with_other_status_is_a_real_change(place, isis, syria):
    ChangeFactory(place=place, date=d("2014-07-01"), controller=syria)
    ChangeFactory(
        place=place, date=d("2015-01-01"), status="besieged", controller=syria, challengers=[isis]
    )
    assert ControlChange.objects.count() == 2


def test_duplicate_place_and_date(place, isis, syria):
    first = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    errors = create_change(place, date=d("2015-01-01"), controller=syria)
    assert f"already has a change on 2015-01-01 (change #{first.pk})" in errors["date"][0]


def test_group_outside_its_dates(place, isis):
    young = GroupFactory(name="PMF", founded=d("2014-06-13"))
    old = GroupFactory(name="Old Front", dissolved=d("2014-01-31"))

    errors = create_change(place, date=d("2014-06-10"), controller=young)
    assert errors["controller"] == ["PMF was founded on 2014-06-13, after 2014-06-10."]

    errors = create_change(place, date=d("2014-06-10"), controller=isis, supported_by=[old])
    assert errors["supported_by"] == ["Old Front was dissolved on 2014-01-31, before 2014-06-10."]


def test_controller_required_unless_contested(place, isis):
    errors = create_change(place, status="besieged", controller=None, challengers=[isis])
    assert "needs a controller" in errors["controller"][0]


def test_contested_and_besieged_need_challengers(place, isis):
    errors = create_change(place, status="contested", controller=isis)
    assert errors["challengers"] == ["Name at least one group contesting the place."]


def test_controlled_place_has_no_challengers(place, isis, syria):
    errors = create_change(place, controller=isis, challengers=[syria])
    assert "use 'contested' or 'besieged'" in errors["challengers"][0]


def test_controller_cannot_be_challenger(place, isis):
    errors = create_change(place, status="contested", controller=isis, challengers=[isis])
    assert "cannot be both controller and challenger" in errors["challengers"][0]


def test_published_change_needs_a_source(place, isis):
    errors = create_change(place, controller=isis, sources=[])
    assert errors["sources"] == ["A published change needs at least one source."]


def test_date_precision_matches_the_date(place, isis):
    errors = create_change(place, controller=isis, date=d("2015-06-10"), date_precision="month")
    assert errors["date"] == ["With month precision, give the first day of the month."]


def test_unknown_choices_are_named(place, isis):
    errors = create_change(place, controller=isis, status="liberated", confidence="sure")
    assert "'liberated' is not one of" in errors["status"][0]
    assert "'sure' is not one of" in errors["confidence"][0]


def test_all_problems_are_reported_at_once(place, isis):
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = create_change(place, date=tomorrow, controller=None, sources=[])
    assert set(errors) == {"date", "controller", "sources"}


# --- Groups ------------------------------------------------------------------------------------


# An empty colour is not an error: the group gets a default one (tests/territory/test_palette.py).
@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "#ggg000", "rgb(1,2,3)", None])
def test_unknown_colour_format(db, color):
    errors = errors_of(services.group_create, name="X", slug="x", color=color)
    assert errors["color"] == [f"Colour must be #rrggbb, e.g. #1f77b4; got {color!r}."]
    assert not ArmedGroup.objects.exists()


def test_colour_is_normalized_to_lowercase(db):
    assert services.group_create(name="X", slug="x", color="#AABBCC").color == "#aabbcc"


def test_group_dates_cannot_strand_existing_changes(place, isis):
    ChangeFactory(place=place, date=d("2014-06-10"), controller=isis)
    errors = errors_of(services.group_update, group=isis, founded=d("2015-01-01"))
    assert "named by a change on 2014-06-10" in errors["founded"][0]


def test_group_cannot_be_its_own_ancestor(db):
    parent = GroupFactory()
    child = GroupFactory(parent=parent)
    errors = errors_of(services.group_update, group=parent, parent=child)
    assert errors["parent"] == ["A group cannot be its own parent or ancestor."]


# --- Places and theaters -----------------------------------------------------------------------


def place_errors(theater, **overrides):
    fields = {
        "theater": theater,
        "name": "Somewhere",
        "slug": "somewhere",
        "kind": "town",
        "location": Point(40.0, 35.0),
        "country": "SY",
    }
    fields.update(overrides)
    return errors_of(services.place_create, **fields)


def test_place_outside_its_theater(theater):
    errors = place_errors(theater, location=Point(35.0, 40.0))  # lat/lon swapped
    assert "lies outside the bounds" in errors["location"][0]
    assert "swapped longitude and latitude" in errors["location"][0]
    assert not Place.objects.exists()


def test_invalid_area_geometry(theater):
    bowtie = GEOSGeometry("POLYGON((40 35, 41 36, 41 35, 40 36, 40 35))", srid=4326)
    errors = place_errors(theater, area=bowtie)
    assert errors["area"][0].startswith("Invalid geometry: Self-intersection")


def test_area_of_the_wrong_type(theater):
    errors = place_errors(theater, area=Point(40, 35))
    assert errors["area"] == ["Expected a MultiPolygon or Polygon, got a Point."]


def test_coordinates_out_of_range(theater):
    errors = place_errors(theater, location=Point(400.0, 35.0))
    assert "longitude in [-180, 180]" in errors["location"][0]


def test_place_fields(theater):
    errors = place_errors(theater, slug="Not A Slug", country="Syria", importance=9, kind="castle")
    assert set(errors) == {"slug", "country", "importance", "kind"}


def test_polygon_area_is_stored_as_multipolygon(theater):
    area = Polygon.from_bbox((40.0, 35.0, 40.2, 35.2))
    place = PlaceFactory(theater=theater, area=area)
    place.refresh_from_db()
    assert place.area.geom_type == "MultiPolygon"


def test_theater_with_invalid_bounds(db):
    errors = errors_of(
        services.theater_create,
        name="T",
        slug="t",
        bounds=GEOSGeometry("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))"),
        start_date=d("2014-01-01"),
        end_date=d("2013-01-01"),
    )
    assert errors["bounds"][0].startswith("Invalid geometry")
    assert errors["end_date"] == ["The end date must not be before the start date."]


def test_slugs_are_unique_with_a_clear_message(theater):
    PlaceFactory(theater=theater, slug="raqqa")
    errors = place_errors(theater, slug="raqqa")
    assert errors["slug"] == ["The slug 'raqqa' is already used by another place."]


def test_a_capture_and_its_recapture_can_both_be_drafted(place, isis, syria):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    ChangeFactory(place=place, date=d("2015-05-21"), controller=isis, review_state="draft")
    ChangeFactory(place=place, date=d("2016-03-27"), controller=syria, review_state="draft")
    # ... but a draft repeating the draft before it is refused, naming that draft.
    errors = create_change(place, date=d("2016-06-01"), controller=syria, review_state="draft")
    assert "the draft change #" in errors["status"][0]


def test_a_change_left_identical_to_its_predecessor_can_still_be_edited(place, isis, syria):
    ChangeFactory(place=place, date=d("2014-01-01"), controller=syria)
    middle = ChangeFactory(place=place, date=d("2015-01-01"), controller=isis)
    last = ChangeFactory(place=place, date=d("2016-01-01"), controller=syria)
    services.control_change_delete(change=middle)

    last = services.control_change_update(change=last, version=last.version, summary="typo")
    last = services.control_change_unpublish(change=last, version=last.version)
    # Publishing it again would now change nothing: refused.
    with pytest.raises(ValidationError) as error:
        services.control_change_publish(change=last, version=last.version)
    assert error.value.message_dict["status"][0].startswith("This change changes nothing")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": None}, "date"),
        ({"date": "2015-01-01"}, "date"),
        ({"controller": 1}, "controller"),
        ({"summary": None}, "summary"),
        ({"place": None}, "place"),
    ],
)
def test_wrong_kinds_of_values_are_named(place, isis, overrides, field):
    fields = {"place": place, "controller": isis, **overrides}
    assert field in create_change(**fields)
    assert not ControlChange.objects.exists()


def test_version_must_be_a_number(place, isis):
    change = ChangeFactory(place=place, controller=isis)
    errors = errors_of(services.control_change_update, change=change, version="1", summary="x")
    assert "whole number" in errors["version"][0]


def test_lengths_and_ranges_come_from_the_model(theater):
    errors = place_errors(theater, name="x" * 300, population=3_000_000_000)
    assert "at most 200 characters" in errors["name"][0]
    assert "less than or equal to" in errors["population"][0]


def test_area_must_lie_in_the_theater_and_hold_the_point(theater):
    far_away = Polygon.from_bbox((0.0, 0.0, 1.0, 1.0))
    errors = place_errors(theater, area=far_away)
    assert errors["area"] == [
        f"The area reaches outside the bounds of {theater}.",
        "The area must contain the place's point location.",
    ]


def test_three_dimensional_points_are_refused(theater):
    errors = place_errors(theater, location=Point(40.0, 35.0, 300.0))
    assert errors["location"] == ["Give two-dimensional coordinates (longitude, latitude) only."]


def test_updates_refuse_unknown_fields(db):
    group = GroupFactory()
    with pytest.raises(TypeError, match="Unknown fields: colour"):
        services.group_update(group=group, colour="#000000")
