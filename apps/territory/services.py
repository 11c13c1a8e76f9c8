"""The one write path for the domain.

Admin, API, imports and commands call these functions; none of them writes models directly.
Every change write validates with ``rules``, then rebuilds the affected place's derived
periods in the same transaction, so the stored history is always consistent with the
published changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.history import recorder
from apps.history.models import Revision
from apps.users import roles

from . import palette, rules, signals, snapshots
from .models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    DeletedControlChange,
    PeriodChallenger,
    Place,
    Source,
    Theater,
)
from .periods import DatedState, PeriodSpec, State, build_periods, controller_differences
from .search import search_text

Published = ControlChange.ReviewState.PUBLISHED


class StaleVersionError(Exception):
    """Raised when an update carries a version other than the stored one (someone saved first)."""

    def __init__(self, *, change: ControlChange, expected: int) -> None:
        self.change = change
        self.expected = expected
        self.current = change.version
        super().__init__(
            f"Change #{change.pk} was modified by someone else: you edited version {expected}, "
            f"the stored version is {change.version}. Reload it and apply your edit again."
        )


# --- Theaters, groups, places, sources -------------------------------------------------------


def theater_create(
    *,
    name: str,
    slug: str,
    bounds: Polygon,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
) -> Theater:
    theater = Theater(
        name=name,
        slug=slug,
        bounds=_with_srid(bounds),
        start_date=start_date,
        end_date=end_date,
        description=description,
    )
    rules.check_theater(theater)
    with transaction.atomic():
        theater.save()
        _record(theater, Revision.Action.CREATED)
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
        aliases=_as_list(aliases),
        parent=parent,
        founded=founded,
        dissolved=dissolved,
        description=description,
    )
    rules.check_group(group)
    with transaction.atomic():
        group.save()
        _record(group, Revision.Action.CREATED)
    return group


def group_update(*, group: ArmedGroup, **fields: Any) -> ArmedGroup:
    _refuse_unknown(fields, GROUP_FIELDS)
    with transaction.atomic():
        # Lock the group so no change naming it slips outside new founded/dissolved dates.
        ArmedGroup.objects.select_for_update().filter(pk=group.pk).exists()
        before = _data(group)
        for name, value in fields.items():
            if name == "color":
                value = rules.normalize_color(value)
            elif name == "aliases":
                value = _as_list(value)
            setattr(group, name, value)
        rules.check_group(group)
        _check_review(group)
        group.save()
        _record(group, Revision.Action.CHANGED, before=before)
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
    area: Polygon | MultiPolygon | None = None,
    population: int | None = None,
    importance: int = 3,
) -> Place:
    place = Place(
        theater=theater,
        name=name,
        slug=slug,
        kind=kind,
        country=country,
        aliases=_as_list(aliases),
        population=population,
        importance=importance,
    )
    location, area = _with_srid(location), _with_srid(area)
    rules.check_place(place, location=location, area=area)
    place.location, place.area = location, _as_multipolygon(area)
    place.search_text = search_text(place.name, place.aliases)
    with transaction.atomic():
        place.save()
        _record(place, Revision.Action.CREATED)
    return place


def place_update(*, place: Place, **fields: Any) -> Place:
    _refuse_unknown(fields, PLACE_FIELDS)
    with transaction.atomic():
        before = _data(place)
        location = _with_srid(fields.pop("location", place.location))
        area = _with_srid(fields.pop("area", place.area))
        for name, value in fields.items():
            setattr(place, name, _as_list(value) if name == "aliases" else value)
        rules.check_place(place, location=location, area=area)
        # read from the database: an admin form has already set the instance's fields
        old_theater_id, old_location, old_importance = Place.objects.values_list(
            "theater_id", "location", "importance"
        ).get(pk=place.pk)
        moved = not old_location.equals_exact(location, 1e-9)
        # importance decides which of two places at one spot owns their shared zone cell
        moved = moved or old_importance != place.importance
        place.location, place.area = location, _as_multipolygon(area)
        place.search_text = search_text(place.name, place.aliases)
        _check_review(place)
        place.save()
        _record(place, Revision.Action.CHANGED, before=before)
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
        _record(source, Revision.Action.CREATED)
    return source


SOURCE_FIELDS = {"title", "url", "publisher", "published", "archive_url", "key"}


def source_update(*, source: Source, **fields: Any) -> Source:
    _refuse_unknown(fields, SOURCE_FIELDS)
    with transaction.atomic():
        before = _data(source)
        for name, value in fields.items():
            setattr(source, name, (value or None) if name == "key" else value)
        source.full_clean()
        _check_review(source)
        source.save()
        _record(source, Revision.Action.CHANGED, before=before)
    return source


class InUseError(Exception):
    """Deleting this would orphan other records (changes citing a source, places of a theater)."""


def source_delete(*, source: Source) -> None:
    if source.changes.exists():
        raise InUseError(f"{source} is cited by {source.changes.count()} change(s).")
    _delete(source)


def group_delete(*, group: ArmedGroup) -> None:
    named = (
        ControlChange.objects.filter(controller=group).exists()
        or ChangeChallenger.objects.filter(group=group).exists()
        or group.changes_supported.exists()
        or group.children.exists()
    )
    if named:
        raise InUseError(f"{group} is named by changes or has member groups.")
    _delete(group)


def place_delete(*, place: Place) -> None:
    if place.changes.exists():
        raise InUseError(f"{place} has control changes; delete them first.")
    _delete(place)


def theater_delete(*, theater: Theater) -> None:
    if theater.places.exists():
        raise InUseError(f"{theater} has places; delete them first.")
    _delete(theater)


THEATER_FIELDS = {"name", "slug", "bounds", "start_date", "end_date", "description"}


def theater_update(*, theater: Theater, **fields: Any) -> Theater:
    _refuse_unknown(fields, THEATER_FIELDS)
    with transaction.atomic():
        before = _data(theater)
        for name, value in fields.items():
            setattr(theater, name, _with_srid(value) if name == "bounds" else value)
        rules.check_theater(theater)
        outside = theater.places.exclude(location__coveredby=theater.bounds).first()
        if outside is not None:
            raise ValidationError({"bounds": [f"{outside} would lie outside the new bounds."]})
        bounds_moved = not theater.bounds.equals_exact(
            Theater.objects.values_list("bounds", flat=True).get(pk=theater.pk), 1e-9
        )
        _check_review(theater)
        theater.save()
        _record(theater, Revision.Action.CHANGED, before=before)
        if bounds_moved:
            signals.announce_theater_reshaped(theater.pk)
    return theater


GROUP_FIELDS = {
    "name", "slug", "color", "kind", "short_name", "aliases", "parent", "founded", "dissolved",
    "description",
}  # fmt: skip
PLACE_FIELDS = {
    "theater", "name", "slug", "kind", "location", "country", "aliases", "area", "population",
    "importance",
}  # fmt: skip


# --- Review of what the public sees ----------------------------------------------------------


def published_use(record: Theater | ArmedGroup | Place | Source) -> str | None:
    """What published makes `record` public, in words ("cited by 2 published changes"), or
    None while nothing does: the public sees places, groups, sources and theaters through the
    published changes that rest on them. A group is also public as the parent (or further
    ancestor) of a group a published change names."""
    changes = ControlChange.objects.filter(review_state=Published)
    if isinstance(record, Source):
        count, words = changes.filter(sources=record).count(), "cited by {}"
    elif isinstance(record, Place):
        count, words = changes.filter(place=record).count(), "the place of {}"
    elif isinstance(record, Theater):
        count, words = changes.filter(place__theater=record).count(), "the theater of {}"
    elif isinstance(record, ArmedGroup):
        groups = _with_members(record)
        named = (
            Q(controller__in=groups)
            | Q(pk__in=ChangeChallenger.objects.filter(group__in=groups).values("change"))
            | Q(supported_by__in=groups)
        )
        count = changes.filter(named).values("pk").distinct().count()
        words = "named (it or a member group) by {}" if len(groups) > 1 else "named by {}"
    else:
        raise TypeError(f"Not a record the public sees through changes: {record!r}")
    if not count:
        return None
    return words.format(f"{count} published change{'s' if count != 1 else ''}")


def _with_members(group: ArmedGroup) -> list[int]:
    """The group's id and those of its member groups, at any depth."""
    found, frontier = [group.pk], [group.pk]
    while frontier:
        frontier = [
            pk
            for pk in ArmedGroup.objects.filter(parent__in=frontier).values_list("pk", flat=True)
            if pk not in found
        ]
        found += frontier
    return found


