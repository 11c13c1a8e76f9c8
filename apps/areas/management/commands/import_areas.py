"""manage.py import_areas PATH... --theater SLUG --layer SLUG [--group SLUG]
[--complement SLUG] [--assessor NAME] [--name NAME] [--replace]

Imports a series of area snapshots (see ``apps.areas.series`` for the files it reads) into a
layer, creating the layer on first use. Re-importing changes nothing; a longer series appends
its new days; a day stored with other ground is replaced only with --replace.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.areas.imports import import_series
from apps.history import recorder
from apps.history.models import Revision
from apps.territory.models import ArmedGroup, Theater


class Command(BaseCommand):
    help = "Import a series of dated area snapshots into a layer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--theater", required=True, help="The theater's slug.")
        parser.add_argument("--layer", required=True, help="The layer's slug in the theater.")
        parser.add_argument("--group", help="Whose ground it shows (needed for a new layer).")
        parser.add_argument("--complement", help="Who holds the land the layer leaves out.")
        parser.add_argument("--assessor", help="Who drew it, e.g. DeepStateMap.")
        parser.add_argument("--name", help="The layer's name (new layers; default its slug).")
        parser.add_argument(
            "--replace", action="store_true", help="Replace days stored with other ground."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths, theater, layer = options["paths"], options["theater"], options["layer"]
        group, complement = options["group"], options["complement"]
        assessor, name, replace = options["assessor"], options["name"], options["replace"]
        found_theater = self._get(Theater, theater, "theater")
        found_group = self._get(ArmedGroup, group, "group") if group else None
        found_complement = self._get(ArmedGroup, complement, "group") if complement else None
        started = time.perf_counter()
        self.stdout.write(f"Reading {len(paths)} path(s) ...")
        try:
            with recorder.acting(via=Revision.Via.COMMAND, note="import_areas"):
                summary = import_series(
                    paths,
                    theater=found_theater,
                    layer_slug=layer,
                    group=found_group,
                    complement=found_complement,
                    assessor=assessor,
                    name=name,
                    replace=replace,
                    progress=self.stdout.write,
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
        if summary.problems:
            raise CommandError(
                f"{len(summary.problems)} file(s) could not be read; nothing written."
            )

    @staticmethod
    def _get(model: type[Theater] | type[ArmedGroup], slug: str, what: str) -> Any:
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No {what} {slug!r}.")
        return found
