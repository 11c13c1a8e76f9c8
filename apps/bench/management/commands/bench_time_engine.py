"""Measure the selectors alone on a synthetic record, then roll everything back.

    manage.py bench_time_engine --places 5000 --changes 20

Builds the theater of ``generate_synthetic`` (``--changes`` per place) inside a transaction,
times the selectors for a whole-theater answer and for a 1°×1° bbox, and rolls back. Run it
with different --changes: the times for the same answer barely move, because the queries use
the period indexes rather than scanning the history.
"""

import time
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.bench.synthetic import synthetic_slug
from apps.territory import selectors
from apps.territory.models import Place, Theater


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time control_at / control_diff / place_history / control_series on synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--places", type=int, default=5000)
        parser.add_argument("--changes", type=int, default=20, help="Changes per place.")
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs per query.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, places: int, changes: int, repeat: int, seed: int, **options):
        if connection.vendor == "postgresql":
            # Earlier (rolled-back) runs leave dead index entries until autovacuum passes.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE territory_controlperiod, territory_controlchange")
        total = places * changes
        try:
            with transaction.atomic():
                call_command(
                    "generate_synthetic",
                    places=places,
                    changes=total,
                    groups=6,
                    seed=seed,
                    stdout=self.stdout,
                )
                theater = Theater.objects.get(slug=synthetic_slug(places, total, 6, seed))
                self.time_selectors(theater, repeat)
                raise Rollback
        except Rollback:
            self.stdout.write("(synthetic data rolled back)")

    def time_selectors(self, theater: Theater, repeat: int) -> None:
        on = date(2017, 6, 1)
        month_later = on + timedelta(days=30)
        small_bbox = (40.0, 33.0, 41.0, 34.0)
        place = Place.objects.filter(theater=theater).first()
        if place is None:
            raise CommandError(f"{theater} has no places.")
        self.stdout.write(f"\nTimings (median of {repeat}) on {connection.vendor}:")
        for label, call in [
            ("control_at, whole theater", lambda: selectors.control_at(on=on, theater=theater)),
            ("control_at, 1°x1° bbox", lambda: selectors.control_at(on=on, bbox=small_bbox)),
            (
                "control_diff, 30 days, whole theater",
                lambda: selectors.control_diff(from_date=on, to_date=month_later, theater=theater),
            ),
            ("place_history, one place", lambda: selectors.place_history(place=place)),
            (
                "control_series, 2014-2019 monthly",
                lambda: selectors.control_series(
                    theater=theater,
                    from_date=date(2014, 1, 1),
                    to_date=date(2019, 12, 1),
                    interval="month",
                ),
            ),
        ]:
            self.time(label, repeat, call)

    def time(self, label: str, repeat: int, call) -> None:
        timings, size = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            result = call()
            timings.append(time.perf_counter() - started)
            size = len(getattr(result, "dates", result))
        timings.sort()
        median_ms = timings[len(timings) // 2] * 1000
        self.stdout.write(f"  {label:<40} {median_ms:8.1f} ms   ({size} rows)")