def _check_review(record) -> None:
    """Refuse an edit of `record` that no reviewer makes while the public sees the record
    (``roles.check_record_edit``). An edit that changes nothing passes. Compared with the
    stored row, not with the instance, which a form may have filled in already."""
    stored = type(record).objects.get(pk=record.pk)
    if not snapshots.diff(_data(stored), _data(record)):
        return
    roles.check_record_edit(
        recorder.current_user(), record=stored, public_use=lambda: published_use(stored)
    )


# --- Audit trail -----------------------------------------------------------------------------


def _data(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    return snapshots.snapshot(obj)


def _record(obj, action: str, *, before: tuple[dict, dict] | None = None) -> None:
    """Record a revision of `obj` as it now is; an edit that changed nothing records none."""
    data, labels = snapshots.snapshot(obj)
    diff = snapshots.diff(before, (data, labels))
    if action == Revision.Action.CHANGED and before is not None and set(diff) <= {"version"}:
        return  # nothing but the version counter moved
    recorder.record(obj, action=action, data=data, diff=diff, labels=labels)


def _delete(obj) -> None:
    with transaction.atomic():
        _record(obj, Revision.Action.DELETED)
        obj.delete()


def revision_restore(*, revision: Revision):
    """Put the object back as it was after `revision` (or before, for a deletion), through
    the same services and rules as any edit: a change's periods follow. A deleted object is
    created again (with a new id). Returns the object."""
    model = revision.content_type.model_class()
    fields = snapshots.as_fields(model, revision.data)
    note = f"restored revision #{revision.pk} ({revision.action} {revision.at:%Y-%m-%d %H:%M})"
    current = model.objects.filter(pk=revision.object_id).first()
    with transaction.atomic(), recorder.restoring(note):
        if model is ControlChange:
            if current is None:
                return control_change_create(author=recorder.current_user(), **fields)
            return control_change_update(change=current, version=current.version, **fields)
        create, update, name = RESTORERS[model]
        if current is None:
            return create(**fields)
        return update(**{name: current}, **fields)


def _refuse_unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _as_list(value):
    """Sequences of names become lists; anything else is left for validation to name."""
    return list(value) if isinstance(value, (list, tuple)) else value


def _with_srid(geometry):
    if isinstance(geometry, GEOSGeometry) and geometry.srid is None:
        geometry.srid = 4326
    return geometry


def _as_multipolygon(geometry):
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    return geometry


# --- Control changes -------------------------------------------------------------------------


def control_change_create(
    *,
    place: Place,
    date: date,
    status: str,
    controller: ArmedGroup | None = None,
    challengers: Iterable[ArmedGroup] = (),
    supported_by: Iterable[ArmedGroup] = (),
    sources: Iterable[Source] = (),
    date_precision: str = ControlChange.DatePrecision.DAY,
    confidence: str = ControlChange.Confidence.CONFIRMED,
    summary: str = "",
    review_state: str = ControlChange.ReviewState.DRAFT,
    author=None,
) -> ControlChange:
    challengers, supported_by, sources = list(challengers), list(supported_by), list(sources)
    with transaction.atomic():
        _lock_place(place)
        proposal = rules.ChangeProposal(
            place=place,
            date=date,
            status=status,
            controller=controller,
            challengers=challengers,
            supported_by=supported_by,
            date_precision=date_precision,
            confidence=confidence,
            review_state=review_state,
            sources=sources,
            summary=summary,
        )
        rules.check_change(proposal)
        change = ControlChange.objects.create(
            place=place,
            date=date,
            date_precision=date_precision,
            status=status,
            controller=controller,
            confidence=confidence,
            summary=summary,
            review_state=review_state,
            author=author,
        )
        change.challengers.set(challengers)
        change.supported_by.set(supported_by)
        change.sources.set(sources)
        if review_state == Published:
            place_periods_rebuild(place=place)
        _record(change, Revision.Action.CREATED)
    return change


CHANGE_FIELDS = {
    "place",
    "date",
    "date_precision",
    "status",
    "controller",
    "challengers",
    "supported_by",
    "sources",
    "confidence",
    "summary",
    "review_state",
}
MANY_FIELDS = {"challengers", "supported_by", "sources"}


def control_change_update(*, change: ControlChange, version: int, **fields: Any) -> ControlChange:
    """Edit a change. ``version`` is the version the editor read; a stale one is refused.

    Only the fields given are changed. Moving a change to another place or date, publishing
    and unpublishing are all edits; every one rebuilds the periods of the places involved.
    """
    _refuse_unknown(fields, CHANGE_FIELDS)
    _check_version(version)
    with transaction.atomic():
        target = fields.get("place")
        current = _lock_change(change, also=[target.pk] if isinstance(target, Place) else [])
        if current.version != version:
            raise StaleVersionError(change=current, expected=version)
        old_place = current.place
        new_place = fields.get("place", old_place)
        previous = _data(current)

        before = (current.date, current.place_id, current.state, current.review_state)
        values = {name: getattr(current, name) for name in CHANGE_FIELDS - MANY_FIELDS}
        values["challengers"] = list(current.challengers.all())
        values["supported_by"] = list(current.supported_by.all())
        values["sources"] = list(current.sources.all())
        values.update({name: _as_list(value) for name, value in fields.items()})
        proposal = rules.ChangeProposal(**values)
        rules.check_change_types(proposal)

        after = (proposal.date, proposal.place.pk, proposal.state, proposal.review_state)
        publishes = proposal.review_state == Published and before[3] != Published
        reshapes = publishes or before[:3] != after[:3]
        rules.check_change(proposal, existing=current, reshapes=reshapes)
        for name in CHANGE_FIELDS - MANY_FIELDS:
            setattr(current, name, values[name])

        # Clear challengers first: the database refuses, at every step, a group that is both
        # controller and challenger, and an edit may swap the two.
        ChangeChallenger.objects.filter(change=current).delete()
        current.version = version + 1
        current.save()
        current.challengers.set(proposal.challengers)
        current.supported_by.set(proposal.supported_by)
        current.sources.set(proposal.sources)
        for place in {old_place, new_place}:
            place_periods_rebuild(place=place)
        action = Revision.Action.CHANGED
        if proposal.review_state != before[3]:
            action = (
                Revision.Action.PUBLISHED
                if proposal.review_state == Published
                else (Revision.Action.UNPUBLISHED if before[3] == Published else action)
            )
        _record(current, action, before=previous)
    return current


def control_change_publish(*, change: ControlChange, version: int) -> ControlChange:
    return control_change_update(change=change, version=version, review_state=Published)


def control_change_unpublish(*, change: ControlChange, version: int) -> ControlChange:
    return control_change_update(
        change=change, version=version, review_state=ControlChange.ReviewState.DRAFT
    )


def control_change_delete(*, change: ControlChange, version: int | None = None, user=None) -> None:
    """Delete a change, leaving a tombstone for mirrors. A stale ``version`` is refused."""
    if version is not None:
        _check_version(version)
    with transaction.atomic():
        current = _lock_change(change)
        if version is not None and current.version != version:
            raise StaleVersionError(change=current, expected=version)
        place = current.place
        DeletedControlChange.objects.create(
            change_id=current.pk, place=place, deleted_by=user, was_public=_was_published(current)
        )
        _record(current, Revision.Action.DELETED)
        current.delete()
        change.pk = None
        place_periods_rebuild(place=place)


def _was_published(change: ControlChange) -> bool:
    """Published now, or at some time before according to its revisions (a change bulk-loaded
    without a revision has one for every later publication and unpublication)."""
    if change.review_state == Published:
        return True
    revisions = Revision.objects.filter(
        content_type__app_label="territory",
        content_type__model="controlchange",
        object_id=change.pk,
    )
    shown = Q(action__in=[Revision.Action.PUBLISHED, Revision.Action.UNPUBLISHED]) | Q(
        data__review_state=Published
    )
    return revisions.filter(shown).exists()


def _check_version(version) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(
            {"version": f"Give the version you read (a whole number), not {version!r}."}
        )


def _lock_place(place: Place) -> None:
    """Serialize writes to one place so concurrent rebuilds of its periods cannot interleave."""
    _lock_places([place.pk] if isinstance(place, Place) else [])


def lock_places(place_ids: Iterable[int]) -> None:
    """Lock places for the rest of the transaction, as every write to their changes does
    (bulk imports call this before reading the places' changes)."""
    ids = sorted(set(place_ids))
    for first in range(0, len(ids), 500):
        _lock_places(ids[first : first + 500])


def _lock_places(place_ids: Iterable[int]) -> None:
    # Always in id order, so two writers touching the same places cannot deadlock.
    places = Place.objects.select_for_update().filter(pk__in=set(place_ids)).order_by("pk")
    list(places.values_list("pk", flat=True))


def _lock_change(change: ControlChange, *, also: Sequence[int] = ()) -> ControlChange:
    """Lock the change's place (and ``also``), then the change row itself, in that order.

    Every write locks places before changes, so writers never wait on each other in a cycle.
    The change is locked FOR NO KEY UPDATE: rebuilding a neighbour's periods takes a key-share
    lock on it (periods reference their change), which must not conflict with an edit.
    """
    place_id = ControlChange.objects.filter(pk=change.pk).values_list("place_id", flat=True).first()
    if place_id is None:
        raise ControlChange.DoesNotExist(f"Change #{change.pk} no longer exists.")
    _lock_places([place_id, *also])
    current = (
        ControlChange.objects.select_for_update(no_key=True)
        .select_related("place")
        .get(pk=change.pk)
    )
    if current.place_id != place_id:  # moved by a write that committed meanwhile
        return _lock_change(change, also=also)
    return current


# --- Derived periods -------------------------------------------------------------------------


def place_periods_rebuild(*, place: Place) -> None:
    """Bring ``place``'s stored periods in line with its published changes.

    Must run inside the transaction of the write that made it necessary. Its cost grows with
    the place's own history, never with the whole database. Periods that are still right are
    kept (a new latest change only closes the open period and adds one), so ids stay stable
    and the table does not churn; the rest are deleted, re-ended or inserted, in an order
    that never lets two periods overlap, as the exclusion constraint demands at every step.
    """
    changes = (
        ControlChange.objects.filter(place=place, review_state=Published)
        .order_by("date")
        .prefetch_related("challengers")
    )
    wanted = build_periods(DatedState(change_id=c.pk, date=c.date, state=c.state) for c in changes)
    stored = {
        (period.start, period.change_id, period.state): period
        for period in ControlPeriod.objects.filter(place=place).prefetch_related("challengers")
    }
    signals.announce_controllers_changed(
        place.theater_id,
        controller_differences(
            [(p.start, p.end, p.controller_id) for p in stored.values()],
            [(spec.start, spec.end, spec.state.controller_id) for spec in wanted],
        ),
    )
    keep: list[tuple[ControlPeriod, date | None]] = []
    create = []
    for spec in wanted:
        period = stored.pop((spec.start, spec.change_id, spec.state), None)
        if period is None:
            create.append(spec)
        elif period.end != spec.end:
            keep.append((period, spec.end))

    ControlPeriod.objects.filter(pk__in=[p.pk for p in stored.values()]).delete()
    for period, end in keep:  # the starts of kept periods do not move, so no overlap arises
        ControlPeriod.objects.filter(pk=period.pk).update(end=end)
    _insert_periods([(place.pk, spec) for spec in create])


def place_periods_bulk_create(*, changes_by_place: dict[int, list[DatedState]]) -> int:
    """Bulk path for fresh loads: create the periods of places that have none yet.

    ``changes_by_place`` maps place ids to their *published* changes. Periods come from the
    same :func:`build_periods` as every other write, so a bulk load ends in exactly the
    state that entering the changes one by one would. Returns the number of periods created.
    """
    specs = [
        (place_id, spec)
        for place_id, changes in changes_by_place.items()
        for spec in build_periods(changes)
    ]
    _announce_controllers({}, specs)
    return _insert_periods(specs)


def place_periods_rebuild_many(*, place_ids: Iterable[int]) -> int:
    """Bulk path for imports: rebuild the periods of many places at once (their periods are
    replaced, so their ids change). Same builder as every write; returns periods created."""
    place_ids = sorted(set(place_ids))
    if not place_ids:
        return 0
    changes = (
        ControlChange.objects.filter(place_id__in=place_ids, review_state=Published)
        .order_by("place_id", "date")
        .values_list("pk", "place_id", "date", "status", "controller_id")
    )
    challengers: dict[int, set[int]] = {}
    for change_id, group_id in ChangeChallenger.objects.filter(
        change__place_id__in=place_ids, change__review_state=Published
    ).values_list("change_id", "group_id"):
        challengers.setdefault(change_id, set()).add(group_id)
    by_place: dict[int, list[DatedState]] = {place_id: [] for place_id in place_ids}
    for pk, place_id, day, status, controller_id in changes:
        state = State(status, controller_id, frozenset(challengers.get(pk, ())))
        by_place[place_id].append(DatedState(change_id=pk, date=day, state=state))
    stored = ControlPeriod.objects.filter(place_id__in=place_ids)
    before: dict[int, list] = {}
    for place_id, start, end, controller_id in stored.values_list(
        "place_id", "start", "end", "controller_id"
    ).iterator(chunk_size=10_000):
        before.setdefault(place_id, []).append((start, end, controller_id))
    stored.delete()
    specs = [(place_id, spec) for place_id, changes in by_place.items()
             for spec in build_periods(changes)]  # fmt: skip
    _announce_controllers(before, specs)
    return _insert_periods(specs)


def _announce_controllers(before: dict[int, list], specs: list[tuple[int, PeriodSpec]]) -> None:
    """Announce the days on which these places' controllers changed, given their periods'
    ``(start, end, controller)`` before and their new periods."""
    if not signals.controllers_watched():
        return  # nobody derives from them (no zones on SpatiaLite): spare an import the work
    after: dict[int, list] = {}
    for place_id, spec in specs:
        after.setdefault(place_id, []).append((spec.start, spec.end, spec.state.controller_id))
    place_ids = sorted(before.keys() | after.keys())
    theater_of = {}
    for chunk in range(0, len(place_ids), 500):  # SQLite's parameter limit
        ids = place_ids[chunk : chunk + 500]
        theater_of.update(Place.objects.filter(pk__in=ids).values_list("pk", "theater_id"))
    by_theater: dict[int, list] = {}
    for place_id in place_ids:
        ranges = controller_differences(before.get(place_id, []), after.get(place_id, []))
        by_theater.setdefault(theater_of[place_id], []).extend(ranges)
    for theater_id, ranges in by_theater.items():
        signals.announce_controllers_changed(theater_id, ranges)


def _insert_periods(specs: list[tuple[int, PeriodSpec]]) -> int:
    """Insert ``(place_id, spec)`` periods with their challengers; returns how many."""
    periods = ControlPeriod.objects.bulk_create(
        (
            ControlPeriod(
                place_id=place_id,
                start=spec.start,
                end=spec.end,
                status=spec.state.status,
                controller_id=spec.state.controller_id,
                change_id=spec.change_id,
            )
            for place_id, spec in specs
        ),
        batch_size=10_000,
    )
    PeriodChallenger.objects.bulk_create(
        (
            PeriodChallenger(period=period, group_id=group_id)
            for period, (_, spec) in zip(periods, specs, strict=True)
            for group_id in sorted(spec.state.challenger_ids)
        ),
        batch_size=10_000,
    )
    return len(periods)


RESTORERS = {
    Theater: (theater_create, theater_update, "theater"),
    ArmedGroup: (group_create, group_update, "group"),
    Place: (place_create, place_update, "place"),
    Source: (source_create, source_update, "source"),
}
