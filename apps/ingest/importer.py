"""Import places and changes from an uploaded file: all or nothing, idempotent, every row
checked by the same rules as the forms, every problem reported with its row and column.

Places are written through the services one by one. Changes, which come by the hundred
thousand, are checked row by row with ``rules`` against their place's other changes held in
memory (stored ones and the file's earlier rows), then written in bulk: changes, their
groups and sources, their audit revisions, and the periods of the places they touch (rebuilt
by the same builder as every write).

Matching: a place by slug, else by name or alias (any spelling) within the import's theater;
a group by slug, else by name, short name or alias; a source by key, else by URL. A name that
matches more than one record is an error, never a guess. A row identical to what is stored is
"unchanged", so importing the same file twice changes nothing.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from apps.history import recorder
from apps.history.models import Revision
from apps.territory import rules, services, snapshots
from apps.territory.models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    Place,
    Source,
    Theater,
)
from apps.territory.search import fold
from apps.users import roles

from .parsing import Record

Published, Draft = ControlChange.ReviewState.PUBLISHED, ControlChange.ReviewState.DRAFT
MAX_ERRORS = 1000  # reported; the count says how many more
REVISION_BATCH = 5000


@dataclass
class Report:
    counts: dict[str, Counter] = field(
        default_factory=lambda: {"places": Counter(), "changes": Counter()}
    )
    errors: list[dict] = field(default_factory=list)
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


class RowError(Exception):
    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def run(records: list[Record], *, theater: Theater | None, user, publish: bool,
        dry_run: bool) -> Report:  # fmt: skip
    """Check every record and, when all are valid and this is no dry run, write them."""
    report = Report()
    for record in records:
        for column, message in record.problems:
            report.error(record.row, column, message)
    if publish and not roles.is_reviewer(user):
        report.error(None, None, "Only a reviewer may import published changes.")
    with transaction.atomic():
        context = Context(theater)
        places = [r for r in records if r.kind == "place" and not r.problems]
        for record in places:
            import_place(record, context, report)
        changes = [r for r in records if r.kind == "change" and not r.problems]
        ChangeImport(context, report, user=user, publish=publish).run(changes)
        if report.error_count or dry_run:
            transaction.set_rollback(True)
    return report


# --- Lookups ---------------------------------------------------------------------------------


class Context:
    """What rows refer to, indexed once per import."""

    def __init__(self, theater: Theater | None):
        self.theater = theater
        self.theaters = {t.slug: t for t in Theater.objects.all()}
        self.groups_by_slug: dict[str, ArmedGroup] = {}
        self.groups_by_name: dict[str, list[ArmedGroup]] = defaultdict(list)
        for group in ArmedGroup.objects.all():
            self.groups_by_slug[group.slug] = group
            for name in {group.name, group.short_name, *group.aliases} - {""}:
                self.groups_by_name[fold(name)].append(group)
        self.sources_by_key: dict[str, Source] = {}
        self.sources_by_url: dict[str, list[Source]] = defaultdict(list)
        for source in Source.objects.all():
            if source.key:
                self.sources_by_key[source.key] = source
            if source.url:
                self.sources_by_url[source.url].append(source)
        self.places_by_slug: dict[str, Place] = {}
        self.places_by_name: dict[str, list[Place]] = defaultdict(list)
        places = Place.objects.defer("area", "search_text")
        for place in places.filter(theater=theater) if theater else places:
            self.remember_place(place)

    def remember_place(self, place: Place) -> None:
        self.places_by_slug[place.slug] = place
        if self.theater is None or place.theater_id == self.theater.pk:
            for name in {place.name, *place.aliases}:
                entries = self.places_by_name[fold(name)]
                if place not in entries:
                    entries.append(place)

    def place(self, value: str, column: str = "place") -> Place:
        place = self.places_by_slug.get(value)
        if place is None and value:
            place = Place.objects.defer("area", "search_text").filter(slug=value).first()
            if place is not None:
                self.places_by_slug[value] = place
        if place is not None:
            return place
        return _one(self.places_by_name.get(fold(value), []), column, value, "place",
                    where=f" in {self.theater}" if self.theater else "")  # fmt: skip

    def group(self, value: str, column: str) -> ArmedGroup:
        return self.groups_by_slug.get(value) or _one(
            self.groups_by_name.get(fold(value), []), column, value, "group"
        )

    def groups(self, cell: str, column: str) -> list[ArmedGroup]:
        return [self.group(v, column) for v in _list(cell)]

    def source(self, value: str) -> Source:
        return self.sources_by_key.get(value) or _one(
            self.sources_by_url.get(value, []), "sources", value, "source",
            hint=" (give the key or URL of an existing source)",
        )  # fmt: skip


def _one(found: list, column: str, value: str, noun: str, *, where: str = "", hint: str = ""):
    if not found:
        raise RowError(column, f"Unknown {noun} {value!r}{where}{hint}.")
    if len(found) > 1:
        names = "; ".join(f"{o} ({getattr(o, 'slug', None) or getattr(o, 'key', '')})"
                          for o in found)  # fmt: skip
        raise RowError(column, f"{value!r} matches {len(found)} {noun}s{where}: {names}. "
                               "Use the slug.")  # fmt: skip
    return found[0]


def _list(cell: str) -> list[str]:
    return [v.strip() for v in (cell or "").split("|") if v.strip()]


def _date(value: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"{value!r} is not a date (YYYY-MM-DD).") from None


def _number(value: str, column: str, kind=float):
    if value == "":
        return None
    try:
        return kind(value.replace(",", "").replace("_", "") if kind is int else value)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise RowError(column, f"{value!r} is not {noun}.") from None


# --- Places ----------------------------------------------------------------------------------

PLACE_FIELDS = ["theater", "name", "slug", "kind", "country", "aliases", "location", "area",
                "population", "importance"]  # fmt: skip


def import_place(record: Record, context: Context, report: Report) -> None:
    v = record.values
    try:
        fields = place_fields(record, context)
        existing = context.places_by_slug.get(fields["slug"]) if fields.get("slug") else None
        if existing is None and not v.get("slug"):
            matches = context.places_by_name.get(fold(fields["name"]), [])
            existing = _one(matches, "name", fields["name"], "place") if matches else None
        with transaction.atomic():
            if existing is None:
                fields["slug"] = fields["slug"] or _free_slug(fields["name"], context)
                place = services.place_create(**fields)
                report.counts["places"]["created"] += 1
            else:
                changed = _changed_place_fields(existing, fields)
                if not changed:
                    report.counts["places"]["unchanged"] += 1
                    return
                place = services.place_update(place=existing, **changed)
                report.counts["places"]["updated"] += 1
        context.remember_place(place)
    except RowError as error:
        report.error(record.row, error.column, error.message)
    except ValidationError as error:
        report.errors_from(record.row, error)


def _free_slug(name: str, context: Context) -> str:
    """A slug for a new place named without one: its folded name, numbered if taken."""
    base = slugify(fold(name))[:90] or "place"
    slug, number = base, 1
    while slug in context.places_by_slug or Place.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def place_fields(record: Record, context: Context) -> dict:
    v = record.values
    theater = context.theaters.get(v["theater"]) if v.get("theater") else context.theater
    if theater is None:
        raise RowError("theater", f"Unknown theater {v.get('theater')!r}." if v.get("theater")
                       else "Give the theater (a column, or the import's theater).")  # fmt: skip
    area = None
    location = None
    geometry = record.geometry
    if isinstance(geometry, Point):
        location = geometry
    elif isinstance(geometry, (Polygon, MultiPolygon)):
        area = geometry
    elif geometry is not None:
        raise RowError("area", f"A place's geometry is a Point or a (Multi)Polygon, not a "
                               f"{geometry.geom_type}.")  # fmt: skip
    lat, lon = _number(v.get("lat", ""), "lat"), _number(v.get("lon", ""), "lon")
    if lat is not None and lon is not None:
        location = Point(lon, lat, srid=4326)
    elif location is None and area is not None:
        location = area.point_on_surface
    if location is None:
        raise RowError("lat", "Give lat and lon (or a Point geometry).")
    importance = _number(v.get("importance", ""), "importance", int)
    fields = {
        "theater": theater, "name": v.get("name", ""), "slug": v.get("slug", ""),
        "kind": v.get("kind", ""), "country": v.get("country", ""),
        "aliases": _list(v.get("aliases", "")), "location": location, "area": area,
        "population": _number(v.get("population", ""), "population", int),
        "importance": 3 if importance is None else importance,
    }  # fmt: skip
    return fields


def _changed_place_fields(place: Place, fields: dict) -> dict:
    """The fields whose values differ from the stored place's (geometries compared exactly,
    to 1e-7 degrees)."""
    changed = {}
    for name, value in fields.items():
        current = getattr(place, name)
        if name in ("location", "area"):
            if isinstance(value, Polygon):
                value = MultiPolygon(value, srid=4326)
            same = (current is None) == (value is None) and (
                current is None or current.equals_exact(value, tolerance=1e-7)
            )
        elif name == "slug" and not value:
            same = True  # matched by name; the slug stays
        else:
            same = current == value
        if not same:
            changed[name] = fields[name]
    return changed


# --- Changes ---------------------------------------------------------------------------------

COMPARED = ["date_precision", "status", "controller", "confidence", "summary", "review_state"]


class ChangeImport:
    def __init__(self, context: Context, report: Report, *, user, publish: bool):
        self.context, self.report, self.user, self.publish = context, report, user, publish
        self.reviewer = roles.is_reviewer(user)
        self.neighbours: dict[int, list[rules.Neighbour]] = {}
        self.stored: dict[tuple[int, date], ControlChange] = {}
        self.new: list[tuple[ControlChange, dict[str, list]]] = []
        self.touched: set[int] = set()

    def run(self, records: list[Record]) -> None:
        parsed = []
        for record in records:
            try:
                parsed.append((record, self.proposal(record)))
            except RowError as error:
                self.report.error(record.row, error.column, error.message)
        self.load_neighbours({p.place.pk for _, p in parsed})
        parsed.sort(key=lambda item: (item[1].place.pk, item[1].date, item[0].row))
        for record, proposal in parsed:
            try:
                self.check_and_stage(record, proposal)
            except RowError as error:
                self.report.error(record.row, error.column, error.message)
            except ValidationError as error:
                self.report.errors_from(record.row, error)
        if not self.report.error_count:
            self.write()

    def proposal(self, record: Record) -> rules.ChangeProposal:
        v, c = record.values, self.context
        day = _date(v.get("date", ""), "date")
        if day is None:
            raise RowError("date", "Give the date (YYYY-MM-DD).")
        state = v.get("review_state") or (Published if self.publish else Draft)
        if state == Published and not self.reviewer:
            raise RowError("review_state", "Only a reviewer may import published changes.")
        return rules.ChangeProposal(
            place=c.place(v.get("place", "")),
            date=day,
            status=v.get("status", ""),
            controller=c.group(v["controller"], "controller") if v.get("controller") else None,
            challengers=c.groups(v.get("challengers", ""), "challengers"),
            supported_by=c.groups(v.get("supported_by", ""), "supported_by"),
            date_precision=v.get("date_precision") or ControlChange.DatePrecision.DAY,
            confidence=v.get("confidence") or ControlChange.Confidence.CONFIRMED,
            review_state=state,
            sources=[c.source(s) for s in _list(v.get("sources", ""))],
            summary=v.get("summary", ""),
        )

    def load_neighbours(self, place_ids: set[int]) -> None:
        changes = (
            ControlChange.objects.filter(place_id__in=place_ids)
            .select_related("controller")
            .prefetch_related("challengers", "supported_by", "sources")
            .order_by("place_id", "date")
        )
        self.neighbours = {pk: [] for pk in place_ids}
        for change in changes:
            self.neighbours[change.place_id].append(rules.Neighbour.of(change))
            self.stored[(change.place_id, change.date)] = change

    def check_and_stage(self, record: Record, p: rules.ChangeProposal) -> None:
        existing = self.stored.get((p.place.pk, p.date))
        if existing is not None:
            self.update_existing(existing, p)
            return
        others = self.neighbours[p.place.pk]
        rules.check_change(p, others=others)
        change = ControlChange(
            place=p.place, date=p.date, date_precision=p.date_precision, status=p.status,
            controller=p.controller, confidence=p.confidence, summary=p.summary,
            review_state=p.review_state, author=recorder.current_user(),
        )  # fmt: skip
        many = {"challengers": p.challengers, "supported_by": p.supported_by,
                "sources": p.sources}  # fmt: skip
        self.new.append((change, many))
        neighbour = rules.Neighbour(None, p.date, p.review_state, p.state, p.controller)
        bisect.insort(others, neighbour, key=lambda n: n.date)
        self.report.counts["changes"]["created"] += 1
        if p.review_state == Published:
            self.touched.add(p.place.pk)

    def update_existing(self, existing: ControlChange, p: rules.ChangeProposal) -> None:
        """The file has a change on a stored one's place and date: unchanged if identical,
        else an edit through the services (rare in bulk)."""
        wanted = {name: getattr(p, name) for name in COMPARED}
        fields = {name: value for name, value in wanted.items() if getattr(existing, name) != value}
        for name in ("challengers", "supported_by", "sources"):
            if {o.pk for o in getattr(p, name)} != {o.pk for o in getattr(existing, name).all()}:
                fields[name] = getattr(p, name)
        if not fields:
            self.report.counts["changes"]["unchanged"] += 1
            return
        if Published in (existing.review_state, fields.get("review_state")) and not self.reviewer:
            raise RowError("review_state", f"Change #{existing.pk} on this date is published: "
                                           "only a reviewer may change it.")  # fmt: skip
        with transaction.atomic():
            updated = services.control_change_update(
                change=existing, version=existing.version, **fields
            )
        self.stored[(p.place.pk, p.date)] = updated
        self.neighbours[p.place.pk] = rules.neighbours_of(p.place)
        self.report.counts["changes"]["updated"] += 1

    def write(self) -> None:
        if not self.new:
            return
        changes = ControlChange.objects.bulk_create([c for c, _ in self.new], batch_size=5000)
        through = ControlChange.supported_by.through
        sources = ControlChange.sources.through
        ChangeChallenger.objects.bulk_create(
            (ChangeChallenger(change=c, group=g) for c, m in self.new for g in m["challengers"]),
            batch_size=10_000,
        )
        supporters = (
            through(controlchange=c, armedgroup=g) for c, m in self.new for g in m["supported_by"]
        )
        through.objects.bulk_create(supporters, batch_size=10_000)
        sources.objects.bulk_create(
            (sources(controlchange=c, source=s) for c, m in self.new for s in m["sources"]),
            batch_size=10_000,
        )
        services.place_periods_rebuild_many(place_ids=self.touched)
        for first in range(0, len(self.new), REVISION_BATCH):  # a batch at a time: memory
            revisions = []
            for change, many in self.new[first : first + REVISION_BATCH]:
                data, labels = snapshots.snapshot(change, many=many)
                revisions.append(recorder.build(change, action=Revision.Action.CREATED,
                                                data=data, labels=labels))  # fmt: skip
            recorder.record_many(revisions)
        assert len(changes) == len(self.new)


# --- Jobs ------------------------------------------------------------------------------------


def run_job(job) -> None:
    """Run an ImportJob and store its report. Never leaves a partial write behind."""
    from django.utils import timezone

    from .parsing import FileProblem, parse

    job.status, job.started_at = job.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    report = Report()
    try:
        records = parse(bytes(job.content), job.filename)
    except FileProblem as problem:
        report.error(problem.row, problem.column, problem.message)
    else:
        note = f"import {job.filename} ({job.pk})"
        with recorder.acting(user=job.user, via=Revision.Via.IMPORT, note=note):
            report = run(records, theater=job.theater, user=job.user, publish=job.publish,
                         dry_run=job.dry_run)  # fmt: skip
    job.counts, job.errors = report.as_counts(), report.errors
    job.status = job.Status.FAILED if report.error_count else job.Status.SUCCEEDED
    job.summary = summarize(report, dry_run=job.dry_run)
    job.finished_at = timezone.now()
    job.save(update_fields=["counts", "errors", "status", "summary", "finished_at"])


def summarize(report: Report, *, dry_run: bool) -> str:
    if report.error_count:
        first = report.errors[0]
        where = ", ".join(
            part for part in (f"row {first['row']}" if first["row"] else "",
                              f"column {first['column']}" if first["column"] else "") if part
        )  # fmt: skip
        more = f" (and {report.error_count - 1} more)" if report.error_count > 1 else ""
        return f"Nothing was written: {report.error_count} error(s); first: {where + ': ' if where else ''}{first['message']}{more}"  # noqa: E501
    parts = []
    for kind, counter in report.counts.items():
        if counter:
            detail = ", ".join(f"{n:,} {what}" for what, n in sorted(counter.items()))
            parts.append(f"{kind}: {detail}")
    verb = "Dry run, nothing written — would be" if dry_run else "Imported"
    return f"{verb}: {'; '.join(parts) or 'nothing to import'}."
