"""Import places and changes from an uploaded file: all or nothing, idempotent, every row
checked by the same rules as the forms, every problem reported with its row and column.

An import runs in two steps, so that on SQLite (one writer at a time) other requests are
held up only while it writes:

1. Check, with no transaction open (reads only): every place row against ``rules`` (a new
   place gets a provisional negative id, so change rows of the same file can name it), every
   change row against its place's changes held in memory, stored ones and the file's own.
   A place's rows are sorted by date and walked once with its stored changes
   (``Timeline``): each row is checked against its neighbours only (the change on its day,
   the latest before it, the latest published before it), so the checks grow with the
   number of rows, not with its square. A dry run stops here.
2. Write, in one short transaction: places through the services, then the places are locked
   and their stored changes compared with what step 1 read (an edit that slipped in between
   sends the import back to step 1), then edits through the services, and the new changes
   in bulk: changes, their groups and sources, their audit revisions, and the periods of
   the places they touch (rebuilt by the same builder as every write).

Matching: a place by slug, else by name or alias (any spelling) within the import's theater;
a group by slug, else by name, short name or alias; a source by key, else by URL. A name that
matches more than one record is an error, never a guess. A row identical to what is stored is
"unchanged", so importing the same file twice changes nothing.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from apps.history import recorder
from apps.history.models import Revision
from apps.territory import rules, services
from apps.territory.models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    Place,
    Source,
    Theater,
)
from apps.territory.periods import State
from apps.territory.search import fold
from apps.users import roles

from . import access
from .cells import CellError, date_cell, number_cell, split_cell, whole_number_cell
from .parsing import Record

if TYPE_CHECKING:
    from apps.users.models import User

    from .models import ImportJob

T = TypeVar("T")

Published, Draft = ControlChange.ReviewState.PUBLISHED, ControlChange.ReviewState.DRAFT
MAX_ERRORS = 1000  # reported; the count says how many more
logger = logging.getLogger(__name__)
CHECK_ATTEMPTS = 3  # step 1 again when the places changed before step 2 could lock them


@dataclass
class Report:
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {"places": Counter(), "changes": Counter()}
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def errors_from(self, row: int, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for column, messages in error.message_dict.items():
                for message in messages:
                    self.error(row, None if column == "__all__" else column, message)
        else:
            for message in error.messages:
                self.error(row, None, message)

    def as_counts(self) -> dict[str, dict[str, int]]:
        return {kind: dict(counter) for kind, counter in self.counts.items() if counter}


RowError = CellError  # a row refused, naming its column (a cell's own errors are the same)


class Stale(Exception):
    """The places' stored changes moved between the checks and the write."""


def run(
    records: list[Record],
    *,
    theater: Theater | None,
    user: User | None,
    publish: bool,
    dry_run: bool,
) -> Report:
    """Check every record and, when all are valid and this is no dry run, write them."""
    for _attempt in range(CHECK_ATTEMPTS):
        report = Report()
        for record in records:
            for column, message in record.problems:
                report.error(record.row, column, message)
        refusal = access.publish_refusal(user, publish=publish)
        if refusal:
            report.error(None, None, refusal)
        context = Context(theater)
        places = PlaceImport(context, report, user=user)
        for record in records:
            if record.kind == "place" and not record.problems:
                places.check(record)
        changes = ChangeImport(context, report, user=user, publish=publish)
        changes.check([r for r in records if r.kind == "change" and not r.problems])
        if report.error_count or dry_run:
            return report
        try:
            with transaction.atomic():
                places.write()
                if report.error_count:  # refused by the services (seen only now)
                    transaction.set_rollback(True)
                    return report
                changes.write(places.created)
            return report
        except Stale:
            logger.info("Import checks ran again: the places changed meanwhile")
    report = Report()
    report.error(
        None,
        None,
        "The places of this file were edited while it was checked, "
        f"{CHECK_ATTEMPTS} times in a row; nothing was written. Upload it "
        "again in a quieter moment.",
    )
    return report


