"""Theaters, groups, places and sources: create, edit, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from apps.history import recorder
from apps.history.models import Revision

from .. import palette, revisions, rules, signals
from ..models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    Place,
    Source,
    Theater,
)
from ..search import search_text
from .audit import (
    as_list,
    as_multipolygon,
    delete_recorded,
    record_revision,
    refuse_unknown,
    snapshot_of,
    with_srid,
)
from .review import check_review


def theater_create(
    *,
    name: str,
    slug: str,
    bounds: Polygon,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
    reference_km2: float | None = None,
    reference_name: str = "",
) -> Theater:
    theater = Theater(
        name=name,
        slug=slug,
        bounds=with_srid(bounds),
        start_date=start_date,
        end_date=end_date,
        description=description,
        reference_km2=reference_km2,
        reference_name=reference_name,
    )
    rules.check_theater(theater)
    with transaction.atomic():
        theater.save()
        record_revision(theater, Revision.Action.CREATED)
    return theater


def group_create(
    *,
    name: str,
    slug: str,
    color: str = "",
    kind: str = ArmedGroup.Kind.NON_STATE,
    short_name: str = "",
    aliases: Sequence[str] = (),
    parent: ArmedGroup | None = None,
    founded: date | None = None,
    dissolved: date | None = None,
    description: str = "",
) -> ArmedGroup:
    color = rules.normalize_color(color)
    if color == "":  # none given: a colour-blind-safe one that no group uses yet
        color = palette.default_color(ArmedGroup.objects.values_list("color", flat=True))
    group = ArmedGroup(
        name=name,
        slug=slug,
        color=color,
        kind=kind,
        short_name=short_name,
        aliases=as_list(aliases),
        parent=parent,
        founded=founded,
        dissolved=dissolved,
        description=description,
    )
    rules.check_group(group)
    with transaction.atomic():
        group.save()
        record_revision(group, Revision.Action.CREATED)
    return group


def group_update(*, group: ArmedGroup, **fields: Any) -> ArmedGroup:
    refuse_unknown(fields, GROUP_FIELDS)
    with transaction.atomic():
        # Lock the group so no change naming it slips outside new founded/dissolved dates.
        ArmedGroup.objects.select_for_update().filter(pk=group.pk).exists()
        before = snapshot_of(group)
        for name, value in fields.items():
            if name == "color":
                value = rules.normalize_color(value)
            elif name == "aliases":
                value = as_list(value)
            setattr(group, name, value)
        rules.check_group(group)
        check_review(group)
        group.save()
        record_revision(group, Revision.Action.CHANGED, before=before)
    return group


def place_create(
    *,
    theater: Theater,
    name: str,
    slug: str,
    kind: str,
    location: Point,
    country: str,
    aliases: Sequence[str] = (),
    area: GEOSGeometry | None = None,  # checked: a polygon or multipolygon
    population: int | None = None,
    importance: int = 3,
) -> Place:
    place = Place(
        theater=theater,
        name=name,
        slug=slug,
        kind=kind,
        country=country,
        aliases=as_list(aliases),
        population=population,
        importance=importance,
    )
    location, area = with_srid(location), with_srid(area)
    rules.check_place(place, location=location, area=area)
    shape = cast("Polygon | MultiPolygon | None", area)  # check_place refused any other kind
    place.location, place.area = location, as_multipolygon(shape)
    place.search_text = search_text(place.name, place.aliases)
    with transaction.atomic():
        place.save()
        record_revision(place, Revision.Action.CREATED)
    return place


def place_update(*, place: Place, **fields: Any) -> Place:
    refuse_unknown(fields, PLACE_FIELDS)
    with transaction.atomic():
        before = snapshot_of(place)
        location = with_srid(fields.pop("location", place.location))
        area = with_srid(fields.pop("area", place.area))
        for name, value in fields.items():
            setattr(place, name, as_list(value) if name == "aliases" else value)
        rules.check_place(place, location=location, area=area)
        # read from the database: an admin form has already set the instance's fields
        old_theater_id, old_location, old_importance = Place.objects.values_list(
            "theater_id", "location", "importance"
        ).get(pk=place.pk)
        moved = not old_location.equals_exact(location, 1e-9)
        # importance decides which of two places at one spot owns their shared zone cell
        moved = moved or old_importance != place.importance
        place.location, place.area = location, as_multipolygon(area)
        place.search_text = search_text(place.name, place.aliases)
        check_review(place)
        place.save()
        record_revision(place, Revision.Action.CHANGED, before=before)
        if old_theater_id != place.theater_id:  # the theater it left no longer shows it
            revisions.advance([old_theater_id], places=True)
        if moved or old_theater_id != place.theater_id:  # its cells move: every day it held
            held = _held_ranges(place)
            for theater_id in {old_theater_id, place.theater_id}:
                signals.announce_controllers_changed(theater_id, held)
    return place


def _held_ranges(place: Place) -> list[tuple[date, date | None]]:
    periods = ControlPeriod.objects.filter(place=place, controller__isnull=False)
    return list(periods.values_list("start", "end"))


def source_create(
    *,
    title: str,
    url: str = "",
    publisher: str = "",
    published: date | None = None,
    archive_url: str = "",
    key: str | None = None,
) -> Source:
    source = Source(
        key=key or None,
        title=title,
        url=url,
        publisher=publisher,
        published=published,
        archive_url=archive_url,
    )
    source.full_clean()
    with transaction.atomic():
        source.save()
        record_revision(source, Revision.Action.CREATED)
    return source


SOURCE_FIELDS = {"title", "url", "publisher", "published", "archive_url", "key"}


def source_update(*, source: Source, **fields: Any) -> Source:
    refuse_unknown(fields, SOURCE_FIELDS)
    with transaction.atomic():
        before = snapshot_of(source)
        for name, value in fields.items():
            setattr(source, name, (value or None) if name == "key" else value)
        source.full_clean()
        check_review(source)
        source.save()
        record_revision(source, Revision.Action.CHANGED, before=before)
    return source


class InUseError(Exception):
    """Deleting this would orphan other records (changes citing a source, places of a theater)."""


def source_delete(*, source: Source) -> None:
    if source.changes.exists():
        raise InUseError(f"{source} is cited by {source.changes.count()} change(s).")
    delete_recorded(source)


def group_delete(*, group: ArmedGroup) -> None:
    named = (
        ControlChange.objects.filter(controller=group).exists()
        or ChangeChallenger.objects.filter(group=group).exists()
        or group.changes_supported.exists()
        or group.children.exists()
    )
    if named:
        raise InUseError(f"{group} is named by changes or has member groups.")
    delete_recorded(group)


def place_delete(*, place: Place) -> None:
    if place.changes.exists():
        raise InUseError(f"{place} has control changes; delete them first.")
    delete_recorded(place)


def theater_delete(*, theater: Theater) -> None:
    if theater.places.exists():
        raise InUseError(f"{theater} has places; delete them first.")
    delete_recorded(theater)


THEATER_FIELDS = {
    "name",
    "slug",
    "bounds",
    "start_date",
    "end_date",
    "description",
    "reference_km2",
    "reference_name",
}


def theater_update(*, theater: Theater, **fields: Any) -> Theater:
    refuse_unknown(fields, THEATER_FIELDS)
    with transaction.atomic():
        before = snapshot_of(theater)
        for name, value in fields.items():
            setattr(theater, name, with_srid(value) if name == "bounds" else value)
        rules.check_theater(theater)
        outside = theater.places.exclude(location__coveredby=theater.bounds).first()
        if outside is not None:
            raise ValidationError({"bounds": [f"{outside} would lie outside the new bounds."]})
        bounds_moved = not theater.bounds.equals_exact(
            Theater.objects.values_list("bounds", flat=True).get(pk=theater.pk), 1e-9
        )
        check_review(theater)
        theater.save()
        record_revision(theater, Revision.Action.CHANGED, before=before)
        if bounds_moved:
            signals.announce_theater_reshaped(theater.pk)
    return theater


GROUP_FIELDS = {
    "name",
    "slug",
    "color",
    "kind",
    "short_name",
    "aliases",
    "parent",
    "founded",
    "dissolved",
    "description",
}
BULK_BATCH = 5_000  # rows per INSERT and per batch of revisions

PLACE_FIELDS = {
    "theater",
    "name",
    "slug",
    "kind",
    "location",
    "country",
    "aliases",
    "area",
    "population",
    "importance",
}


def places_bulk_create(*, places: Sequence[Place]) -> list[Place]:
    """Insert many new places (unsaved ``Place`` rows of existing theaters) in one
    transaction, each checked by the same rules as ``place_create``, with a revision each.
    For generated theaters; the importer creates its places one by one (it reports each
    refusal by row)."""
    with transaction.atomic():
        for place in places:
            place.aliases = as_list(place.aliases)
            place.location, place.area = with_srid(place.location), as_multipolygon(place.area)
            rules.check_place(place, location=place.location, area=place.area)
            place.search_text = search_text(place.name, place.aliases)
        created = Place.objects.bulk_create(places, batch_size=BULK_BATCH)
        revisions.advance((place.theater_id for place in created), places=True)
        for first in range(0, len(created), BULK_BATCH):
            recorder.record_many(
                recorder.build(place, action=Revision.Action.CREATED, data=data, labels=labels)
                for place in created[first : first + BULK_BATCH]
                for data, labels in [snapshot_of(place)]
            )
    return created


def places_bulk_delete(*, places: QuerySet[Place]) -> int:
    """Delete many places without changes (as ``place_delete`` deletes one), a revision
    each; refuses with ``InUseError`` if one still has changes. Returns how many."""
    with transaction.atomic():
        if ControlChange.objects.filter(place__in=places).exists():
            raise InUseError("Some of these places have control changes; delete them first.")
        ids = list(places.values_list("pk", flat=True))
        revisions.advance_for_places(ids, places=True)
        for first in range(0, len(ids), BULK_BATCH):
            batch = Place.objects.filter(pk__in=ids[first : first + BULK_BATCH])
            recorder.record_many(
                recorder.build(place, action=Revision.Action.DELETED, data=data, labels=labels)
                for place in batch.select_related("theater")
                for data, labels in [snapshot_of(place)]
            )
            batch.delete()
    return len(ids)
