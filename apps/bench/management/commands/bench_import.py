"""Benchmark imports: a file of places, then a file of changes onto them, as an import job.

    manage.py bench_import --places 10000 --changes 100000 --dense-places 2 --dense-changes 20000

Builds the files in memory (a fresh ``import-bench`` theater, replaced on each run), runs them
through the same job path as an upload (parse, check every row, write, audit, periods), and
prints how long each took, then re-imports the changes file (everything unchanged). Then many
rows on few places (``--dense-changes`` on ``--dense-places``, 0 to skip): a dry run and an
import, whose row checks must stay linear in a place's rows.
"""

from __future__ import annotations

import csv
import io
import random
import resource
import time
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.contrib.gis.geos import Polygon
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.bench.synthetic import add_theater_arguments
from apps.ingest.importer import run_job
from apps.ingest.jobs import import_job_create
from apps.ingest.models import ImportJob
from apps.ingest.parsing import CHANGE_COLUMNS, PLACE_COLUMNS
from apps.territory import services
from apps.territory.models import (
    ArmedGroup,
    ControlChange,
    ControlPeriod,
    DeletedControlChange,
    Place,
    Source,
    Theater,
)
from apps.users.models import User
from apps.users.roles import REVIEWERS

SLUG = "import-bench"
BOX = (35.0, 28.0, 45.0, 38.0)
TARGET_S = 60


class Command(BaseCommand):
    help = "Time importing places and changes files through the import job path."

    def add_arguments(self, parser):
        add_theater_arguments(parser, places=10_000, changes=100_000, groups=None)
        parser.add_argument("--dense-places", type=int, default=2)
        parser.add_argument("--dense-changes", type=int, default=20_000)

    def handle(self, *args, places, changes, dense_places, dense_changes, seed, **options):
        if changes < places:
            raise CommandError("Give at least one change per place.")
        rng = random.Random(seed)
        self.reset()
        theater, groups, source = self.setup()
        user = self.reviewer()
        places_csv = self.places_file(places, rng)
        changes_csv = self.changes_file(places, changes, groups, source, rng)
        self.stdout.write(
            f"Files: places {len(places_csv) / 1e6:.1f} MB, changes {len(changes_csv) / 1e6:.1f} MB"
        )

        results = [
            self.timed("places", places_csv, user, theater, publish=False),
            self.timed("changes", changes_csv, user, theater, publish=True),
            self.timed("changes again (unchanged)", changes_csv, user, theater, publish=True),
        ]
        if dense_places and dense_changes:
            dense = f"{dense_changes:,} changes on {dense_places}"
            dense_places_csv = self.places_file(dense_places, rng, first=places)
            dense_csv = self.changes_file(
                dense_places,
                dense_changes,
                groups,
                source,
                rng,
                first=places,
                span_days=dense_changes,
            )
            self.timed("dense places", dense_places_csv, user, theater, publish=False)
            results += [
                self.timed(
                    f"{dense} (dry run)", dense_csv, user, theater, publish=True, dry_run=True
                ),
                self.timed(dense, dense_csv, user, theater, publish=True),
            ]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            "\nImports through the job path (parse, check every row, write, audit, "
            "periods), one process:"
        )
        for name, seconds, job in results:
            self.stdout.write(f"  {name:<34} {seconds:7.1f} s  {job.status:<9} {job.summary}")
        changes_s = results[1][1]
        self.stdout.write(f"peak memory of this process: {peak_mb:.0f} MB")
        self.stdout.write(
            f"importing {changes:,} changes: {changes_s:.1f} s "
            f"({changes / changes_s:,.0f} rows/s; target < {TARGET_S} s)"
        )

    def timed(self, name, content: bytes, user, theater, *, publish: bool, dry_run=False):
        job = import_job_create(
            user=user,
            filename="bench.csv",
            chunks=[content],
            theater=theater,
            publish=publish,
            dry_run=dry_run,
        )
        self.stdout.write(f"Importing {name} ...")
        started = time.perf_counter()
        run_job(job)
        seconds = time.perf_counter() - started
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"{name}: {job.summary} {job.errors[:5]}")
        return name, seconds, job

    # --- data -------------------------------------------------------------------------------

    def reset(self) -> None:
        theater = Theater.objects.filter(slug=SLUG).first()
        if theater is None:
            return
        self.stdout.write("Removing the previous run's theater ...")
        with transaction.atomic():
            changes = ControlChange.objects.filter(place__theater=theater)
            ControlPeriod.objects.filter(place__theater=theater).delete()
            DeletedControlChange.objects.filter(place__theater=theater).delete()
            changes.delete()
            Place.objects.filter(theater=theater).delete()
            theater.delete()

    def setup(self):
        theater = services.theater_create(
            name="Import benchmark",
            slug=SLUG,
            bounds=Polygon.from_bbox(BOX),
            start_date=date(2014, 1, 1),
            description="Built by manage.py bench_import.",
        )
        groups = []
        for i in range(8):
            slug = f"{SLUG}-g{i + 1}"
            group = ArmedGroup.objects.filter(slug=slug).first()
            groups.append(group or services.group_create(name=f"Bench group {i + 1}", slug=slug))
        source = Source.objects.filter(key=f"{SLUG}-source").first() or services.source_create(
            title="Benchmark source", key=f"{SLUG}-source", url="https://example.org/bench"
        )
        return theater, groups, source

    @staticmethod
    def reviewer() -> User:
        user, _ = User.objects.get_or_create(username="import-bench")
        user.groups.add(Group.objects.get(name=REVIEWERS))
        return User.objects.get(pk=user.pk)  # permissions cache fresh

    @staticmethod
    def _csv(columns, rows) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue().encode()

    def places_file(self, count: int, rng: random.Random, *, first: int = 0) -> bytes:
        rows = []
        for n in range(first, first + count):
            lat, lon = (
                rng.uniform(BOX[1] + 0.01, BOX[3] - 0.01),
                rng.uniform(BOX[0] + 0.01, BOX[2] - 0.01),
            )
            rows.append(
                [
                    f"{SLUG}-{n + 1}",
                    f"Bench place {n + 1}",
                    f"BP{n + 1}",
                    "village",
                    "SY",
                    f"{lat:.5f}",
                    f"{lon:.5f}",
                    rng.randint(100, 50_000),
                    rng.randint(1, 5),
                    SLUG,
                    "",
                ]
            )
        return self._csv(PLACE_COLUMNS, rows)

    def changes_file(
        self, places: int, changes: int, groups, source, rng, *, first: int = 0, span_days: int = 0
    ) -> bytes:
        """Changes on places ``first`` .. ``first + places``, within 2014-2019 (or the
        ``span_days`` before the end of 2019, for more changes a place than days there)."""
        per_place, extra = divmod(changes, places)
        rows = []
        start = date(2014, 1, 1)
        if span_days:
            start = min(start, date(2019, 12, 31) - timedelta(days=span_days))
        span = (date(2019, 12, 31) - start).days
        for n in range(first, first + places):
            count = per_place + (1 if n - first < extra else 0)
            days = sorted(rng.sample(range(span), count))
            holder = rng.randrange(len(groups))
            for offset in days:
                holder = (holder + rng.randrange(1, len(groups))) % len(groups)
                day = (start + timedelta(days=offset)).isoformat()
                rows.append(
                    [
                        f"{SLUG}-{n + 1}",
                        day,
                        "day",
                        "controlled",
                        groups[holder].slug,
                        "",
                        "",
                        "confirmed",
                        "Benchmark change.",
                        source.key,
                    ]
                )
        return self._csv([c for c in CHANGE_COLUMNS if c != "review_state"], rows)
