"""The record as CSV in the reference dataset's format (README: "The reference dataset and
its CSV format"), so what one instance exports another can import.

References are by slug (places, groups) and key (sources); a source without a key is given
``source-<id>`` in the export, the same in sources.csv and changes.csv. A theater's bounds
are written as their bounding box, which is what the format holds.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .models import ArmedGroup, ControlChange, Place, Source, Theater
from .selectors import DIGITS
from .spreadsheet import SafeWriter

COLUMNS = {
    "theaters": [
        "slug",
        "name",
        "start",
        "end",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "description",
    ],
    "groups": [
        "slug",
        "name",
        "short_name",
        "aliases",
        "color",
        "kind",
        "parent",
        "founded",
        "dissolved",
        "description",
    ],
    "sources": ["key", "url", "title", "publisher", "published", "archive_url"],
    "places": [
        "slug",
        "name",
        "aliases",
        "kind",
        "country",
        "lat",
        "lon",
        "population",
        "importance",
        "theater",
        "area",
    ],
    "changes": [
        "place",
        "date",
        "date_precision",
        "status",
        "controller",
        "challengers",
        "supported_by",
        "confidence",
        "summary",
        "sources",
    ],
}


def source_key(source: Source) -> str:
    return source.key or f"source-{source.pk}"


def _slugs(objects: Iterable[ArmedGroup]) -> str:
    return "|".join(o.slug for o in objects)


def change_rows(changes: Iterable[ControlChange]) -> Iterator[list[Any]]:
    for c in changes:
        yield [
            c.place.slug,
            c.date.isoformat(),
            c.date_precision,
            c.status,
            c.controller.slug if c.controller else "",
            _slugs(c.challengers.all()),
            _slugs(c.supported_by.all()),
            c.confidence,
            c.summary,
            "|".join(source_key(s) for s in c.sources.all()),
        ]


def changes_for_export(changes: QuerySet[ControlChange]) -> QuerySet[ControlChange]:
    return (
        changes.select_related("place", "controller")
        .prefetch_related("challengers", "supported_by", "sources")
        .order_by("place__slug", "date")
    )


def to_csv(columns: list[str], rows: Iterable[list[Any]]) -> str:
    """Every CSV file Frontline writes, its cells made safe for spreadsheets (spreadsheet.py)."""
    return "".join(csv_chunks(columns, rows))


def csv_chunks(
    columns: list[str], rows: Iterable[list[Any]], rows_per_chunk: int = 500
) -> Iterator[str]:
    """The CSV text in pieces of ``rows_per_chunk`` rows, for a streamed response."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(columns)
    for count, row in enumerate(rows, 1):
        writer.writerow("" if v is None else v for v in row)
        if count % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def changes_csv_stream(
    changes: QuerySet[ControlChange], name: str | None = None
) -> StreamingHttpResponse:
    """The changes as changes.csv, streamed: fetched and written a chunk at a time, so a
    whole theater's record never sits in memory (``changes/?format=csv``)."""
    rows = change_rows(changes.iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in csv_chunks(COLUMNS["changes"], rows)),
        content_type="text/csv; charset=utf-8",
    )
    if name:
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def changes_csv_response(changes: QuerySet[ControlChange], name: str) -> StreamingHttpResponse:
    """The selected changes as changes.csv (their places, groups and sources must exist where
    it is imported)."""
    return changes_csv_stream(changes_for_export(changes), name)


def theater_record(theaters: Iterable[Theater]) -> dict[str, str]:
    """The five CSV files of the theaters' published record: everything needed to load it
    into an empty instance (``manage.py load_reference --dir``)."""
    theaters = list(theaters)
    places = list(Place.objects.filter(theater__in=theaters).select_related("theater"))
    changes = list(
        changes_for_export(
            ControlChange.objects.filter(
                place__in=places, review_state=ControlChange.ReviewState.PUBLISHED
            )
        )
    )
    group_ids: set[int] = set()
    source_ids: set[int] = set()
    for change in changes:
        group_ids.update(g.pk for g in change.challengers.all())
        group_ids.update(g.pk for g in change.supported_by.all())
        if change.controller_id:
            group_ids.add(change.controller_id)
        source_ids.update(s.pk for s in change.sources.all())
    groups = _with_ancestors(group_ids)
    sources = Source.objects.filter(pk__in=source_ids).order_by("pk")
    return {
        "theaters.csv": to_csv(
            COLUMNS["theaters"],
            (
                [
                    t.slug,
                    t.name,
                    t.start_date.isoformat(),
                    t.end_date.isoformat() if t.end_date else "",
                    *[round(v, DIGITS) for v in t.bounds.extent],
                    t.description,
                ]
                for t in theaters
            ),
        ),
        "groups.csv": to_csv(
            COLUMNS["groups"],
            (
                [
                    g.slug,
                    g.name,
                    g.short_name,
                    "|".join(g.aliases),
                    g.color,
                    g.kind,
                    g.parent.slug if g.parent else "",
                    g.founded.isoformat() if g.founded else "",
                    g.dissolved.isoformat() if g.dissolved else "",
                    g.description,
                ]
                for g in groups
            ),
        ),
        "sources.csv": to_csv(
            COLUMNS["sources"],
            (
                [
                    source_key(s),
                    s.url,
                    s.title,
                    s.publisher,
                    s.published.isoformat() if s.published else "",
                    s.archive_url,
                ]
                for s in sources
            ),
        ),
        "places.csv": to_csv(
            COLUMNS["places"],
            (
                [
                    p.slug,
                    p.name,
                    "|".join(p.aliases),
                    p.kind,
                    p.country,
                    round(p.location.y, DIGITS),
                    round(p.location.x, DIGITS),
                    p.population,
                    p.importance,
                    p.theater.slug,
                    p.area.wkt if p.area else "",
                ]
                for p in sorted(places, key=lambda p: p.slug)
            ),
        ),
        "changes.csv": to_csv(COLUMNS["changes"], change_rows(changes)),
    }


def _with_ancestors(group_ids: set[int]) -> list[ArmedGroup]:
    groups = {g.pk: g for g in ArmedGroup.objects.filter(pk__in=group_ids).select_related("parent")}
    pending = {g.parent_id for g in groups.values() if g.parent_id} - set(groups)
    while pending:
        for group in ArmedGroup.objects.filter(pk__in=pending):
            groups[group.pk] = group
        pending = {g.parent_id for g in groups.values() if g.parent_id} - set(groups)
    return sorted(groups.values(), key=lambda g: g.slug)


def theater_record_response(theaters: Iterable[Theater]) -> HttpResponse:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in theater_record(theaters).items():
            archive.writestr(name, body)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return _attachment(buffer.getvalue(), "application/zip", f"frontline-record-{stamp}.zip")


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
