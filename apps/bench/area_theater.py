"""The map benchmark's theater with observed areas: a daily series of one group's ground (the
public DeepStateMap series when given, else a synthetic one of the same size: 769 days of
3,000 vertices, ``areas_synthetic``), a second, sparser assessor of the same group (every
tenth day of the same series), and places whose control is derived from the first layer and
published. Built once in the benchmark database and kept (rebuilt when another series is
asked for)."""

from __future__ import annotations

import random
import tarfile
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.contrib.gis.geos import Point, Polygon

from apps.areas.derive import derive_changes
from apps.areas.imports import import_series
from apps.areas.models import AreaLayer
from apps.areas.services import layer_delete
from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Theater

from . import areas_synthetic

SLUG = "bench-map-areas"
PLACES = 2_000
SPARSE_EVERY = 10


def ensure(series: str | None, say: Callable[[str], None]) -> str:
    """The theater's slug, once it holds the series named (None: the synthetic one)."""
    origin = series or f"synthetic {areas_synthetic.__name__}"
    theater = Theater.objects.filter(slug=SLUG).first()
    if (
        theater is not None
        and theater.description == origin
        and AreaLayer.objects.filter(theater=theater).count() == 2
    ):
        return SLUG
    if theater is not None:
        say(f"Rebuilding {SLUG} for {origin} ...")
        _delete(theater)
    with tempfile.TemporaryDirectory(prefix="bench-map-areas-") as folder:
        files = _files(series, Path(folder), say)
        theater = services.theater_create(
            name="Areas on the map (benchmark)",
            slug=SLUG,
            bounds=Polygon.from_bbox((20.0, 40.0, 45.0, 55.0)),
            start_date=date(2024, 7, 1),
            description=origin,
        )
        held, rest = (
            ArmedGroup.objects.filter(slug=slug).first()
            or services.group_create(name=name, slug=slug, kind="state", color=color)
            for slug, name, color in (
                ("bench-map-held", "Held side", "#c0392b"),
                ("bench-map-rest", "Other side", "#1f5fa8"),
            )
        )
        say(f"Importing {len(files)} days into {SLUG} ...")
        import_series(
            [str(f) for f in files],
            theater=theater,
            layer_slug="daily",
            group=held,
            complement=rest,
            assessor="Daily assessor",
            name="Held (daily)",
        )
        import_series(
            [str(f) for f in files[::SPARSE_EVERY]],
            theater=theater,
            layer_slug="sparse",
            group=held,
            assessor="Sparse assessor",
            name="Held (every tenth day)",
        )
    rng = random.Random(3)
    services.places_bulk_create(
        places=[
            Place(
                theater=theater,
                name=f"Town {n}",
                slug=f"{SLUG}-{n}",
                kind=Place.Kind.TOWN,
                country="UA",
                importance=rng.choice((1, 1, 1, 2, 2, 3, 4)),
                population=rng.randrange(500, 200_000),
                location=Point(rng.uniform(30.0, 40.0), rng.uniform(45.0, 52.0), srid=4326),
            )
            for n in range(PLACES)
        ]
    )
    report = derive_changes(
        layer=AreaLayer.objects.get(theater=theater, slug="daily"), publish=True
    )
    say(report.lines()[0])
    return SLUG


def _files(series: str | None, folder: Path, say: Callable[[str], None]) -> list[Path]:
    if series and series.endswith((".tar.xz", ".tar.gz", ".tar")):
        with tarfile.open(series) as archive:
            archive.extractall(folder, filter="data")
    elif series:
        folder = Path(series)
    else:
        say("Writing a synthetic series: 769 days of 3,000 vertices ...")
        areas_synthetic.write_series(folder, days=769, vertices=3000)
    return sorted(folder.rglob("*.geojson"))


def _delete(theater: Theater) -> None:
    services.control_changes_bulk_delete(
        changes=ControlChange.objects.filter(place__theater=theater)
    )
    for layer in AreaLayer.objects.filter(theater=theater):
        layer_delete(layer=layer)
    services.places_bulk_delete(places=Place.objects.filter(theater=theater))
    services.theater_delete(theater=theater)