# --- Lookups ---------------------------------------------------------------------------------

CHUNK = 500  # ids per IN (...) list: SQLite allows a limited number of query parameters


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


class Context:
    """What rows refer to, indexed once per import."""

    def __init__(self, theater: Theater | None):
        self.theater = theater
        self.theaters = {t.slug: t for t in Theater.objects.all()}
        self.groups_by_id: dict[int, ArmedGroup] = {}
        self.groups_by_slug: dict[str, ArmedGroup] = {}
        self.groups_by_name: dict[str, list[ArmedGroup]] = defaultdict(list)
        for group in ArmedGroup.objects.all():
            self.groups_by_id[group.pk] = group
            self.groups_by_slug[group.slug] = group
            for name in {fold(n) for n in (group.name, group.short_name, *group.aliases) if n}:
                self.groups_by_name[name].append(group)
        self.sources_by_id: dict[int, Source] = {}
        self.sources_by_key: dict[str, Source] = {}
        self.sources_by_url: dict[str, list[Source]] = defaultdict(list)
        for source in Source.objects.all():
            self.sources_by_id[source.pk] = source
            if source.key:
                self.sources_by_key[source.key] = source
            if source.url:
                self.sources_by_url[source.url].append(source)
        self.places_by_slug: dict[str, Place] = {}
        # (theater id, folded name or alias) -> places; theaters are indexed when first needed
        self.places_by_name: dict[tuple[int, str], list[Place]] = defaultdict(list)
        self.indexed: set[int] = set()
        self.all_slugs = set(Place.objects.values_list("slug", flat=True))  # no query per miss
        if theater is not None:
            self.index_theater(theater)
        else:  # no theater given: names are looked up everywhere
            for t in self.theaters.values():
                self.index_theater(t)

    def index_theater(self, theater: Theater) -> None:
        if theater.pk in self.indexed:
            return
        self.indexed.add(theater.pk)
        for place in Place.objects.defer("area", "search_text").filter(theater=theater):
            self.remember_place(place)

    def remember_place(self, place: Place) -> None:
        self.places_by_slug[place.slug] = place
        self.all_slugs.add(place.slug)
        for name in {fold(n) for n in (place.name, *place.aliases)}:
            entries = self.places_by_name[(place.theater_id, name)]
            if all(p.pk != place.pk for p in entries):
                entries.append(place)

    def forget_place(self, place: Place) -> None:
        """Before re-indexing a place whose names or theater an import changed."""
        for key, entries in self.places_by_name.items():
            if any(p.pk == place.pk for p in entries):
                self.places_by_name[key] = [p for p in entries if p.pk != place.pk]

    def place_by_slug(self, slug: str) -> Place | None:
        place = self.places_by_slug.get(slug)
        if place is None and slug and slug in self.all_slugs:
            place = Place.objects.defer("area", "search_text").filter(slug=slug).first()
            if place is not None:
                self.places_by_slug[slug] = place
        return place

    def places_named(self, name: str, theater: Theater | None) -> list[Place]:
        key = fold(name)
        if theater is not None:
            self.index_theater(theater)
            return list(self.places_by_name.get((theater.pk, key), []))
        return [p for t in sorted(self.indexed) for p in self.places_by_name.get((t, key), [])]

    def place(self, value: str, column: str = "place") -> Place:
        """A change's place: by slug, else by name or alias in the import's theater."""
        place = self.place_by_slug(value)
        if place is not None:
            return place
        where = f" in {self.theater}" if self.theater else ""
        return _one(self.places_named(value, self.theater), column, value, "place", where=where)

    def group(self, value: str, column: str) -> ArmedGroup:
        return self.groups_by_slug.get(value) or _one(
            self.groups_by_name.get(fold(value), []), column, value, "group"
        )

    def groups(self, cell: str, column: str) -> list[ArmedGroup]:
        return [self.group(v, column) for v in split_cell(cell)]

    def source(self, value: str) -> Source:
        """By key, by URL, or ``source-<id>`` (how exports name a source without a key)."""
        found = self.sources_by_key.get(value)
        if found is None and value.startswith("source-") and value[7:].isdigit():
            by_id = self.sources_by_id.get(int(value[7:]))
            found = by_id if by_id is not None and not by_id.key else None
        return found or _one(
            self.sources_by_url.get(value, []),
            "sources",
            value,
            "source",
            hint=" (give the key or URL of an existing source)",
        )


