"""Load a dataset in Frontline's CSV format (the format of ``data/reference/``).

Five files, each with a header row; multi-valued cells are separated by ``|``:

- ``theaters.csv``: slug, name, start, end, min_lon, min_lat, max_lon, max_lat, description,
  reference_km2, reference_name (optional: the area shares of ground are of)
- ``groups.csv``: slug, name, short_name, aliases, color, kind, parent, founded, dissolved,
  description
- ``sources.csv``: key, url, title, publisher, published, archive_url
- ``places.csv``: slug, name, aliases, kind, country, lat, lon, population, importance,
  theater, area (WKT, optional)
- ``changes.csv``: place, date, date_precision, status, controller, challengers,
  supported_by, confidence, summary, sources (source keys)

Every row goes through the same services (and so the same validation) as any other write.
The load is all-or-nothing: the first invalid row aborts it with its file, line and field.
Every cell is read through ``spreadsheet.original_cell``, so a theater's CSV export (whose
cells went through ``safe_cell``) loads back with its original text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source, Theater
from apps.territory.spreadsheet import original_cell

from .cells import CellError, date_cell, number_cell, split_cell, whole_number_cell

M = TypeVar("M", bound=Model)
FILES = ("theaters", "groups", "sources", "places", "changes")
REQUIRED_COLUMNS = {
    "theaters": {"slug", "name", "start", "min_lon", "min_lat", "max_lon", "max_lat"},
    "groups": {"slug", "name"},
    "sources": {"key", "title"},
    "places": {"slug", "name", "kind", "country", "lat", "lon", "theater"},
    "changes": {"place", "date", "status"},
}


class DatasetError(Exception):
    """A row could not be loaded. Names the file, the line and the problem."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path.name}, line {line}: {message}")


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in self.counts.items())


Progress = Callable[[str, int, int], None]


def load_dataset(directory: Path, *, progress: Progress | None = None) -> LoadReport:
    directory = Path(directory)
    missing = [name for name in FILES if not (directory / f"{name}.csv").exists()]
    if missing:
        raise DatasetError(directory / f"{missing[0]}.csv", 0, "file not found")
    report = LoadReport()
    loaders = {
        "theaters": _load_theater,
        "groups": _load_group,
        "sources": _load_source,
        "places": _load_place,
        "changes": _load_change,
    }
    with transaction.atomic():
        context = _Context()
        for name in FILES:
            path = directory / f"{name}.csv"
            rows = list(_read_rows(path, REQUIRED_COLUMNS[name]))
            if name == "groups":
                rows = _parents_first(rows)
            if name == "changes":  # chronological per place, as an editor would enter them
                rows.sort(key=lambda item: (item[1]["place"], item[1]["date"]))
            for index, (line, row) in enumerate(rows, start=1):
                try:
                    loaders[name](row, context)
                except ValidationError as exc:
                    raise DatasetError(path, line, _describe(exc)) from exc
                except CellError as exc:
                    raise DatasetError(path, line, f"{exc.column}: {exc.message}") from exc
                except (KeyError, ValueError, TypeError, GEOSException) as exc:
                    raise DatasetError(path, line, str(exc)) from exc
                except DatabaseError as exc:  # a rule we do not check yet; still all-or-nothing
                    raise DatasetError(path, line, f"the database refused the row: {exc}") from exc
                if progress:
                    progress(name, index, len(rows))
            report.counts[name] = len(rows)
    return report


