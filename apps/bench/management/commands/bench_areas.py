"""Benchmark observed areas: import a daily series, then time the reads of it.

    manage.py bench_areas [--series PATH] [--days 769] [--vertices 3000] [--repeat 15]

PATH: a folder, ZIP or ``.tar.xz`` of daily GeoJSON files (the public DeepStateMap series:
``AREAS_SERIES=../shared/samples/deepstate-series.tar.xz make bench-areas``); without it, a
synthetic series of the same size (``apps.bench.areas_synthetic``). Into a ``bench-areas``
theater of its own (replaced on each run); the reads go through the whole stack in this
process (middleware, views, JSON, gzip), answers not kept, and print median and p95 with
their targets, on whichever database ``DATABASE_URL`` names.
"""

from __future__ import annotations

import gzip
import random
import statistics
import tarfile
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point, Polygon
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from apps.areas import selectors
from apps.areas.derive import derive_changes
from apps.areas.imports import import_series
from apps.areas.models import AreaLayer
from apps.areas.services import layer_delete
from apps.bench import areas_synthetic
from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Theater

SLUG = "bench-areas"
ZOOM = 6  # a 1280-pixel-wide map of Ukraine


class Command(BaseCommand):
    help = "Import a daily series of areas, then time areas/, areas/diff/ and the series."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--series", help="A folder, ZIP or .tar.xz of daily GeoJSON files.")
        parser.add_argument("--days", type=int, default=769)
        parser.add_argument("--vertices", type=int, default=3000)
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--places", type=int, default=4000, help="For derive_changes.")

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = options["repeat"]
        with tempfile.TemporaryDirectory(prefix="bench-areas-") as folder:
            path = self.series(
                options["series"], Path(folder), options["days"], options["vertices"]
            )
            theater, group, complement = self.setup()
            self.stdout.write(f"Importing {path} into {SLUG} ({connection.vendor}) ...")
            started = time.perf_counter()
            summary = import_series(
                [str(path)],
                theater=theater,
                layer_slug="front",
                group=group,
                complement=complement,
                assessor="Benchmark",
                progress=lambda line: self.stdout.write(line) if "00/" in line else None,
            )
            import_s = time.perf_counter() - started
        for line in summary.lines()[:2]:
            self.stdout.write(line)
        layer = AreaLayer.objects.get(theater=theater, slug="front")
        first = selectors.first_day(theater)
        last = selectors.last_day(theater)
        assert first is not None and last is not None
        middle = first + (last - first) / 2
        client = Client(HTTP_HOST="127.0.0.1")
        base = f"theater={SLUG}"
        month = f"from={middle:%Y-%m-%d}&to={middle + timedelta(days=30):%Y-%m-%d}"
        rows = [
            ("areas/?date= (zoom 6)", f"/api/v1/areas/?{base}&date={middle}&zoom={ZOOM}", 50),
            ("areas/?date= (full)", f"/api/v1/areas/?{base}&date={middle}", None),
            ("areas/diff/ (a month)", f"/api/v1/areas/diff/?{base}&{month}", 200),
            ("stats/area-series/ (monthly, all)", f"/api/v1/stats/area-series/?{base}", 100),
            ("frontline/?date=", f"/api/v1/frontline/?{base}&date={middle}", 200),
        ]
        results = []
        with override_settings(ANSWER_CACHE=False):
            for name, url, target in rows:
                timings, size, zipped = self.time(client, url, repeat)
                results.append((name, timings, size, zipped, target))
        self.stdout.write(
            f"\nObserved areas, {connection.vendor}: {summary.days:,} days, "
            f"{layer.versions.count():,} versions"
        )
        target_s = 180
        self.stdout.write(f"{'import':<36}{import_s:>9.1f} s   (target < {target_s} s)")
        self.stdout.write(f"{'read':<36}{'median ms':>10}{'p95 ms':>9}{'raw KB':>9}{'gzip KB':>9}")
        for name, timings, size, zipped, target in results:
            ordered = sorted(timings)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            aim = f"   (target < {target} ms)" if target else ""
            self.stdout.write(
                f"{name:<36}{statistics.median(ordered):>10.1f}{p95:>9.1f}"
                f"{size / 1024:>9.1f}{zipped / 1024:>9.1f}{aim}"
            )
        self.stdout.write("areas/ at the theater's zoom: target < 40 KB gzipped")
        self.places(theater, options["places"])
        started = time.perf_counter()
        derived = derive_changes(layer=layer)
        derive_s = time.perf_counter() - started
        self.stdout.write(
            f"{'derive_changes (' + str(options['places']) + ' places)':<36}{derive_s:>9.1f} s   "
            f"(target < 60 s): {derived.lines()[0]}"
        )

    def places(self, theater: Theater, count: int) -> None:
        """``count`` places spread over the theater (kept between runs)."""
        have = Place.objects.filter(theater=theater).count()
        if have >= count:
            return
        rng = random.Random(7)
        xmin, ymin, xmax, ymax = theater.bounds.extent
        services.places_bulk_create(
            places=[
                Place(
                    theater=theater,
                    name=f"Bench place {n}",
                    slug=f"bench-areas-{n}",
                    kind=Place.Kind.VILLAGE,
                    country="UA",
                    location=Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326),
                )
                for n in range(have, count)
            ]
        )

    def series(self, given: str | None, folder: Path, days: int, vertices: int) -> Path:
        if given and given.endswith((".tar.xz", ".tar.gz", ".tar")):
            with tarfile.open(given) as archive:
                archive.extractall(folder, filter="data")
            return folder
        if given:
            return Path(given)
        self.stdout.write(f"Writing a synthetic series: {days} days of {vertices} vertices ...")
        areas_synthetic.write_series(folder, days=days, vertices=vertices)
        return folder

    def setup(self) -> tuple[Theater, ArmedGroup, ArmedGroup]:
        theater = Theater.objects.filter(slug=SLUG).first()
        if theater is not None:
            services.control_changes_bulk_delete(
                changes=ControlChange.objects.filter(place__theater=theater)
            )
            for layer in AreaLayer.objects.filter(theater=theater):
                layer_delete(layer=layer)
        else:
            theater = services.theater_create(
                name="Areas benchmark",
                slug=SLUG,
                bounds=Polygon.from_bbox((20.0, 40.0, 45.0, 55.0)),
                start_date=date(2022, 2, 24),
                reference_km2=603_550,
                reference_name="Ukraine",
            )
        groups = []
        for slug in ("bench-areas-held", "bench-areas-rest"):
            group = ArmedGroup.objects.filter(slug=slug).first()
            groups.append(group or services.group_create(name=slug, slug=slug, kind="state"))
        return theater, groups[0], groups[1]

    @staticmethod
    def time(client: Client, url: str, repeat: int) -> tuple[list[float], int, int]:
        client.get(url)  # warm-up
        timings = []
        body = b""
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.content[:300])
            body = response.content
        raw = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
        return (
            timings,
            len(raw),
            len(gzip.compress(raw)) if response.get("Content-Encoding") != "gzip" else len(body),
        )
