"""Read an uploaded file of places and/or changes into records, or say exactly why not.

CSV files use the reference dataset's columns (README): a file is a places file
(``slug, name, aliases, kind, country, lat, lon, population, importance, theater, area``) or
a changes file (``place, date, date_precision, status, controller, challengers,
supported_by, confidence, summary, sources``, plus an optional ``review_state``), told apart
by its header. GeoJSON is a FeatureCollection: features whose properties have a ``status``
are changes, the others places (their Point geometry is the location, a Polygon or
MultiPolygon their area with ``lat``/``lon`` properties for the point, or its centre).

Files are read from a binary file object in chunks: a CSV is checked for UTF-8 in one pass,
then read row by row. A GeoJSON document is parsed whole (JSON has no rows), so it is capped
at ``IMPORT_MAX_GEOJSON_BYTES``. CSV cells go through ``spreadsheet.original_cell``: the
quote that exports put before text a spreadsheet would run as a formula is taken off again.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry

from apps.territory.csv_tables import COLUMNS
from apps.territory.spreadsheet import original_cell

# The reference format's columns (``territory.csv_tables``, what the exports write); an import
# of changes may also say whether each is a draft or published.
PLACE_COLUMNS = COLUMNS["places"]
CHANGE_COLUMNS = [*COLUMNS["changes"], "review_state"]
REQUIRED = {
    "place": {"name", "kind", "country"},
    "change": {"place", "date", "status"},
}
csv.field_size_limit(1_000_000)  # one cell: a long summary or an area's WKT
CHUNK = 1024 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be read; ``row`` (1-based line) when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


@dataclass(slots=True)
class Record:
    kind: str  # "place" or "change"
    row: int  # CSV line number, or GeoJSON feature number (1-based)
    values: dict[str, str]
    geometry: GEOSGeometry | None = None
    problems: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)


def parse(source: BinaryIO | bytes, filename: str = "") -> list[Record]:
    """The records of a file (an open binary file, or bytes)."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    first = _check_text(handle)
    handle.seek(0)
    if filename.lower().endswith((".geojson", ".json")) or first == "{":
        return _parse_geojson(handle)
    return _parse_csv(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))


def _check_text(handle: BinaryIO) -> str:
    """Read the file once, in chunks: refuse an empty file, one that is not UTF-8, or one
    holding NUL characters, naming the line. Returns the first character that is not
    white space."""
    offset, line, carry, first = 0, 1, b"", ""
    while True:
        chunk = handle.read(CHUNK)
        data = carry + chunk
        if not data:
            break
        try:
            text, carry = data.decode("utf-8"), b""
        except UnicodeDecodeError as error:
            if chunk and error.reason == "unexpected end of data":  # split by the chunking
                text, carry = data[: error.start].decode("utf-8"), data[error.start :]
            else:
                raise FileProblem(
                    f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                    f"{offset + error.start}). Save it as UTF-8 (e.g. 'CSV UTF-8' in a "
                    "spreadsheet) and upload it again.",
                    row=line + data[: error.start].count(b"\n"),
                ) from None
        if "\x00" in text:
            row = line + text[: text.index("\x00")].count("\n")
            raise FileProblem("The file holds NUL characters: it is not a text file.", row=row)
        if not first:
            first = text.lstrip("\ufeff \t\r\n\f\v")[:1]
        line += text.count("\n")
        offset += len(data) - len(carry)
        if not chunk:
            break
    if not first:
        raise FileProblem("The file is empty.")
    return first


# --- CSV -------------------------------------------------------------------------------------