def _one(
    found: list[T], column: str, value: str, noun: str, *, where: str = "", hint: str = ""
) -> T:
    if not found:
        raise RowError(column, f"Unknown {noun} {value!r}{where}{hint}.")
    if len(found) > 1:
        names = "; ".join(
            f"{o} ({getattr(o, 'slug', None) or getattr(o, 'key', '')})" for o in found
        )
        raise RowError(
            column, f"{value!r} matches {len(found)} {noun}s{where}: {names}. Use the slug."
        )
    return found[0]


# --- Places ----------------------------------------------------------------------------------


@dataclass
class PlannedPlace:
    """A place row that passed the checks: a place to create (``place`` has a provisional
    negative id) or fields to update on a stored one (``place`` is a checked copy)."""

    record: Record
    place: Place
    fields: dict[str, Any]
    original: Place | None = None  # the stored place, for updates


class PlaceImport:
    """Place rows: checked first (step 1), written through the services (step 2)."""

    def __init__(self, context: Context, report: Report, *, user: User | None):
        self.context, self.report, self.user = context, report, user
        self.planned: list[PlannedPlace] = []
        self.by_pk: dict[int, PlannedPlace] = {}
        self.created: dict[int, Place] = {}  # provisional id -> the place written

    def check(self, record: Record) -> None:
        """Create the place, or update what the row gives of a matching one (columns the
        file does not have are left as stored)."""
        v, context = record.values, self.context
        try:
            fields = place_fields(record, context)
            theater = None if fields["theater"] is MISSING else fields["theater"]
            if v.get("slug"):
                existing = context.place_by_slug(v["slug"])
            else:
                named = context.places_named(fields["name"], theater)
                existing = _one(named, "name", fields["name"], "place") if named else None
            if existing is None:
                self._check_new(record, fields, theater)
                return
            changed = _changed_place_fields(existing, fields)
            if not changed:
                self.report.counts["places"]["unchanged"] += 1
                return
            self._check_update(record, existing, changed)
            self.report.counts["places"]["updated"] += 1
        except RowError as error:
            self.report.error(record.row, error.column, error.message)
        except ValidationError as error:
            self.report.errors_from(record.row, error)
        except PermissionDenied as error:
            self.report.error(record.row, None, str(error))

    def _check_new(self, record: Record, fields: dict[str, Any], theater: Theater | None) -> None:
        fields = {k: val for k, val in fields.items() if val is not MISSING}
        fields["slug"] = fields.get("slug") or _free_slug(fields["name"], self.context)
        if theater is None:
            raise RowError("theater", "Give the theater (a column, or the import's).")
        if "location" not in fields:
            raise RowError("lat", "Give lat and lon (or a Point geometry).")
        place = Place(pk=-(len(self.planned) + 1), **_model_values(fields))
        rules.check_place(place, location=place.location, area=fields.get("area"))
        planned = PlannedPlace(record, place, fields)
        self.planned.append(planned)
        self.by_pk[place.pk] = planned
        self.report.counts["places"]["created"] += 1
        self.context.remember_place(place)

    def _check_update(self, record: Record, existing: Place, changed: dict[str, Any]) -> None:
        planned = self.by_pk.get(existing.pk)  # an earlier row of this file: one write
        checked = copy.copy(existing)
        for name, value in _model_values(changed).items():
            setattr(checked, name, value)
        rules.check_place(
            checked, location=checked.location, area=changed.get("area", checked.area)
        )
        if existing.pk > 0:
            roles.check_record_edit(
                recorder.current_user(),
                record=existing,
                public_use=lambda: services.published_use(existing),
            )
        self.context.forget_place(existing)
        self.context.remember_place(checked)
        if planned is None:
            planned = PlannedPlace(record, checked, dict(changed), original=existing)
            self.planned.append(planned)
            self.by_pk[existing.pk] = planned
        else:
            planned.place = checked
            planned.fields.update(changed)

    def write(self) -> None:
        """Updates one by one, then the new places in one bulk insert (10,000 places: seconds,
        not a minute of single inserts). If the bulk insert is refused (a slug taken since the
        checks ran), the new places are written one by one, so each refusal names its row."""
        updates = [p for p in self.planned if p.original is not None]
        new = [p for p in self.planned if p.original is None]
        for planned in updates:
            self._write_one(planned)
        if not new or self.report.error_count:
            return
        try:
            with transaction.atomic():
                created = services.places_bulk_create(
                    places=[Place(**_model_values(p.fields)) for p in new]
                )
        except (ValidationError, IntegrityError):
            logger.info("Import: the bulk insert of places was refused; one by one")
            for planned in new:
                self._write_one(planned)
            return
        for planned, place in zip(new, created, strict=True):
            self.created[planned.place.pk] = place

    def _write_one(self, planned: PlannedPlace) -> None:
        try:
            with transaction.atomic():
                if planned.original is None:
                    place = services.place_create(**planned.fields)
                    self.created[planned.place.pk] = place
                else:
                    services.place_update(place=planned.original, **planned.fields)
        except ValidationError as error:
            self.report.errors_from(planned.record.row, error)
        except PermissionDenied as error:
            self.report.error(planned.record.row, None, str(error))
        except IntegrityError as error:  # a slug taken by another writer since the checks
            self.report.error(planned.record.row, "slug", f"Refused by the database: {error}")


