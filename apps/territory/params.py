"""Request parameters, parsed in one place for every interface (the REST API, OGC API –
Features, the pages): bbox, days, intervals, counts, ids, slugs and choices.

Every bad value raises :class:`ParameterError` naming the parameter. It is a Django
``ValidationError`` (``{name: [message]}``), so the API answers it as its usual 400; OGC turns
it into its own error body (``InvalidParameterValue``); pages show its message.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError

from apps.territory.models import ArmedGroup, Place, Theater
from apps.territory.rules import SLUG

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE = re.compile(r"[+-]?[0-9]{1,30}")
BBox = tuple[float, float, float, float]
BBOX_HELP = "Give four numbers: minLon,minLat,maxLon,maxLat."
BBOX_RANGE = "Longitudes must be in [-180, 180], latitudes in [-90, 90], with min <= max."


class ParameterError(ValidationError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__({name: [message]})
        self.name, self.message = name, message

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


_bad = ParameterError


def parse_date(params, name: str, *, required: bool = False) -> date | None:
    """A day as ``YYYY-MM-DD`` (only that ISO form: not ``20171104`` nor a week date). An
    optional parameter given empty counts as absent."""
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise _bad(name, "This parameter is required (YYYY-MM-DD).")
        return None
    try:
        if not DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, f"{raw!r} is not a date (YYYY-MM-DD).") from None


def parse_date_range(params, *, start: str = "from", end: str = "to"):
    first, last = parse_date(params, start), parse_date(params, end)
    if first and last and first > last:
        raise _bad(end, f"'{end}' ({last}) must not be before '{start}' ({first}).")
    return first, last


def parse_bbox(params, name: str = "bbox", *, allow_3d: bool = False) -> BBox | None:
    """``minLon,minLat,maxLon,maxLat`` in degrees; with ``allow_3d`` (OGC) also
    ``minLon,minLat,minHeight,maxLon,maxLat,maxHeight``, whose heights are ignored."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        numbers = tuple(float(p) for p in raw.split(","))
    except ValueError:
        numbers = ()
    if allow_3d and len(numbers) == 6:
        numbers = (numbers[0], numbers[1], numbers[3], numbers[4])
    if len(numbers) != 4 or any(n != n for n in numbers):  # n != n: NaN
        raise _bad(name, BBOX_HELP + (" (or six, with heights)" if allow_3d else ""))
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise _bad(name, BBOX_RANGE)
    return numbers


def parse_day(text: str, name: str) -> date:
    """A day given as an RFC 3339 date (``2017-11-04``) or date-time, whose calendar date is
    taken as written (``2017-11-04T23:30:00-05:00`` is 4 November)."""
    text = text.strip().upper()
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(name, f"{text!r} is not an RFC 3339 date or date-time.") from None


def parse_interval(params, name: str = "datetime") -> tuple[date | None, date | None] | None:
    """OGC's ``datetime``: an instant (start == end), or ``start/end`` with ``..`` or nothing
    for an open end. None when absent; an end before the start is refused."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if "/" not in raw:
        day = parse_day(raw, name)
        return day, day
    first, _, last = raw.partition("/")
    if "/" in last:
        raise _bad(name, "An interval is start/end, two values.")
    start, end = (
        None if part.strip() in ("", "..") else parse_day(part, name) for part in (first, last)
    )
    if start is None and end is None:
        raise _bad(name, "An interval needs a start or an end ('..' leaves one open).")
    if start and end and end < start:
        raise _bad(name, f"The interval ends ({end}) before it starts ({start}).")
    return start, end


def parse_count(params, name: str, *, default: int, minimum: int = 0, maximum: int) -> int:
    """A whole number in [minimum, maximum] (limits, offsets), in ASCII digits."""
    raw = params.get(name)
    if raw is None:
        return default
    if not WHOLE.fullmatch(raw.strip()):
        raise _bad(name, f"{raw!r} is not a whole number.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise _bad(name, f"{value} is not from {minimum} to {maximum}.")
    return value


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