def _parse_csv(text: io.TextIOBase) -> list[Record]:
    reader = csv.reader(text, strict=True)
    try:
        header = [original_cell(h).strip() for h in next(reader)]
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    except csv.Error as error:
        raise FileProblem(f"Malformed CSV header: {error}.", row=1) from None
    kind = _kind_of(header)
    known = PLACE_COLUMNS if kind == "place" else CHANGE_COLUMNS
    unknown = [h for h in header if h not in known]
    if unknown:
        raise FileProblem(
            f"Unknown column(s) {', '.join(map(repr, unknown))}. A {kind}s file has the "
            f"columns {', '.join(known)}.",
            row=1,
        )
    if len(set(header)) != len(header):
        raise FileProblem("A column is named twice in the header.", row=1)
    missing = REQUIRED[kind] - set(header)
    if missing:
        raise FileProblem(f"Missing column(s): {', '.join(sorted(missing))}.", row=1)
    records = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise FileProblem(f"Malformed CSV: {error}.", row=reader.line_num) from None
        if not any(c.strip() for c in cells):
            continue  # blank line
        record = Record(kind, reader.line_num, {})
        if len(cells) != len(header):
            record.problems.append(
                (None, f"{len(cells)} cells where the header has {len(header)} columns.")
            )
        record.values = {h: original_cell(c).strip() for h, c in zip(header, cells, strict=False)}
        if kind == "place" and record.values.get("area"):
            record.geometry = _geometry(record, record.values["area"], "area")
        records.append(record)
    if not records:
        raise FileProblem("The file has a header but no rows.")
    return records


def _kind_of(header: list[str]) -> str:
    if {"status", "date"} <= set(header):
        return "change"
    if {"lat", "lon"} & set(header) or {"kind", "country"} <= set(header):
        return "place"
    raise FileProblem(
        "Cannot tell what the file holds: a changes file has the columns place, date, status, "
        "...; a places file slug, name, kind, country, lat, lon, ... (see the README).",
        row=1,
    )


def _geometry(record: Record, value: object, column: str) -> GEOSGeometry | None:
    try:
        text = value if isinstance(value, str) else json.dumps(value)
        geometry = GEOSGeometry(text, srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as error:
        record.problems.append((column, f"Not a valid geometry: {error}".strip()))
        return None
    if geometry.srid not in (None, 4326):
        record.problems.append((column, f"Give coordinates in EPSG:4326, not {geometry.srid}."))
        return None
    return geometry


# --- GeoJSON ---------------------------------------------------------------------------------


def _parse_geojson(handle: BinaryIO) -> list[Record]:
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size > settings.IMPORT_MAX_GEOJSON_BYTES:
        raise FileProblem(
            f"A GeoJSON import is read whole: it may have {settings.IMPORT_MAX_GEOJSON_BYTES:,} "
            f"bytes, this one has {size:,}. Split it, or import the changes as CSV."
        )
    try:
        document = json.loads(handle.read().decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        raise FileProblem(f"Not valid JSON: {error.msg}.", row=error.lineno) from None
    except (ValueError, RecursionError) as error:  # huge numbers, absurd nesting
        raise FileProblem(f"Not usable JSON: {str(error)[:200]}.") from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileProblem("A GeoJSON import is a FeatureCollection (or one Feature).")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise FileProblem("The FeatureCollection has no features.")
    records = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            problem = (None, "Not a Feature with properties.")
            records.append(Record("place", number, {}, problems=[problem]))
            continue
        kind = "change" if "status" in properties else "place"
        record = Record(kind, number, {})
        for key, value in properties.items():
            cell = _cell(value)
            if "\x00" in key or (cell is not None and "\x00" in cell):
                record.problems.append((None, "NUL characters are not allowed in properties."))
            elif cell is None:
                record.problems.append((key.replace("\x00", ""), "Give text, a number or a list."))
            else:
                record.values[key] = cell
        values = record.values
        known = PLACE_COLUMNS if kind == "place" else CHANGE_COLUMNS
        unknown = sorted(set(values) - set(known))
        if unknown:
            record.problems.append((None, f"Unknown propert(ies): {', '.join(unknown)}."))
        geometry = feature.get("geometry")
        if kind == "place" and geometry is not None:
            record.geometry = _geometry(record, geometry, "geometry")
        records.append(record)
    return records


def _cell(value: object) -> str | None:
    """Property values as CSV cells would hold them (lists joined with |); None for what a
    cell cannot hold (objects, nested lists)."""
    if value is None:
        return ""
    if isinstance(value, list):
        if any(isinstance(v, (list, dict)) for v in value):
            return None
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return None
    return str(value).strip()