def _model_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Place fields as the model holds them (an area is a MultiPolygon)."""
    values = dict(fields)
    if isinstance(values.get("area"), Polygon):
        values["area"] = MultiPolygon(values["area"], srid=4326)
    return values


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # a column the file does not have: keep the stored value


def _free_slug(name: str, context: Context) -> str:
    """A slug for a new place named without one: its folded name, numbered if taken."""
    base = slugify(fold(name))[:90] or "place"
    slug, number = base, 1
    while slug in context.all_slugs:
        number += 1
        slug = f"{base}-{number}"
    return slug


def place_fields(record: Record, context: Context) -> dict[str, Any]:
    """The row's values as the services' arguments; MISSING for columns it does not have
    (new places then get the defaults)."""
    v = record.values
    has = v.__contains__
    theater: Theater | _Missing | None
    if v.get("theater"):
        theater = context.theaters.get(v["theater"])
        if theater is None:
            raise RowError("theater", f"Unknown theater {v['theater']!r}.")
    else:  # the import's theater; none: a match keeps its own, a new place needs one
        theater = context.theater if context.theater is not None else MISSING
    if not v.get("name"):
        raise RowError("name", "Give the place's name.")
    location: Point | _Missing = MISSING
    area: Polygon | MultiPolygon | _Missing | None = MISSING
    geometry = record.geometry
    if isinstance(geometry, Point):
        location = geometry
    elif isinstance(geometry, (Polygon, MultiPolygon)):
        area = geometry
    elif geometry is not None:
        raise RowError(
            "area",
            f"A place's geometry is a Point or a (Multi)Polygon, not a {geometry.geom_type}.",
        )
    elif has("area"):
        area = None  # an empty area cell: no area
    lat, lon = number_cell(v.get("lat", ""), "lat"), number_cell(v.get("lon", ""), "lon")
    if (lat is None) != (lon is None):
        raise RowError("lat" if lat is None else "lon", "Give both lat and lon.")
    if lat is not None:
        location = Point(lon, lat, srid=4326)
    elif location is MISSING and isinstance(area, (Polygon, MultiPolygon)):
        location = area.point_on_surface
    importance = whole_number_cell(v.get("importance", ""), "importance")
    return {
        "theater": theater,
        "name": v["name"],
        "slug": v.get("slug") or MISSING,
        "kind": v["kind"] if has("kind") else MISSING,
        "country": v["country"] if has("country") else MISSING,
        "aliases": split_cell(v["aliases"]) if has("aliases") else MISSING,
        "location": location,
        "area": area,
        "population": (
            whole_number_cell(v["population"], "population") if has("population") else MISSING
        ),
        "importance": (3 if importance is None else importance) if has("importance") else MISSING,
    }


def _changed_place_fields(place: Place, fields: dict[str, Any]) -> dict[str, Any]:
    """The given fields whose values differ from the stored place's (geometries compared to
    1e-7 degrees, as exported)."""
    changed = {}
    for name, value in fields.items():
        if value is MISSING:
            continue
        current = getattr(place, name)
        if name in ("location", "area"):
            wanted = MultiPolygon(value, srid=4326) if isinstance(value, Polygon) else value
            same = (current is None) == (wanted is None) and (
                current is None or current.equals_exact(wanted, tolerance=1e-7)
            )
        elif name == "theater":
            same = place.theater_id == value.pk
        else:
            same = current == value
        if not same:
            changed[name] = value
    return changed


# --- Changes ---------------------------------------------------------------------------------

# File columns that set a change's fields when present (an absent column keeps the stored
# value on an existing change, and the default on a new one).
OPTIONAL_CHANGE_COLUMNS = [
    "controller",
    "challengers",
    "supported_by",
    "date_precision",
    "confidence",
    "summary",
    "sources",
]


VALUE_FIELDS = ["date_precision", "status", "controller", "confidence", "summary", "review_state"]


@dataclass
class Stored:
    """A stored change, as read once for the whole import."""

    pk: int
    date: date
    values: dict[str, Any]  # date_precision, status, controller, confidence, summary, review_state
    many: dict[str, set[int]]  # challengers, supported_by, sources: sets of ids
    version: int


@dataclass
class Row:
    record: Record
    proposal: rules.ChangeProposal
    given: set[str]  # the optional columns the row has
    review_state: str | None  # as the row gives it, or None


class Timeline:
    """A place's changes, stored and staged, met in date order by the file's rows of that
    place (which come sorted by date): a row is checked against its neighbours only, the
    change already on its day, the latest change before it and the latest published one
    before it. That is all ``rules.check_change_neighbours`` compares a change with (one
    change a day; a draft against the change before it, a published change against the
    published one before it), so the checks are linear in the place's rows."""

    def __init__(self, stored: list[rules.Neighbour]):
        self.stored, self.next = stored, 0  # stored: in date order
        self.day: date | None = None
        self.current: rules.Neighbour | None = None  # the change on self.day
        self.previous: rules.Neighbour | None = None
        self.previous_published: rules.Neighbour | None = None

    def _passed(self, neighbour: rules.Neighbour) -> None:
        self.previous = neighbour
        if neighbour.review_state == Published:
            self.previous_published = neighbour

    def neighbours(self, day: date, *, excluding: int | None = None) -> list[rules.Neighbour]:
        """The changes a row on ``day`` is checked against, in date order (``day`` never
        goes back; ``excluding``: the id of the stored change the row edits)."""
        if self.day is None or day > self.day:
            if self.current is not None:
                self._passed(self.current)
                self.current = None
            stored = self.stored
            while self.next < len(stored) and stored[self.next].date < day:
                self._passed(stored[self.next])
                self.next += 1
            if self.next < len(stored) and stored[self.next].date == day:
                self.current = stored[self.next]
                self.next += 1
            self.day = day
        elif day < self.day:
            raise ValueError("A place's rows must come in date order.")
        found: list[rules.Neighbour] = []
        for neighbour in (self.previous_published, self.previous, self.current):
            if neighbour is None or any(neighbour is n for n in found):
                continue
            if excluding is None or neighbour.pk != excluding:
                found.append(neighbour)
        return found

    def put(self, neighbour: rules.Neighbour) -> None:
        """The change on the current day is now ``neighbour`` (a new row, or an edit)."""
        self.current = neighbour


