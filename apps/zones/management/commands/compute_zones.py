import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.territory.models import Theater
from apps.zones import compute
from apps.zones import services as zone_services


class Command(BaseCommand):
    help = "Compute the derived zones of every day on which control changes (missing ones only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--theater", help="slug (default: every theater)")

    def handle(self, *args: Any, theater: str | None = None, **options: Any) -> None:
        if not compute.available():
            raise CommandError("Derived zones need PostGIS.")
        theaters = Theater.objects.order_by("pk")
        if theater:
            theaters = theaters.filter(slug=theater)
            if not theaters:
                raise CommandError(f"No theater {theater!r}.")
        for item in theaters:
            started = time.monotonic()

            def progress(number: int, total: int, day: date, name: str = item.slug) -> None:
                if number == total or number % 25 == 0:
                    self.stdout.write(f"  {name}: {number}/{total} ({day})")

            filled = zone_services.fill_missing(item.pk, progress=progress)
            took = time.monotonic() - started
            self.stdout.write(
                f"{item.slug}: {filled.computed} zone days computed in {took:.1f}s"
                + (
                    f", {filled.refused} left to the task of a concurrent write"
                    if filled.refused
                    else ""
                )
            )
