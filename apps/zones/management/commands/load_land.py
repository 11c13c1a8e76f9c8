from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.territory.models import Theater
from apps.zones import land
from apps.zones import services as zone_services
from apps.zones.models import Land


class Command(BaseCommand):
    help = (
        "Replace the land polygons derived zones are clipped to (default: the bundled Natural "
        "Earth land) and drop every cached zone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(land.BUNDLED), help="GeoJSON file")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        if not Path(path).is_file():
            raise CommandError(f"No such file: {path}")
        with transaction.atomic():
            count = land.load(Land, Path(path))
            for theater_id in Theater.objects.values_list("pk", flat=True):
                zone_services.invalidate_all(theater_id)
        self.stdout.write(f"Loaded {count} land polygons from {path}; cached zones dropped.")
