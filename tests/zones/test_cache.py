"""The zones cache: one row per zone day, invalidated for exactly the days a write affects."""

import json
from datetime import date

import pytest
from django.contrib.gis.geos import GEOSGeometry

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source
from apps.zones import compute
from apps.zones import selectors as zone_selectors
from apps.zones import services as zone_services
from apps.zones.models import ZoneSet

pytestmark = pytest.mark.postgres
SERIES = "/api/v1/stats/control-series/"


def cached(theater):
    return {row.day: (row.pk, row.computed_at) for row in ZoneSet.objects.filter(theater=theater)}


def back_date(place_slug: str, day: date, group_slug: str) -> ControlChange:
    return services.control_change_create(
        place=Place.objects.get(slug=place_slug),
        date=day,
        status="controlled",
        controller=ArmedGroup.objects.get(slug=group_slug),
        sources=[Source.objects.first()],
        review_state=ControlChange.ReviewState.PUBLISHED,
    )


def holder(zones, place_slug):
    point = Place.objects.get(slug=place_slug).location
    found = [
        zones.groups[s.group_id].slug
        for s in zones.shapes
        if GEOSGeometry(json.dumps(s.geometry), srid=4326).intersects(point)
    ]
    return found[0] if found else None


def test_a_back_dated_write_invalidates_exactly_the_affected_days(reference):
    before = cached(reference)
    # Raqqa: Islamic State from 2014 (contested from 2017-06-06, still IS), SDF from 2017-10-17.
    # Putting the opposition in control on 2016-01-01 changes its controller until 2017-06-06.
    back_date("raqqa", date(2016, 1, 1), "syrian-opposition")

    after = cached(reference)
    affected = {day for day in before if date(2016, 1, 1) <= day < date(2017, 6, 6)}
    assert affected, "the reference data has zone days in that range"
    assert set(before) - set(after) == affected
    assert all(after[day] == before[day] for day in after)  # the rest untouched, not recomputed
    assert date(2017, 6, 6) in after or date(2017, 6, 6) not in before

    # the dropped days and the two new zone days (Raqqa changes hands on both) are computed
    missing = set(zone_selectors.zone_days(reference.pk)) - set(after)
    assert missing == affected | {date(2016, 1, 1), date(2017, 6, 6)}
    assert zone_services.fill_missing(reference.pk).computed == len(missing)
    zones = zone_selectors.zones_on(theater=reference, on=date(2016, 6, 1))
    assert zones.valid_from >= date(2016, 1, 1)
    assert holder(zones, "raqqa") == "syrian-opposition"
    assert (
        holder(zone_selectors.zones_on(theater=reference, on=date(2017, 7, 1)), "raqqa")
        == "islamic-state"
    )


def test_writes_that_move_no_controller_invalidate_nothing(reference):
    before = cached(reference)
    raqqa = Place.objects.get(slug="raqqa")
    services.control_change_create(  # contested, Islamic State still in control
        place=raqqa,
        date=date(2015, 3, 1),
        status="contested",
        controller=ArmedGroup.objects.get(slug="islamic-state"),
        challengers=[ArmedGroup.objects.get(slug="sdf")],
        sources=[Source.objects.first()],
        review_state=ControlChange.ReviewState.PUBLISHED,
    )
    back_date("raqqa", date(2015, 4, 1), "islamic-state")  # restates the same controller
    services.place_update(place=raqqa, population=(raqqa.population or 0) + 1)
    assert cached(reference) == before


def test_moving_a_place_invalidates_the_days_it_held(reference):
    before = cached(reference)
    raqqa = Place.objects.get(slug="raqqa")
    services.place_update(place=raqqa, location=GEOSGeometry("POINT(39.02 35.96)", srid=4326))
    after = cached(reference)
    held_from = date(2014, 1, 1)  # Raqqa has a controller from its first change on
    assert set(before) - set(after) == {day for day in before if day >= held_from}


def test_a_new_importance_invalidates_the_days_the_place_held(reference):
    """Of two places at one spot, the more important owns the shared cell."""
    before = cached(reference)
    raqqa = Place.objects.get(slug="raqqa")
    services.place_update(place=raqqa, importance=(raqqa.importance % 5) + 1)
    assert set(before) - set(cached(reference)) == {d for d in before if d >= date(2014, 1, 1)}