@dataclass
class Edit:
    """A stored change the file edits: made through the services in step 2."""

    row: Row
    change: ControlChange
    version: int
    fields: dict[str, Any]


class ChangeImport:
    def __init__(self, context: Context, report: Report, *, user: User | None, publish: bool):
        self.context, self.report, self.user, self.publish = context, report, user, publish
        self.reviewer = roles.is_reviewer(user)
        self.timelines: dict[int, Timeline] = {}
        self.stored: dict[tuple[int, date], Stored] = {}
        self.read: set[tuple[int, int]] = set()  # (id, version) of the stored changes read
        self.new: list[rules.ChangeProposal] = []  # checked, written in step 2
        self.edits: list[Edit] = []

    def check(self, records: list[Record]) -> None:
        """Step 1: every row, with no transaction open (reads only)."""
        rows = []
        for record in records:
            try:
                rows.append(self.parse(record))
            except RowError as error:
                self.report.error(record.row, error.column, error.message)
        place_ids = {row.proposal.place.pk for row in rows}
        self.load_stored({pk for pk in place_ids if pk > 0})  # not the file's new places
        for pk in place_ids:
            self.timelines.setdefault(pk, Timeline([]))
        rows.sort(key=lambda row: (row.proposal.place.pk, row.proposal.date, row.record.row))
        for row in rows:
            try:
                existing = self.stored.get((row.proposal.place.pk, row.proposal.date))
                if existing is None:
                    self.stage_new(row)
                else:
                    self.stage_edit(existing, row)
            except RowError as error:
                self.report.error(row.record.row, error.column, error.message)
            except ValidationError as error:
                self.report.errors_from(row.record.row, error)

    def parse(self, record: Record) -> Row:
        v, c = record.values, self.context
        day = date_cell(v.get("date", ""), "date")
        if day is None:
            raise RowError("date", "Give the date (YYYY-MM-DD).")
        state = v.get("review_state") or None
        proposal = rules.ChangeProposal(
            place=c.place(v.get("place", "")),
            date=day,
            status=v.get("status", ""),
            controller=c.group(v["controller"], "controller") if v.get("controller") else None,
            challengers=c.groups(v.get("challengers", ""), "challengers"),
            supported_by=c.groups(v.get("supported_by", ""), "supported_by"),
            date_precision=v.get("date_precision") or ControlChange.DatePrecision.DAY,
            confidence=v.get("confidence") or ControlChange.Confidence.CONFIRMED,
            review_state=state or (Published if self.publish else Draft),
            sources=[c.source(s) for s in split_cell(v.get("sources", ""))],
            summary=v.get("summary", ""),
        )
        given = {column for column in OPTIONAL_CHANGE_COLUMNS if column in v}
        return Row(record, proposal, given, state)

    def load_stored(self, place_ids: set[int]) -> None:
        """The places' stored changes, as plain values (a re-import reads every one)."""
        groups = self.context.groups_by_id
        neighbours: dict[int, list[rules.Neighbour]] = {pk: [] for pk in place_ids}
        fields = [
            "pk",
            "place_id",
            "date",
            "date_precision",
            "status",
            "controller_id",
            "confidence",
            "summary",
            "review_state",
            "version",
        ]
        # row[3:9] are VALUE_FIELDS, in that order
        for chunk in _chunks(place_ids):
            many: dict[int, dict[str, set[int]]] = defaultdict(
                lambda: {"challengers": set(), "supported_by": set(), "sources": set()}
            )
            changes = ControlChange.objects.filter(place_id__in=chunk)
            for name, through, column in (
                ("challengers", ChangeChallenger, "group_id"),
                ("supported_by", ControlChange.supported_by.through, "armedgroup_id"),
                ("sources", ControlChange.sources.through, "source_id"),
            ):
                key = "change_id" if through is ChangeChallenger else "controlchange_id"
                rows = through.objects.filter(**{f"{key}__in": changes.values("pk")})
                for change_id, other_id in rows.values_list(key, column):
                    many[change_id][name].add(other_id)
            for row in changes.order_by("place_id", "date").values_list(*fields):
                pk, place_id, day, _, status, controller_id, _, _, review, version = row
                values = dict(zip(VALUE_FIELDS, row[3:9], strict=True))
                stored = Stored(pk, day, values, many[pk], version)
                self.stored[(place_id, day)] = stored
                self.read.add((pk, version))
                state = State(status, controller_id, frozenset(many[pk]["challengers"]))
                neighbours[place_id].append(
                    rules.Neighbour(pk, day, review, state, groups.get(controller_id))
                )
        for place_id, stored_neighbours in neighbours.items():
            self.timelines[place_id] = Timeline(stored_neighbours)

    def stage_new(self, row: Row) -> None:
        p = row.proposal
        if p.review_state == Published and not self.reviewer:
            raise RowError("review_state", access.REVIEWERS_PUBLISH)
        timeline = self.timelines[p.place.pk]
        rules.check_change(p, others=timeline.neighbours(p.date))
        self.new.append(p)
        timeline.put(rules.Neighbour(None, p.date, p.review_state, p.state, p.controller))
        self.report.counts["changes"]["created"] += 1

    def stage_edit(self, stored: Stored, row: Row) -> None:
        """The file has a change on a stored one's place and date: unchanged if what the row
        gives is what is stored, else an edit (checked against the file's other rows too,
        then made through the services in step 2; rare in bulk)."""
        p = row.proposal
        timeline = self.timelines[p.place.pk]
        others = timeline.neighbours(p.date, excluding=stored.pk)
        wanted: dict[str, Any] = {"status": p.status}
        for name in ("date_precision", "confidence", "summary"):
            if name in row.given:
                wanted[name] = getattr(p, name)
        if "controller" in row.given:
            wanted["controller"] = p.controller.pk if p.controller else None
        review = row.review_state or (Published if self.publish else None)
        if review:
            wanted["review_state"] = review
        fields = {k: v for k, v in wanted.items() if stored.values[k] != v}
        for name in ("challengers", "supported_by", "sources"):
            if (name in row.given or name == "challengers") and (
                {o.pk for o in getattr(p, name)} != stored.many[name]
            ):
                fields[name] = getattr(p, name)
        if "controller" in fields:
            fields["controller"] = p.controller
        if not fields:
            self.report.counts["changes"]["unchanged"] += 1
            return
        states = {stored.values["review_state"], fields.get("review_state")}
        if Published in states and not self.reviewer:
            raise RowError(
                "review_state",
                f"Change #{stored.pk} on this date is published: only a reviewer may change it.",
            )
        change = ControlChange.objects.select_related("place", "controller").get(pk=stored.pk)
        merged = rules.ChangeProposal(
            place=p.place,
            date=p.date,
            status=fields.get("status", change.status),
            controller=fields.get("controller", change.controller),
            challengers=list(fields.get("challengers", change.challengers.all())),
            supported_by=list(fields.get("supported_by", change.supported_by.all())),
            date_precision=fields.get("date_precision", change.date_precision),
            confidence=fields.get("confidence", change.confidence),
            review_state=fields.get("review_state", change.review_state),
            sources=list(fields.get("sources", change.sources.all())),
            summary=fields.get("summary", change.summary),
        )
        rules.check_change(merged, existing=change, others=others)
        self.edits.append(Edit(row, change, stored.version, fields))
        timeline.put(
            rules.Neighbour(stored.pk, p.date, merged.review_state, merged.state, merged.controller)
        )
        self.report.counts["changes"]["updated"] += 1

    def write(self, created: dict[int, Place]) -> None:
        """Step 2, in the import's transaction: ``created`` maps the provisional ids of the
        file's new places to the places written."""
        stored_places = {pk for pk in self.timelines if pk > 0}
        services.lock_places(stored_places)  # as every write: no concurrent edit slips in
        if self._read_again(stored_places) != self.read:
            raise Stale
        for edit in self.edits:
            with transaction.atomic():
                try:
                    services.control_change_update(
                        change=edit.change, version=edit.version, **edit.fields
                    )
                except services.StaleVersionError:
                    raise Stale from None
        for proposal in self.new:
            if proposal.place.pk < 0:
                proposal.place = created[proposal.place.pk]
        self.write_new()

    @staticmethod
    def _read_again(place_ids: set[int]) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        for chunk in _chunks(place_ids):
            changes = ControlChange.objects.filter(place_id__in=chunk)
            found.update(changes.values_list("pk", "version"))
        return found

    def write_new(self) -> None:
        services.control_changes_bulk_create(proposals=self.new, author=recorder.current_user())


