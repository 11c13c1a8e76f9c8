"""Build an export file: the theater's published record for GIS tools.

- ``geojson``: control on ``date`` (every place with its state), or else the published changes
  (``date_from``–``date_to`` if given), each at its place's point.
- ``csv``: the same rows as CSV (changes in the reference dataset's columns, re-importable).
- ``gpkg``: a GeoPackage with the layers ``places``, ``changes``, ``periods`` and, given a
  date, ``control`` and the derived ``zones`` (PostGIS) — written by GDAL's ogr2ogr, so QGIS
  opens it directly (dates as dates).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.areas import frontline
from apps.areas import geometry as area_geometry
from apps.areas.models import AreaVersion
from apps.territory import csv_tables, features, selectors
from apps.territory.models import ControlChange, ControlPeriod, Place
from apps.zones import selectors as zone_selectors
from apps.zones.features import zone_properties

from .models import ExportJob


class ExportError(Exception):
    pass


def _point(place) -> dict:
    return features.point_geometry(place.location)


def _collection(items: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": items}


def _feature(place, properties: dict) -> dict:
    """A feature at a place's point."""
    return {"type": "Feature", "geometry": _point(place), "properties": properties}


def place_features(job) -> list[dict]:
    places = Place.objects.filter(theater=job.theater).select_related("theater").defer("area")
    return [_feature(p, features.place_properties(p)) for p in places.order_by("slug")]


def changes_of(job):
    changes = ControlChange.objects.filter(
        place__theater=job.theater, review_state=ControlChange.ReviewState.PUBLISHED
    )
    if job.date_from:
        changes = changes.filter(date__gte=job.date_from)
    if job.date_to:
        changes = changes.filter(date__lte=job.date_to)
    return csv_tables.changes_for_export(changes)


def change_features(job) -> list[dict]:
    columns = csv_tables.COLUMNS["changes"]
    rows = []
    for change, row in _with_rows(changes_of(job)):
        properties = dict(zip(columns, row, strict=True))
        properties["place_name"] = change.place.name
        rows.append(_feature(change.place, properties))
    return rows


def _with_rows(changes):
    changes = list(changes)
    return zip(changes, csv_tables.change_rows(changes), strict=True)


def period_features(job) -> list[dict]:
    periods = selectors.periods_overlapping(
        job.date_from,
        job.date_to,
        ControlPeriod.objects.filter(place__theater=job.theater)
        .select_related("place", "controller")
        .prefetch_related("challengers")
        .order_by("place__slug", "start"),
    )
    return [_feature(p.place, features.period_properties(p)) for p in periods]


def control_features(job) -> list[dict]:
    states = selectors.control_at(on=job.date, theater=job.theater)
    return [
        _feature(s.place, features.control_properties(s, job.date))
        for s in sorted(states, key=lambda s: s.place.slug)
    ]


def zone_features(job) -> list[dict]:
    """The derived zones on the day (an estimate, labelled so in every feature)."""
    found = zone_selectors.zones_on(theater=job.theater, on=job.date)
    return [
        {
            "type": "Feature",
            "geometry": shape.geometry,
            "properties": zone_properties(found, shape),
        }
        for shape in found.shapes
    ]


def area_layers(job) -> dict[str, list[dict]]:
    """The observed areas: versions in force on the day (or overlapping the range, or all),
    and, for a day, the front line. Only when the theater has area layers."""
    versions = (
        AreaVersion.objects.filter(layer__theater=job.theater)
        .select_related("layer__group", "layer__complement", "source")
        .defer("gained", "lost")
        .order_by("layer__slug", "start")
    )
    if job.date:
        versions = selectors.in_force_on(versions, job.date)
    else:
        versions = selectors.in_force_during(versions, job.date_from, job.date_to)
    found = list(versions)
    if not found:
        return {}
    out = {
        "areas": [
            {
                "type": "Feature",
                "geometry": area_geometry.as_geojson(v.geometry, digits=6),
                "properties": {
                    "layer": v.layer.slug,
                    "group": v.layer.group.slug,
                    "complement": v.layer.complement.slug if v.layer.complement else None,
                    "assessor": v.layer.assessor,
                    "valid_from": str(v.start),
                    "valid_until": str(v.end) if v.end else None,
                    "area_km2": v.area_km2,
                    "gained_km2": v.gained_km2,
                    "lost_km2": v.lost_km2,
                    "source": v.source.title if v.source else None,
                },
            }
            for v in found
        ]
    }
    if job.date:
        line = frontline.front_between([v.geometry for v in found], job.theater.bounds)
        out["frontline"] = [
            {
                "type": "Feature",
                "geometry": area_geometry.as_geojson(line, digits=6),
                "properties": {"date": str(job.date), "length_km": frontline.length_km(line)},
            }
        ]
    return out


def _csv(items: list[dict]) -> str:
    columns = list(items[0]["properties"]) if items else ["place"]
    rows = (
        [
            *(feature["properties"].get(name) for name in columns),
            *feature["geometry"]["coordinates"],
        ]
        for feature in items
    )
    return csv_tables.to_csv([*columns, "lon", "lat"], rows)


def build(job: ExportJob) -> Path:
    """Write the export's file under EXPORT_ROOT; returns its path."""
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stem = f"{job.theater.slug}-{job.date or 'record'}-{str(job.pk)[:8]}"
    if job.format == ExportJob.Format.GPKG:
        layers = {
            "places": place_features(job),
            "changes": change_features(job),
            "periods": period_features(job),
        }
        layers.update(area_layers(job))
        if job.date:
            layers["control"] = control_features(job)
            # SpatiaLite: no derived zones
            with contextlib.suppress(zone_selectors.ZonesUnavailable):
                layers["zones"] = zone_features(job)
        target = root / f"{stem}.gpkg"
        _geopackage(target, layers)
        job.counts = {name: len(items) for name, items in layers.items()}
        return target
    if job.date:
        items, name = control_features(job), "control"
    else:
        items, name = change_features(job), "changes"
    job.counts = {name: len(items)}
    if job.format == ExportJob.Format.GEOJSON:
        target = root / f"{stem}.geojson"
        target.write_text(json.dumps(_collection(items), ensure_ascii=False))
    elif name == "changes":  # the reference dataset's columns: re-importable
        target = root / f"{stem}.csv"
        rows = csv_tables.change_rows(changes_of(job))
        target.write_text(csv_tables.to_csv(csv_tables.COLUMNS["changes"], rows))
    else:
        target = root / f"{stem}.csv"
        target.write_text(_csv(items))
    return target


def _geopackage(target: Path, layers: dict[str, list[dict]]) -> None:
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise ExportError("ogr2ogr (GDAL) is not installed on this worker.")
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, items) in enumerate(layers.items()):
            source = Path(tmp) / f"{name}.geojson"
            source.write_text(json.dumps(_collection(items), ensure_ascii=False))
            args = [
                ogr2ogr,
                "-f",
                "GPKG",
                str(target),
                str(source),
                "-nln",
                name,
                "-a_srs",
                "EPSG:4326",
            ]
            if index:
                args.insert(1, "-update")
            done = subprocess.run(args, capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise ExportError(f"ogr2ogr failed on {name}: {done.stderr.strip()[:500]}")


def run_job(job: ExportJob) -> None:
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        path = build(job)
    except Exception as error:  # reported on the job, never a half-written success
        job.status, job.error = ExportJob.Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
    else:
        job.status, job.file, job.size = ExportJob.Status.DONE, path.name, path.stat().st_size
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "file", "size", "counts", "finished_at"])