def test_beat_finds_missing_days_hidden_by_rows_that_are_no_longer_zone_days(reference, settings):
    from apps.zones.tasks import fill_all_missing

    settings.ZONES_PRECOMPUTE = True
    days = zone_selectors.zone_days(reference.pk)
    ZoneSet.objects.filter(theater=reference, day=days[5]).update(day=date(2013, 6, 6))
    assert ZoneSet.objects.filter(theater=reference).count() == len(days)  # looks complete
    assert fill_all_missing() == 1  # queued (eager here: filled at once)
    assert set(cached(reference)) == set(days)  # the stray row is gone, the day is back


def test_a_read_racing_a_write_does_not_cache_stale_zones(reference):
    day = max(cached(reference))
    generation = zone_services.epoch(reference.pk)
    stale = [compute.ZoneShape(1, {"type": "MultiPolygon", "coordinates": []}, 1.0)]
    back_date("raqqa", date(2016, 1, 1), "syrian-opposition")  # a write lands meanwhile
    ZoneSet.objects.filter(theater=reference, day=day).delete()
    assert (
        zone_services.store(reference.pk, day, zone_selectors.default_radius(), generation, stale)
        is False
    )
    assert not ZoneSet.objects.filter(theater=reference, day=day).exists()


def test_writes_queue_the_computation_when_configured(
    reference, settings, django_capture_on_commit_callbacks
):
    settings.ZONES_PRECOMPUTE = True  # as in production; Celery is eager in the tests
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        back_date("raqqa", date(2016, 1, 1), "syrian-opposition")
    assert callbacks  # the task ran after commit and filled every zone day again
    assert set(cached(reference)) == set(zone_selectors.zone_days(reference.pk))


def test_control_series_gains_the_area_held(client, reference):
    body = client.get(
        SERIES,
        {"theater": reference.slug, "from": "2015-01-01", "to": "2018-01-01", "interval": "month"},
    ).json()
    assert body["area_pending"] == 0
    series = {g["group"]["slug"]: g for g in body["groups"]}
    step = body["dates"].index("2016-06-01")
    zones = client.get("/api/v1/zones/", {"date": "2016-06-01", "theater": reference.slug}).json()
    for feature in zones["features"]:
        slug = feature["properties"]["group"]["slug"]
        assert series[slug]["area_km2"][step] == feature["properties"]["area_km2"]
    islamic_state = series["islamic-state"]["area_km2"]
    assert islamic_state[step] > islamic_state[-1]  # it lost most of its land by 2018
    assert all(len(g["area_km2"]) == len(body["dates"]) for g in body["groups"])


def test_control_series_answers_in_time_and_leaves_the_rest_pending(client, reference, settings):
    ZoneSet.objects.all().delete()
    settings.ZONES_INLINE_BUDGET_S = 0  # one zone day is computed, then the budget is spent
    body = client.get(SERIES, {"theater": reference.slug, "interval": "month"}).json()
    assert body["area_pending"] > 10  # all but the first zone day are left to a worker
    areas = [a for g in body["groups"] for a in g["area_km2"]]
    assert None in areas and any(a for a in areas)


def test_zones_say_how_long_they_hold(client, reference):
    body = client.get("/api/v1/zones/", {"date": "2017-11-04", "theater": reference.slug}).json()
    days = zone_selectors.zone_days(reference.pk)
    assert body["valid_from"] <= "2017-11-04" < body["valid_until"]
    assert date.fromisoformat(body["valid_until"]) == min(d for d in days if d > date(2017, 11, 4))
    early = client.get("/api/v1/zones/", {"date": "2013-01-01", "theater": reference.slug}).json()
    assert early["valid_from"] is None and early["features"] == []


def test_the_admin_shows_what_is_still_to_compute(client, reference, admin_user):
    client.force_login(admin_user)
    ZoneSet.objects.filter(day__gte=date(2017, 1, 1)).delete()
    pending = len([d for d in zone_selectors.zone_days(reference.pk) if d >= date(2017, 1, 1)])
    page = client.get("/admin/zones/zoneset/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "estimates, never observations" in text and f"<strong>{pending}</strong>" in text
    queued = client.post("/admin/zones/zoneset/fill/")  # eager here: computed at once
    assert queued.status_code == 302
    assert ZoneSet.objects.filter(theater=reference).count() == len(
        zone_selectors.zone_days(reference.pk)
    )
