"""manage.py derive_changes --theater SLUG --layer SLUG [--from DAY] [--to DAY]
[--min-days N] [--publish]

Each day a place's point enters or leaves the layer's ground becomes a control change (see
``apps.areas.derive``); hand-entered changes win and disagreements are listed.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.areas.derive import derive_changes
from apps.areas.models import AreaLayer
from apps.history import recorder
from apps.history.models import Revision


class Command(BaseCommand):
    help = "Derive place control changes from an area layer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--theater", required=True)
        parser.add_argument("--layer", required=True)
        parser.add_argument("--from", dest="from_date", type=date.fromisoformat)
        parser.add_argument("--to", dest="to_date", type=date.fromisoformat)
        parser.add_argument("--min-days", type=int, default=0, help="Skip shorter holdings.")
        parser.add_argument("--publish", action="store_true", help="Publish (default: drafts).")

    def handle(self, *args: Any, **options: Any) -> None:
        layer = AreaLayer.objects.filter(
            theater__slug=options["theater"], slug=options["layer"]
        ).first()
        if layer is None:
            raise CommandError(f"No layer {options['layer']!r} in {options['theater']!r}.")
        started = time.perf_counter()
        try:
            with recorder.acting(via=Revision.Via.COMMAND, note="derive_changes"):
                report = derive_changes(
                    layer=layer,
                    from_date=options["from_date"],
                    to_date=options["to_date"],
                    min_days=options["min_days"],
                    publish=options["publish"],
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
