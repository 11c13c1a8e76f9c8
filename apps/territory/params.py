"""Request parameters, parsed in one place for every interface (the REST API, OGC API –
Features, the pages): bbox, days, intervals, counts, numbers, ids, slugs and choices.

Every bad value raises :class:`ParameterError` naming the parameter. It is a Django
``ValidationError`` (``{name: [message]}``), so the API answers it as its usual 400 (404 for
:class:`UnknownReference`); OGC turns it into its own error body (``InvalidParameterValue``);
pages show its message. The patterns here are the ones the OpenAPI schema states
(apps/api/schema.py), so what a client generator allows is what the API accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Literal, TypeVar, overload

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import QueryDict

from apps.territory.models import ArmedGroup, Place, Theater
from apps.territory.rules import SLUG

ID_MAX = 2**63 - 1  # the largest database id
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE = re.compile(r"[+-]?[0-9]{1,30}")
ID = re.compile(r"[0-9]{1,19}")
NUMBER = r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?"
LON = r"-?(?:180(?:\.0{1,20})?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]{1,20})?)"
LAT = r"-?(?:90(?:\.0{1,20})?|[0-8]?[0-9](?:\.[0-9]{1,20})?)"
BBOX = re.compile(f"{LON},{LAT},{LON},{LAT}")
BBOX_3D = re.compile(f"{LON},{LAT},{NUMBER},{LON},{LAT},{NUMBER}")
BBox = tuple[float, float, float, float]
# A request's parameters (a QueryDict), or a dict of one or two of them.
Params = Mapping[str, str]
M = TypeVar("M", bound=Model)
BBOX_HELP = (
    "Give four numbers: minLon,minLat,maxLon,maxLat (degrees; longitudes in [-180, 180], "
    "latitudes in [-90, 90])."
)
BBOX_ORDER = "The minimum longitude and latitude must not exceed the maximum ones."
THEATER_HELP = "a theater id or slug"


class ParameterError(ValidationError):
    """A request parameter that cannot be used; the API answers 400."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__({name: [message]})
        self.name, self.message = name, message

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class UnknownReference(ParameterError):
    """A well-formed id or slug of a record that does not exist; the API answers 404."""


_bad = ParameterError


@overload
def parse_date(params: Params, name: str, *, required: Literal[True]) -> date: ...
@overload
def parse_date(params: Params, name: str, *, required: bool = False) -> date | None: ...
def parse_date(params: Params, name: str, *, required: bool = False) -> date | None:
    """A day as ``YYYY-MM-DD`` (only that ISO form: not ``20171104`` nor a week date)."""
    raw = params.get(name)
    if raw is None or (raw == "" and required):
        if required:
            raise _bad(name, "This parameter is required (YYYY-MM-DD).")
        return None
    try:
        if not DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, f"{raw!r} is not a date (YYYY-MM-DD).") from None


def parse_date_range(
    params: Params, *, start: str = "from", end: str = "to"
) -> tuple[date | None, date | None]:
    first, last = parse_date(params, start), parse_date(params, end)
    if first and last and first > last:
        raise _bad(end, f"'{end}' ({last}) must not be before '{start}' ({first}).")
    return first, last


def parse_bbox(params: Params, name: str = "bbox", *, allow_3d: bool = False) -> BBox | None:
    """``minLon,minLat,maxLon,maxLat`` in degrees (plain decimals, the pattern the OpenAPI
    schema states); with ``allow_3d`` (OGC) also six numbers, whose heights are ignored."""
    raw = params.get(name)
    if raw is None:
        return None
    if allow_3d and BBOX_3D.fullmatch(raw):
        numbers = [float(n) for n in raw.split(",")]
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    elif BBOX.fullmatch(raw):
        numbers = [float(n) for n in raw.split(",")]
    else:
        raise _bad(name, BBOX_HELP + (" Or six, with heights." if allow_3d else ""))
    min_lon, min_lat, max_lon, max_lat = numbers
    if min_lon > max_lon or min_lat > max_lat:
        raise _bad(name, BBOX_ORDER)
    return min_lon, min_lat, max_lon, max_lat


def parse_day(text: str, name: str) -> date:
    """A day given as an RFC 3339 date (``2017-11-04``) or date-time, whose calendar date is
    taken as written (``2017-11-04T23:30:00-05:00`` is 4 November)."""
    text = text.strip().upper()
    try:
        if not DAY.match(text):  # YYYY-MM-DD first, as parse_date: no 20171104, no week dates
            raise ValueError(text)
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(name, f"{text!r} is not an RFC 3339 date or date-time.") from None