def _read_rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames:
            reader.fieldnames = [original_cell(name) for name in reader.fieldnames]
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise DatasetError(path, 1, f"missing column(s): {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: original_cell(v or "").strip() for k, v in row.items() if k}


def _parents_first(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    """Order group rows so every parent comes before its children, at any depth.

    Rows whose parent is not in the file keep their place (the parent may already exist, or
    the load reports it as unknown).
    """
    in_file = {row["slug"] for _, row in rows}
    ordered, pending = [], list(rows)
    placed: set[str] = set()
    while pending:
        ready = [
            item
            for item in pending
            if item[1].get("parent") not in in_file or item[1]["parent"] in placed
        ]
        if not ready:  # a cycle: let the loader report it on the first such row
            ordered.extend(pending)
            break
        ordered.extend(ready)
        placed.update(row["slug"] for _, row in ready)
        pending = [item for item in pending if item not in ready]
    return ordered


def _describe(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class _Context:
    """Lookups by slug/key, cached for the duration of one load."""

    def __init__(self) -> None:
        self.cache: dict[tuple[type[Model], str], Model] = {}

    def remember(self, obj: Theater | ArmedGroup | Source | Place, value: str) -> None:
        self.cache[(type(obj), value)] = obj

    def _get(self, model: type[M], lookup: str, value: str, column: str, noun: str) -> M:
        if (model, value) not in self.cache:
            found = model._default_manager.filter(**{lookup: value}).first()
            if found is None:
                raise ValidationError({column: f"Unknown {noun} {value!r}."})
            self.cache[(model, value)] = found
        return cast(M, self.cache[(model, value)])  # kept under its model

    def theater(self, slug: str) -> Theater:
        return self._get(Theater, "slug", slug, "theater", "theater")

    def group(self, slug: str, column: str) -> ArmedGroup:
        return self._get(ArmedGroup, "slug", slug, column, "group")

    def source(self, key: str) -> Source:
        return self._get(Source, "key", key, "sources", "source")

    def place(self, slug: str) -> Place:
        return self._get(Place, "slug", slug, "place", "place")


def _load_theater(row: dict[str, str], ctx: _Context) -> None:
    min_lon, min_lat, max_lon, max_lat = (
        number_cell(row[c], c, required=True) for c in ("min_lon", "min_lat", "max_lon", "max_lat")
    )
    bounds = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
    bounds.srid = 4326
    ctx.remember(
        services.theater_create(
            slug=row["slug"],
            name=row["name"],
            bounds=bounds,
            start_date=date_cell(row["start"], "start", required=True),
            end_date=date_cell(row.get("end", ""), "end"),
            description=row.get("description", ""),
            reference_km2=number_cell(row.get("reference_km2", ""), "reference_km2"),
            reference_name=row.get("reference_name", ""),
        ),
        row["slug"],
    )


def _load_group(row: dict[str, str], ctx: _Context) -> None:
    ctx.remember(
        services.group_create(
            slug=row["slug"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            aliases=split_cell(row.get("aliases", "")),
            color=row.get("color", ""),  # empty: a default colour-blind-safe one
            kind=row.get("kind") or ArmedGroup.Kind.NON_STATE,
            parent=ctx.group(row["parent"], "parent") if row.get("parent") else None,
            founded=date_cell(row.get("founded", ""), "founded"),
            dissolved=date_cell(row.get("dissolved", ""), "dissolved"),
            description=row.get("description", ""),
        ),
        row["slug"],
    )


def _load_source(row: dict[str, str], ctx: _Context) -> None:
    ctx.remember(
        services.source_create(
            key=row["key"],
            url=row.get("url", ""),
            title=row["title"],
            publisher=row.get("publisher", ""),
            published=date_cell(row.get("published", ""), "published"),
            archive_url=row.get("archive_url", ""),
        ),
        row["key"],
    )


def _load_place(row: dict[str, str], ctx: _Context) -> None:
    area = GEOSGeometry(row["area"], srid=4326) if row.get("area") else None
    ctx.remember(
        services.place_create(
            theater=ctx.theater(row["theater"]),
            slug=row["slug"],
            name=row["name"],
            aliases=split_cell(row.get("aliases", "")),
            kind=row["kind"],
            country=row["country"],
            location=Point(
                number_cell(row["lon"], "lon", required=True),
                number_cell(row["lat"], "lat", required=True),
                srid=4326,
            ),
            area=area,
            population=whole_number_cell(row.get("population", ""), "population"),
            importance=whole_number_cell(row.get("importance", ""), "importance") or 3,
        ),
        row["slug"],
    )


def _load_change(row: dict[str, str], ctx: _Context) -> None:
    services.control_change_create(
        place=ctx.place(row["place"]),
        date=date_cell(row["date"], "date", required=True),
        date_precision=row.get("date_precision") or ControlChange.DatePrecision.DAY,
        status=row["status"],
        controller=ctx.group(row["controller"], "controller") if row.get("controller") else None,
        challengers=[ctx.group(s, "challengers") for s in split_cell(row.get("challengers", ""))],
        supported_by=[
            ctx.group(s, "supported_by") for s in split_cell(row.get("supported_by", ""))
        ],
        confidence=row.get("confidence") or ControlChange.Confidence.CONFIRMED,
        summary=row.get("summary", ""),
        sources=[ctx.source(key) for key in split_cell(row.get("sources", ""))],
        review_state=ControlChange.ReviewState.PUBLISHED,
    )
