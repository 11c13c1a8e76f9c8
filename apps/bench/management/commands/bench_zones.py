"""Benchmark derived zones on the theater of this database.

    manage.py bench_zones --theater syria-iraq-2014-2019          # every zone day
    manage.py bench_zones --places 10000 --changes 100000 --sample 10   # synthetic, sampled

Prints: how many zone days the theater has; the time to compute one (median / p95 / max
over the computed days); the whole fill (measured, or estimated from the median when
sampled); the cached answer of ``GET /api/v1/zones/`` and of ``stats/control-series/`` with
areas, in process (median of repeated requests). Cached rows it computes are dropped at the end
unless ``--keep``.
"""

from __future__ import annotations

import random
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from apps.bench.figures import summary
from apps.bench.synthetic import synthetic_slug
from apps.territory.models import Theater
from apps.zones import compute
from apps.zones import selectors as zone_selectors
from apps.zones import services as zone_services
from apps.zones.models import ZoneSet


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def spread(seconds: list[float]) -> str:
    """median / p95 / max in milliseconds, as the other benchmarks print them."""
    return f"{summary([s * 1000 for s in seconds])} ms"


class Command(BaseCommand):
    help = "Measure derived zones: compute per zone day, whole fill, cached reads."

    def add_arguments(self, parser):
        parser.add_argument("--theater", help="slug of an existing theater")
        parser.add_argument("--places", type=int, default=10_000, help="synthetic theater")
        parser.add_argument("--changes", type=int, default=100_000, help="synthetic theater")
        parser.add_argument("--sample", type=int, default=0, help="zone days (0: all)")
        parser.add_argument("--reads", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the cached rows")

    def handle(self, *args, theater, places, changes, sample, reads, keep, **options):
        if not compute.available():
            raise CommandError("Derived zones need PostGIS: DATABASE_URL=postgis://...")
        if not theater:
            call_command("generate_synthetic", places=places, changes=changes, stdout=self.stdout)
            theater = synthetic_slug(places, changes, 8, 1)
        subject = Theater.objects.filter(slug=theater).first()
        if subject is None:
            raise CommandError(f"No theater {theater!r} in this database.")
        ZoneSet.objects.filter(theater=subject).delete()
        days = zone_selectors.zone_days(subject.pk)
        chosen = (
            days
            if not sample or sample >= len(days)
            else sorted(random.Random(1).sample(days, sample))
        )
        self.stdout.write(f"{subject.slug}: {len(days):,} zone days; computing {len(chosen):,}")

        took = []
        started = time.perf_counter()
        for number, day in enumerate(chosen, 1):
            begun = time.perf_counter()
            zone_services.fill_missing(subject.pk, days=[day])
            took.append(time.perf_counter() - begun)
            if number % 10 == 0 or number == len(chosen):
                self.stdout.write(f"  {number}/{len(chosen)} ({day}: {ms(took[-1])})")
        whole = time.perf_counter() - started

        client = Client(HTTP_HOST="127.0.0.1")
        day = chosen[len(chosen) // 2]
        zones_url = f"/api/v1/zones/?theater={subject.pk}&date={day}"
        series_url = f"/api/v1/stats/control-series/?theater={subject.pk}&interval=month"
        client.get(zones_url)  # warm
        zone_reads = [self.timed(client, zones_url) for _ in range(reads)]
        size = len(client.get(zones_url).content)

        self.stdout.write(f"\nDerived zones, {subject.slug} (PostGIS, this machine):")
        self.stdout.write(
            f"  zone days (days on which some place changes controller): {len(days):,}"
        )
        self.stdout.write(f"  compute one zone day: {spread(took)} ({len(took)} days)")
        if len(chosen) == len(days):
            self.stdout.write(f"  fill every zone day: {whole:.1f} s")
        else:
            estimate = statistics.median(took) * len(days)
            self.stdout.write(
                f"  fill every zone day: about {estimate / 60:.0f} min (estimated "
                f"from the median; workers do it in the background)"
            )
        self.stdout.write(f"  GET zones/ (cached): {spread(zone_reads)}; {size / 1024:.0f} KB")
        if len(chosen) == len(days):
            client.get(series_url)
            series_reads = [self.timed(client, series_url) for _ in range(reads)]
            self.stdout.write(
                f"  GET stats/control-series/ with areas (cached): {spread(series_reads)}"
            )
        if not keep:
            ZoneSet.objects.filter(theater=subject).delete()

    def timed(self, client, url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url}: HTTP {response.status_code}")
        return time.perf_counter() - started
