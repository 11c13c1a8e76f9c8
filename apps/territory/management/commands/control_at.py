from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.territory.models import Place, Theater
from apps.territory.selectors import control_at


class Command(BaseCommand):
    help = "Print who controlled each place on a day, e.g. `control_at 2017-11-04 --place raqqa`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("day", help="YYYY-MM-DD")
        parser.add_argument("--theater", help="Theater slug.")
        parser.add_argument("--place", action="append", default=[], help="Place slug (repeatable).")

    def handle(
        self, *args: Any, day: str, theater: str | None, place: list[str], **options: Any
    ) -> None:
        try:
            on = date.fromisoformat(day)
        except ValueError as exc:
            raise CommandError(f"day: {day!r} is not a date (YYYY-MM-DD).") from exc
        theater_obj = None
        if theater:
            theater_obj = Theater.objects.filter(slug=theater).first()
            if theater_obj is None:
                raise CommandError(f"theater: unknown theater {theater!r}.")
        unknown = set(place) - set(
            Place.objects.filter(slug__in=place).values_list("slug", flat=True)
        )
        if unknown:
            raise CommandError(f"place: unknown place(s) {', '.join(sorted(unknown))}.")

        states = control_at(on=on, theater=theater_obj)
        if place:
            states = [s for s in states if s.place.slug in place]
        for state in states:
            holder = state.controller.name if state.controller else "-"
            challengers = ", ".join(g.name for g in state.challengers) or "-"
            since = state.since.isoformat() if state.since else "-"
            self.stdout.write(
                f"{state.place.name:<28} {state.status:<10} {holder:<36} "
                f"since {since:<10}  challengers: {challengers}"
            )
        self.stdout.write(f"{len(states)} places on {on.isoformat()}.")
