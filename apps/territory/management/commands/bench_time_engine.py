"""Measure the time engine on a large synthetic record, then roll everything back.

    manage.py bench_time_engine --places 5000 --changes 20

Builds a synthetic theater (places on a grid, groups taking turns), rebuilds every place's
periods with the service used by real writes, then times the selectors for a whole-theater
answer and for a small bbox. Run it twice with different --changes: the times for the same
answer should barely move, because the queries use the period indexes rather than scanning
the history. Nothing is kept: the work happens in a transaction that is rolled back.
"""

import random
import time
from datetime import date, timedelta

from django.contrib.gis.geos import Point, Polygon
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.territory import selectors, services
from apps.territory.models import (
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    Place,
)


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
        try:
            with transaction.atomic():
                self.run(places, changes, repeat, random.Random(seed))
                raise Rollback
        except Rollback:
            self.stdout.write("(synthetic data rolled back)")

    def run(self, n_places: int, n_changes: int, repeat: int, rng: random.Random) -> None:
        started = time.monotonic()
        theater = services.theater_create(
            name="Synthetic", slug="bench-synthetic", start_date=date(2000, 1, 1),
            bounds=Polygon.from_bbox((30.0, 25.0, 50.0, 40.0)),
        )  # fmt: skip
        groups = [
            services.group_create(name=f"Bench {i}", slug=f"bench-{i}", color=f"#{i * 40:02x}4060")
            for i in range(6)
        ]
        side = int(n_places**0.5) + 1
        places = Place.objects.bulk_create(
            Place(
                theater=theater, name=f"P{i}", slug=f"bench-p{i}", kind="town", country="SY",
                location=Point(30.5 + 19 * (i % side) / side, 25.5 + 14 * (i // side) / side),
                population=rng.randint(100, 100_000),
            )
            for i in range(n_places)
        )  # fmt: skip
        self.progress(f"{n_places} places", started)

        day0 = date(2000, 1, 1)
        span = (date(2019, 12, 31) - day0).days
        rows, challengers = [], []
        for place in places:
            days = sorted(rng.sample(range(span), n_changes))
            holder = rng.randrange(len(groups))
            for offset in days:
                holder = (holder + rng.randrange(1, len(groups))) % len(groups)
                contested = rng.random() < 0.2
                rows.append(
                    ControlChange(
                        place=place, date=day0 + timedelta(days=offset),
                        status="contested" if contested else "controlled",
                        controller=groups[holder], review_state="published",
                    )
                )  # fmt: skip
                challengers.append(groups[(holder + 1) % len(groups)] if contested else None)
        created = ControlChange.objects.bulk_create(rows, batch_size=5000)
        ChangeChallenger.objects.bulk_create(
            (
                ChangeChallenger(change=c, group=g)
                for c, g in zip(created, challengers, strict=True)
                if g
            ),
            batch_size=5000,
        )
        self.progress(f"{len(created)} changes", started)
        self.analyze()  # as autovacuum would after a bulk load; else the planner sees empty tables
        for i, place in enumerate(places, start=1):
            services.place_periods_rebuild(place=place)
            if i % 500 == 0:
                # Inside one transaction autovacuum cannot see the new rows; without fresh
                # statistics the planner keeps treating the periods table as empty.
                self.analyze()
                self.progress(f"periods rebuilt for {i}/{n_places} places", started, end="\r")
        self.progress(f"{ControlPeriod.objects.count()} periods", started)
        self.analyze()

        on = date(2015, 6, 1)
        small_bbox = (35.0, 30.0, 36.0, 31.0)
        self.stdout.write(f"\nTimings (median of {repeat}) on {connection.vendor}:")
        self.time(
            "control_at, whole theater",
            repeat,
            lambda: selectors.control_at(on=on, theater=theater),
        )
        self.time(
            "control_at, 1°x1° bbox", repeat, lambda: selectors.control_at(on=on, bbox=small_bbox)
        )
        month_later = on + timedelta(days=30)
        self.time(
            "control_diff, 30 days, whole theater",
            repeat,
            lambda: selectors.control_diff(from_date=on, to_date=month_later, theater=theater),
        )
        self.time(
            "place_history, one place", repeat, lambda: selectors.place_history(place=places[0])
        )
        self.time(
            "control_series, 2000-2019 monthly", repeat,
            lambda: selectors.control_series(
                theater=theater, from_date=day0, to_date=date(2019, 12, 1), interval="month"
            ),
        )  # fmt: skip

    def analyze(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def time(self, label: str, repeat: int, call) -> None:
        timings, size = [], 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = call()
            timings.append(time.perf_counter() - t0)
            size = len(getattr(result, "dates", result))
        timings.sort()
        median_ms = timings[len(timings) // 2] * 1000
        self.stdout.write(f"  {label:<40} {median_ms:8.1f} ms   ({size} rows)")

    def progress(self, text: str, started: float, end: str = "\n") -> None:
        if not self.stdout.isatty():
            end = "\n"  # a log file gets one line per step
        self.stdout.write(f"  {text} ({time.monotonic() - started:.0f}s)", ending=end)
        self.stdout.flush()
