"""Reading snapshot series from files: one GeoJSON a day, a folder or ZIP of them, one
GeoJSON whose features carry a date, or a GeoPackage/Shapefile with a date field (GDAL).

A day's date comes from the feature's ``date`` property, else from the file name
(``deepstatemap_data_20241002.geojson``, ``2024-10-02.geojson``). Several features of one day
are one ground (their union). What cannot be read is reported by file, never guessed.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry

from . import geometry as geo

GEOJSON = (".geojson", ".json")
GDAL_FORMATS = (".gpkg", ".shp")
DAY_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


@dataclass(frozen=True)
class Found:
    day: date
    ground: geo.Ground
    origin: str


@dataclass
class Series:
    days: list[Found] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (origin, message)
    files: int = 0


def read(paths: list[str], *, date_field: str = "date") -> Series:
    series = Series()
    pieces: dict[date, list[tuple[geo.Ground, str]]] = {}
    for origin, opened in _files(paths, series):
        series.files += 1
        try:
            for day, ground in opened(date_field):
                pieces.setdefault(day, []).append((ground, origin))
        except (geo.GeometryError, ValueError, OSError) as error:
            series.problems.append((origin, str(error)))
    for day in sorted(pieces):
        grounds = pieces[day]
        origin = ", ".join(sorted({o for _, o in grounds}))
        if len(grounds) == 1:
            series.days.append(Found(day, grounds[0][0], origin))
            continue
        union: GEOSGeometry = grounds[0][0].geometry
        for ground, _ in grounds[1:]:
            union = union.union(ground.geometry)
        repaired = "; ".join(g.repaired for g, _ in grounds if g.repaired)
        series.days.append(Found(day, geo.Ground(geo.polygonal(union), repaired), origin))
    return series


def _files(paths: list[str], series: Series) -> Iterator[tuple[str, Reader]]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            members = sorted(p for p in path.iterdir() if p.suffix.lower() in GEOJSON)
            if not members:
                series.problems.append((name, "No GeoJSON files in this folder."))
            for member in members:
                yield member.name, _geojson_reader(member.read_bytes(), member.name)
        elif path.suffix.lower() == ".zip":
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                series.problems.append((name, f"Not a readable ZIP: {error}"))
                continue
            with archive:
                names = sorted(m for m in archive.namelist() if Path(m).suffix.lower() in GEOJSON)
                if not names:
                    series.problems.append((name, "No GeoJSON files in this ZIP."))
                for entry in names:
                    yield entry, _geojson_reader(archive.read(entry), Path(entry).name)
        elif path.suffix.lower() in GDAL_FORMATS:
            yield path.name, _gdal_reader(path)
        elif path.suffix.lower() in GEOJSON:
            try:
                content = path.read_bytes()
            except OSError as error:
                series.problems.append((name, str(error)))
                continue
            yield path.name, _geojson_reader(content, path.name)
        else:
            series.problems.append(
                (name, "Give GeoJSON files, a folder or ZIP of them, or a GeoPackage or Shapefile.")
            )


def day_in_name(name: str) -> date | None:
    for match in reversed(list(DAY_IN_NAME.finditer(Path(name).stem))):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def _day(value: Any, name: str) -> date:
    if value not in (None, ""):
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            raise ValueError(f"Unreadable date {value!r} (use YYYY-MM-DD).") from None
    day = day_in_name(name)
    if day is None:
        raise ValueError("No date: give features a date property, or a date in the file name.")
    return day


Reader = Callable[[str], Iterator[tuple[date, geo.Ground]]]


def _geojson_reader(content: bytes, name: str) -> Reader:
    def read_days(date_field: str) -> Iterator[tuple[date, geo.Ground]]:
        try:
            document = json.loads(content)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"Not JSON: {error}") from None
        if not isinstance(document, dict):
            raise ValueError("Not a GeoJSON object.")
        geo.check_crs(document)
        if document.get("type") == "FeatureCollection":
            features = document.get("features") or []
        elif document.get("type") == "Feature":
            features = [document]
        else:
            features = [{"type": "Feature", "properties": {}, "geometry": document}]
        if not features:
            raise ValueError("No features.")
        for feature in features:
            properties = feature.get("properties") or {}
            yield _day(properties.get(date_field), name), geo.ground_of(feature.get("geometry"))

    return read_days


def _gdal_reader(path: Path) -> Reader:
    def read_days(date_field: str) -> Iterator[tuple[date, geo.Ground]]:
        from django.contrib.gis.gdal import DataSource, GDALException

        try:
            source = DataSource(str(path))
        except GDALException as error:
            raise ValueError(f"GDAL cannot read it: {error}") from None
        for layer in source:  # type: ignore[attr-defined]  # a DataSource is a sequence
            if date_field not in layer.fields:
                raise ValueError(f"Layer {layer.name!r} has no {date_field!r} field.")
            for feature in layer:
                geometry = feature.geom
                if geometry.srid not in (None, 4326):
                    geometry.transform(4326)
                value = feature.get(date_field)
                yield _day(value, path.name), geo.ground_of(json.loads(geometry.json))

    return read_days