# --- Jobs ------------------------------------------------------------------------------------


def run_job(job: ImportJob) -> None:
    """Run an ImportJob and store its report. Never leaves a partial write behind."""
    from django.utils import timezone

    from . import files
    from .parsing import FileProblem, parse

    job.status, job.started_at = job.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    if job.kind == job.Kind.AREAS:
        from .area_jobs import run_area_job

        run_area_job(job)
        return
    report = Report()
    try:
        try:
            with files.open_file(job.file) as handle:
                records = parse(handle, job.filename)
        except FileNotFoundError:
            raise FileProblem(
                "The uploaded file is no longer stored (purged); upload it again."
            ) from None
        note = f"import {job.filename} ({job.pk})"
        with recorder.acting(user=job.user, via=Revision.Via.IMPORT, note=note):
            report = run(
                records,
                theater=job.theater,
                user=job.user,
                publish=job.publish,
                dry_run=job.dry_run,
            )
    except FileProblem as problem:
        report.error(problem.row, problem.column, problem.message)
    except Exception as error:  # a bug or the database refusing: still a report, no write
        logger.exception("Import %s failed", job.pk)
        report = Report()
        report.error(
            None,
            None,
            f"The import stopped on an unexpected error "
            f"({type(error).__name__}); nothing was written.",
        )
    if report.error_count:
        report.counts = {}  # nothing was written
    job.counts, job.errors = report.as_counts(), report.errors
    job.status = job.Status.FAILED if report.error_count else job.Status.SUCCEEDED
    job.summary = summarize(report, dry_run=job.dry_run)
    job.finished_at = timezone.now()
    job.save(update_fields=["counts", "errors", "status", "summary", "finished_at"])


def summarize(report: Report, *, dry_run: bool) -> str:
    if report.error_count:
        first = report.errors[0]
        where = ", ".join(
            part
            for part in (
                f"row {first['row']}" if first["row"] else "",
                f"column {first['column']}" if first["column"] else "",
            )
            if part
        )
        more = f" (and {report.error_count - 1} more)" if report.error_count > 1 else ""
        return f"Nothing was written: {report.error_count} error(s); first: {where + ': ' if where else ''}{first['message']}{more}"  # noqa: E501
    parts = []
    for kind, counter in report.counts.items():
        if counter:
            detail = ", ".join(f"{n:,} {what}" for what, n in sorted(counter.items()))
            parts.append(f"{kind}: {detail}")
    verb = "Dry run, nothing written — would be" if dry_run else "Imported"
    return f"{verb}: {'; '.join(parts) or 'nothing to import'}."