def parse_moment(params: Params, name: str) -> datetime:
    """A required moment: an ISO 8601 date-time (naive ones are UTC) or a day (its first
    moment, UTC); answered in UTC (:func:`in_utc`)."""
    raw = params.get(name) or ""
    try:
        moment = datetime.fromisoformat(raw) if "T" in raw or " " in raw else None
    except ValueError:
        raise _bad(name, f"{raw!r} is not a date or ISO 8601 date-time.") from None
    if moment is None:
        moment = datetime.combine(parse_date({name: raw}, name, required=True), datetime.min.time())
    return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def in_utc(moment: datetime) -> datetime:
    """An aware date-time in UTC (PostgreSQL refuses odd offsets such as -20:07). One within a
    day of the calendar's ends, whose UTC time does not exist, becomes that end: "since the
    first moment" or "since the last" still mean what they say."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def parse_interval(
    params: Params, name: str = "datetime"
) -> tuple[date | None, date | None] | None:
    """OGC's ``datetime``: an instant (start == end), or ``start/end`` with ``..`` or nothing
    for an open end. None when absent; an end before the start is refused."""
    raw = params.get(name)
    if not raw:  # absent or empty
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


def parse_count(params: Params, name: str, *, default: int, minimum: int = 0, maximum: int) -> int:
    """A whole number in [minimum, maximum] (limits, offsets), in ASCII digits."""
    raw = params.get(name)
    if raw is None:
        return default
    if not WHOLE.fullmatch(raw):
        raise _bad(name, f"{raw!r} is not a whole number.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise _bad(name, f"{value} is not from {minimum} to {maximum}.")
    return value


def parse_int_list(params: Params, name: str) -> list[int]:
    """Ids, repeated (``group=1&group=2``) or comma-separated (``group=1,2``)."""
    values: list[int] = []
    for raw in params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]:
        for part in (raw or "").split(","):
            if not ID.fullmatch(part) or not 1 <= int(part) <= ID_MAX:
                raise _bad(name, f"{part!r} is not an id (a whole number from 1).")
            values.append(int(part))
    return values


def parse_int(params: Params, name: str) -> int | None:
    """One optional id."""
    raw = params.get(name)
    if raw is None:
        return None
    values = parse_int_list({name: raw}, name)
    if len(values) != 1:
        raise _bad(name, f"{raw!r} is not an id.")
    return values[0]


def parse_float(params: Params, name: str, *, minimum: float, maximum: float) -> float | None:
    """An optional plain decimal number in [minimum, maximum]."""
    raw = params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(NUMBER, raw) or not minimum <= float(raw) <= maximum:
        raise _bad(name, f"Give a number from {minimum:g} to {maximum:g}.")
    return float(raw)


def parse_record(params: Params, name: str, model: type[M]) -> M | None:
    """One record by id: a malformed id is a 400, an id of nothing a 404."""
    pk = parse_int(params, name)
    if pk is None:
        return None
    record = model._default_manager.filter(pk=pk).first()
    if record is None:
        raise UnknownReference(name, f"No {model._meta.verbose_name} with id {pk}.")
    return record


@overload
def parse_theater(params: Params, name: str = ..., *, required: Literal[True]) -> Theater: ...
@overload
def parse_theater(params: Params, name: str = ..., *, required: bool = False) -> Theater | None: ...
def parse_theater(
    params: Params, name: str = "theater", *, required: bool = False
) -> Theater | None:
    """A theater by id or slug. Absent and required: the only theater, if there is one."""
    raw = params.get(name)
    if raw is None:
        if required:
            only = list(Theater.objects.all()[:2])
            if len(only) == 1:
                return only[0]
            raise _bad(name, f"This parameter is required ({THEATER_HELP}).")
        return None
    if ID.fullmatch(raw):
        theater = Theater.objects.filter(pk=int(raw)).first() if int(raw) <= ID_MAX else None
    elif SLUG.fullmatch(raw):
        theater = Theater.objects.filter(slug=raw).first()
    else:
        raise _bad(name, f"{raw!r} is not {THEATER_HELP}.")
    if theater is None:
        raise UnknownReference(name, f"Unknown theater {raw!r}.")
    return theater


def parse_groups(params: Params, name: str = "group") -> list[ArmedGroup]:
    ids = parse_int_list(params, name)
    groups = list(ArmedGroup.objects.filter(pk__in=ids))
    missing = set(ids) - {g.pk for g in groups}
    if missing:
        raise UnknownReference(
            name, f"Unknown group id(s): {', '.join(map(str, sorted(missing)))}."
        )
    return groups


def parse_kinds(params: QueryDict, name: str = "kind") -> list[str]:
    kinds = [k for raw in params.getlist(name) for k in raw.split(",")]
    unknown = set(kinds) - set(Place.Kind.values)  # an empty one too: given empty is an error
    if unknown:
        raise _bad(
            name,
            f"Unknown kind(s) {', '.join(sorted(unknown))}; use {', '.join(Place.Kind.values)}.",
        )
    return kinds


def parse_choice(params: Params, name: str, choices: list[str], default: str) -> str:
    raw = params.get(name, default)
    if raw not in choices:
        raise _bad(name, f"{raw!r} is not one of: {', '.join(choices)}.")
    return raw


def parse_slugs(params: QueryDict, name: str) -> list[str]:
    """Slugs, repeated (``layer=a&layer=b``) or comma-separated (``layer=a,b``)."""
    slugs = [s for raw in params.getlist(name) for s in raw.split(",")]
    bad = [s for s in slugs if len(s) > 120 or not SLUG.fullmatch(s)]
    if bad:
        raise _bad(name, f"{bad[0]!r} is not a slug (lowercase letters, digits and -).")
    return slugs
