"""Query-parameter parsing: every bad value becomes a 400 naming the parameter."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from apps.territory.models import ArmedGroup, Place, Theater
from apps.territory.rules import SLUG


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def parse_date(params, name: str, *, required: bool = False) -> date | None:
    raw = params.get(name)
    if raw is None or (raw == "" and required):
        if required:
            raise _bad(name, "This parameter is required (YYYY-MM-DD).")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, f"{raw!r} is not a date (YYYY-MM-DD).") from None


def parse_date_range(params, *, start: str = "from", end: str = "to"):
    first, last = parse_date(params, start), parse_date(params, end)
    if first and last and first > last:
        raise _bad(end, f"'{end}' ({last}) must not be before '{start}' ({first}).")
    return first, last


def parse_bbox(params, name: str = "bbox") -> tuple[float, float, float, float] | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    parts = raw.split(",")
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or any(n != n for n in numbers):  # n != n: NaN
        raise _bad(name, "Give four numbers: minLon,minLat,maxLon,maxLat.")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise _bad(
            name, "Longitudes must be in [-180, 180], latitudes in [-90, 90], with min <= max."
        )
    return numbers


def parse_int_list(params, name: str) -> list[int]:
    values = []
    for raw in params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]:
        for part in (raw or "").split(","):
            if part.strip():
                try:
                    value = int(part)
                except ValueError:
                    raise _bad(name, f"{part!r} is not an id.") from None
                if value < 1 or value > 2**63 - 1:
                    raise _bad(name, f"{part!r} is not an id.")
                values.append(value)
    return values


def parse_int(params, name: str) -> int | None:
    """One optional id."""
    raw = params.get(name)
    if raw is None:
        return None
    values = parse_int_list({name: raw}, name)
    if len(values) != 1:
        raise _bad(name, f"{raw!r} is not an id.")
    return values[0]


def parse_theater(params, name: str = "theater", *, required: bool = False) -> Theater | None:
    raw = params.get(name)
    if raw in (None, ""):
        if required:
            only = list(Theater.objects.all()[:2])
            if len(only) == 1:
                return only[0]
            raise _bad(name, "This parameter is required (a theater id or slug).")
        return None
    if raw.isdigit() and len(raw) < 19:
        theater = Theater.objects.filter(pk=int(raw)).first()
    elif SLUG.match(raw):
        theater = Theater.objects.filter(slug=raw).first()
    else:
        theater = None
    if theater is None:
        raise _bad(name, f"Unknown theater {raw!r}.")
    return theater


def parse_groups(params, name: str = "group") -> list[ArmedGroup]:
    ids = parse_int_list(params, name)
    groups = list(ArmedGroup.objects.filter(pk__in=ids))
    missing = set(ids) - {g.pk for g in groups}
    if missing:
        raise _bad(name, f"Unknown group id(s): {', '.join(map(str, sorted(missing)))}.")
    return groups


def parse_kinds(params, name: str = "kind") -> list[str]:
    kinds = [k for raw in params.getlist(name) for k in raw.split(",") if k.strip()]
    unknown = set(kinds) - set(Place.Kind.values)
    if unknown:
        raise _bad(
            name,
            f"Unknown kind(s) {', '.join(sorted(unknown))}; use {', '.join(Place.Kind.values)}.",
        )
    return kinds


def parse_choice(params, name: str, choices: list[str], default: str) -> str:
    raw = params.get(name, default)
    if raw not in choices:
        raise _bad(name, f"{raw!r} is not one of: {', '.join(choices)}.")
    return raw
