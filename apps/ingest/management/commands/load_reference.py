import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ingest.reference import DatasetError, load_dataset
from apps.territory.models import ControlChange, Place, Theater


class Command(BaseCommand):
    help = "Load the reference dataset (data/reference/*.csv) through the normal write path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=settings.REFERENCE_DATA_DIR, help="Dataset folder."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already holds a theater.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Theater.objects.exists():
            self.stdout.write("Database already holds data; reference dataset not loaded.")
            return
        started = time.monotonic()
        show = self.stdout.isatty() or sys.stdout.isatty()

        def progress(name: str, done: int, total: int) -> None:
            if done == total or (show and done % 25 == 0):
                end = "\n" if done == total else "\r"
                self.stdout.write(f"  {name:<9} {done:>5}/{total}", ending=end)
                self.stdout.flush()

        self.stdout.write(f"Loading {options['dir']} ...")
        try:
            report = load_dataset(options["dir"], progress=progress)
        except DatasetError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        published = ControlChange.objects.filter(review_state="published").count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report} in {time.monotonic() - started:.1f}s "
                f"({Place.objects.count()} places, {published} published changes in the database)."
            )
        )
