"""Reads: "who held what on day T", a place's history, what changed between two days, series.

Every function here answers from the derived ``ControlPeriod`` table with indexed queries
whose cost grows with the size of the answer, not with the length of the whole record:
on PostgreSQL "the period containing T" is a GiST range-index lookup.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import orjson
from django.contrib.gis.geos import Polygon
from django.contrib.postgres.fields import DateRangeField
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q, QuerySet

from .db import DateRange, PointX, PointY
from .models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    PeriodChallenger,
    Place,
    Status,
    Theater,
)
from .periods import MAX_SERIES_STEPS, UNKNOWN, State, series_dates, series_length

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
DIGITS = 5  # decimals of the coordinates the reads give (about 1 m)


@dataclass(slots=True)
class PlaceState:
    """A place's state on one day. ``status`` is ``unknown`` before its first change.

    ``since``/``until`` bound the period in force (``until`` None = still in force);
    ``change_id`` is the published change that began it.
    """

    place: Place
    status: str
    controller: ArmedGroup | None = None
    challengers: tuple[ArmedGroup, ...] = ()
    since: date | None = None
    until: date | None = None
    change_id: int | None = None

    @property
    def key(self) -> State:
        return State(
            status=self.status,
            controller_id=self.controller.pk if self.controller else None,
            challenger_ids=frozenset(g.pk for g in self.challengers),
        )


class PeriodInForce(NamedTuple):
    """The period in force on a day for one place, as plain values (ids, not models)."""

    status: str
    controller_id: int | None
    challenger_ids: tuple[int, ...]
    since: date | None
    until: date | None
    change_id: int | None


UNKNOWN_PERIOD = PeriodInForce(UNKNOWN, None, (), None, None, None)


class PlaceRow(NamedTuple):
    """A place as the fast paths read it: no model, coordinates rounded by the database."""

    place_id: int
    name: str
    kind: str
    importance: int
    lon: float
    lat: float


# Named rows at the cost of a tuple: ``_named(Cls, values)`` skips the NamedTuple's
# keyword-handling __new__ (a third of the time for the 100,000 rows of a large answer).
_named = tuple.__new__


@dataclass(frozen=True)
class PlaceDiff:
    place: Place
    before: PlaceState
    after: PlaceState


@dataclass(frozen=True)
class GroupSeries:
    group: ArmedGroup
    places: list[int]
    population: list[int]


@dataclass(frozen=True)
class ControlSeries:
    dates: list[date]
    groups: list[GroupSeries]


# --- The one predicate of time ---------------------------------------------------------------


def in_force_on(queryset: QuerySet[Any, Any], on: date) -> QuerySet[Any, Any]:
    """The time rule, for any record dated by ``[start, end)`` (control periods, area
    versions): the rows in force on day ``on``, ``start <= on < end`` (``end`` NULL = open)."""
    return queryset.filter(Q(start__lte=on) & (Q(end__gt=on) | Q(end__isnull=True)))


def periods_containing(
    on: date, queryset: QuerySet[ControlPeriod] | None = None
) -> QuerySet[ControlPeriod]:
    """Periods in force on day ``on``: ``start <= on < end`` (``end`` NULL = open)."""
    queryset = ControlPeriod.objects.all() if queryset is None else queryset
    if connection.vendor == "postgresql":
        # daterange(start, end, '[)') @> on — served by the GiST index territory_period_range_gist.
        return queryset.alias(
            span=DateRange(F("start"), F("end"), output_field=DateRangeField())
        ).filter(span__contains=on)
    return in_force_on(queryset, on)


def periods_overlapping(
    first: date | None, last: date | None, queryset: QuerySet[ControlPeriod] | None = None
) -> QuerySet[ControlPeriod]:
    """Periods in force on some day of ``[first, last]`` (either end may be open: None)."""
    return in_force_during(
        ControlPeriod.objects.all() if queryset is None else queryset, first, last
    )


def in_force_during(
    queryset: QuerySet[Any, Any], first: date | None, last: date | None
) -> QuerySet[Any, Any]:
    """The time rule over a range, for any record dated by ``[start, end)``: the rows in
    force on some day of ``[first, last]`` (either end may be open: None)."""
    if last is not None:
        queryset = queryset.filter(start__lte=last)
    if first is not None:
        queryset = queryset.filter(Q(end__isnull=True) | Q(end__gt=first))
    return queryset


# --- Filters shared by the selectors ---------------------------------------------------------


def _place_filter(
    *,
    theater: Theater | int | None = None,
    bbox: BBox | None = None,
    kinds: Sequence[str] | None = None,
    prefix: str = "",
) -> Q:
    q = Q()
    if theater is not None:
        q &= Q(**{f"{prefix}theater": theater})
    if bbox is not None:
        q &= Q(**{f"{prefix}location__contained": bbox_polygon(bbox)})
    if kinds:
        q &= Q(**{f"{prefix}kind__in": list(kinds)})
    return q


def bbox_polygon(bbox: BBox) -> Polygon:
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(
            {"bbox": "Use min_lon,min_lat,max_lon,max_lat in degrees, with min <= max."}
        )
    polygon = Polygon.from_bbox(bbox)
    polygon.srid = 4326
    return polygon


def _periods_of(**place_filters: Any) -> QuerySet[ControlPeriod]:
    """The periods of the places matching :func:`_place_filter`'s filters."""
    return ControlPeriod.objects.filter(_place_filter(**place_filters, prefix="place__"))


PERIOD_COLUMNS = ("id", "place_id", "start", "end", "status", "controller_id", "change_id")


def _periods_in_force(on: date, periods: QuerySet[ControlPeriod]) -> dict[int, PeriodInForce]:
    """place_id → the period in force on ``on``: plain values, no model instances (for
    thousands of places, building ORM objects costs far more than the indexed queries)."""
    in_force = periods_containing(on, periods.order_by())
    rows = _fetch(in_force.values_list(*PERIOD_COLUMNS))
    # Only contested and besieged periods have challengers (rules.check_change).
    challenger_ids = _challengers_of([row[0] for row in rows if row[4] != Status.CONTROLLED])
    return {
        place_id: _named(
            PeriodInForce,
            (status, controller_id, tuple(challenger_ids.get(period_id, ())), start, end, change),
        )
        for period_id, place_id, start, end, status, controller_id, change in rows
    }


def _challengers_of(period_ids: list[int]) -> dict[int, list[int]]:
    """period id → its challengers' ids, in the order they were recorded. By the ids already
    found, not by a subquery, which would look the periods up a second time (a third of the
    time of a 100,000-place snapshot)."""
    found: dict[int, list[int]] = defaultdict(list)
    if not period_ids:
        return found
    if connection.vendor == "postgresql":  # one array parameter, however many ids
        table = connection.ops.quote_name(PeriodChallenger._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT period_id, group_id FROM {table} WHERE period_id = ANY(%s) ORDER BY id",
                [period_ids],
            )
            batches = [cursor.fetchall()]
    else:  # SQLite's parameter limit
        links = PeriodChallenger.objects.order_by("pk").values_list("period_id", "group_id")
        batches = [
            list(links.filter(period_id__in=period_ids[first : first + 500]))
            for first in range(0, len(period_ids), 500)
        ]
    for batch in batches:
        for period_id, group_id in batch:
            found[period_id].append(group_id)
    return found


def _groups_of(periods: Iterable[PeriodInForce]) -> dict[int, ArmedGroup]:
    ids = {p.controller_id for p in periods if p.controller_id}
    ids |= {g for p in periods for g in p.challenger_ids}
    return ArmedGroup.objects.in_bulk(ids) if ids else {}


def _states(
    places: Iterable[Place],
    in_force: dict[int, PeriodInForce],
    *,
    keep: Callable[[PeriodInForce | None], bool] | None = None,
) -> list[PlaceState]:
    """Each place's :class:`PlaceState` from the periods in force (groups fetched once);
    ``keep(period)`` filters on the period (None for a place of unknown state)."""
    periods = list(in_force.values())
    groups = _groups_of(periods)
    states = []
    for place in places:
        period = in_force.get(place.pk)
        if keep is not None and not keep(period):
            continue
        if period is None:
            states.append(PlaceState(place, UNKNOWN))
            continue
        challengers = sorted((groups[g] for g in period.challenger_ids), key=lambda g: g.name)
        states.append(
            PlaceState(
                place,
                period.status,
                groups.get(period.controller_id) if period.controller_id else None,
                tuple(challengers),
                period.since,
                period.until,
                period.change_id,
            )
        )
    return states


def _involves(period: PeriodInForce | None, group_ids: set[int]) -> bool:
    """Whether one of the groups controls or challenges the place in this period."""
    return period is not None and (
        period.controller_id in group_ids or bool(group_ids.intersection(period.challenger_ids))
    )


def _fetch(values_queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """Rows of a values_list queryset. On PostgreSQL the driver already returns dates and
    floats, so the compiled SQL is run directly, skipping Django's per-value converters (a
    third of the time for a 100k-place answer). SQLite needs the converters (dates are text).
    """
    if connection.vendor != "postgresql":
        return list(values_queryset)
    sql, params = values_queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


# --- Selectors -------------------------------------------------------------------------------


def control_at(
    *,
    on: date,
    theater: Theater | int | None = None,
    bbox: BBox | None = None,
    groups: Iterable[ArmedGroup | int] | None = None,
    kinds: Sequence[str] | None = None,
) -> list[PlaceState]:
    """Every place (matching the filters) with its state on day ``on``, ordered by name.

    ``groups`` keeps the places that one of the groups controls or challenges that day (so
    places of unknown state drop out).
    """
    places = Place.objects.filter(_place_filter(theater=theater, bbox=bbox, kinds=kinds))
    in_force = _periods_in_force(on, _periods_of(theater=theater, bbox=bbox, kinds=kinds))
    wanted = group_ids(groups)
    keep = (lambda period: _involves(period, wanted)) if wanted else None
    return _states(places.defer("area"), in_force, keep=keep)


@dataclass(slots=True)
class Snapshot:
    """Control on one day for many places, as plain rows (the API's fast path).

    ``places`` in name order; ``periods`` maps their ids to the period in force (a place
    missing from it is of unknown state before its first change: :data:`UNKNOWN_PERIOD`);
    ``groups`` resolves the group ids.
    """

    places: list[PlaceRow]
    periods: dict[int, PeriodInForce]
    groups: dict[int, ArmedGroup]

    def rows(self) -> list[tuple[PlaceRow, PeriodInForce]]:
        """Each place with its period (or :data:`UNKNOWN_PERIOD`), in order."""
        period_of, unknown = self.periods.get, UNKNOWN_PERIOD
        return [(place, period_of(place.place_id, unknown)) for place in self.places]


def control_snapshot(
    *,
    on: date,
    theater: Theater | int | None = None,
    bbox: BBox | None = None,
    groups: Iterable[ArmedGroup | int] | None = None,
    kinds: Sequence[str] | None = None,
) -> Snapshot:
    """The same answer as :func:`control_at`, without a model or geometry object per place:
    coordinates come from the database (ST_X/ST_Y)."""
    rows = _place_rows(_place_filter(theater=theater, bbox=bbox, kinds=kinds))
    in_force = _periods_in_force(on, _periods_of(theater=theater, bbox=bbox, kinds=kinds))
    wanted = group_ids(groups)
    places = [
        _named(PlaceRow, row)
        for row in rows
        if not wanted or _involves(in_force.get(row[0]), wanted)
    ]
    return Snapshot(places=places, periods=in_force, groups=_groups_of(in_force.values()))


def theater_places(*, theater: Theater | int) -> list[PlaceRow]:
    """The theater's places in the order :func:`control_snapshot` gives them (by name)."""
    return [_named(PlaceRow, row) for row in _place_rows(Q(theater=theater))]


def _place_rows(place_q: Q) -> list[tuple[Any, ...]]:
    """:class:`PlaceRow` values of the matching places, by name (the model's order)."""
    return _fetch(
        Place.objects.filter(place_q)
        .annotate(lon=PointX("location", DIGITS), lat=PointY("location", DIGITS))
        .values_list("pk", "name", "kind", "importance", "lon", "lat")
    )


@dataclass(frozen=True)
class PeriodsOn:
    """The periods in force on one day, by place id, and the groups they name: a
    :class:`Snapshot` without its places, for callers that already hold them."""

    periods: dict[int, PeriodInForce]
    groups: dict[int, ArmedGroup]

    def shown(self, place_id: int, group_ids: set[int]) -> bool:
        """Whether the place passes a group filter (``group_ids`` empty: no filter)."""
        return not group_ids or _involves(self.periods.get(place_id), group_ids)


def periods_on(*, on: date, theater: Theater | int) -> PeriodsOn:
    """The theater's periods in force on ``on`` (two indexed queries and the groups)."""
    in_force = _periods_in_force(on, _periods_of(theater=theater))
    return PeriodsOn(periods=in_force, groups=_groups_of(in_force.values()))


def group_ids(groups: Iterable[ArmedGroup | int] | None) -> set[int]:
    """The ids of a group filter; empty means "no group filter"."""
    return {g.pk if isinstance(g, ArmedGroup) else int(g) for g in groups or ()}


def place_state_on(*, place: Place, on: date) -> PlaceState:
    return place_states_on(places=[place], on=on)[0]


def place_states_on(*, places: Sequence[Place], on: date) -> list[PlaceState]:
    """The states of these places on ``on``, in their order (one page of a listing)."""
    if not places:
        return []
    periods = ControlPeriod.objects.filter(place_id__in=[place.pk for place in places])
    return _states(places, _periods_in_force(on, periods))


def place_history(*, place: Place) -> list[ControlPeriod]:
    """The place's control periods in order, oldest first; the last is open (``end`` None).
    Two queries: the periods with their controllers, then their challengers."""
    return list(
        ControlPeriod.objects.filter(place=place)
        .select_related("controller")
        .prefetch_related("challengers")
        .order_by("start")
    )


def control_diff(
    *,
    from_date: date,
    to_date: date,
    theater: Theater | int | None = None,
    bbox: BBox | None = None,
    kinds: Sequence[str] | None = None,
) -> list[PlaceDiff]:
    """Places whose state on ``to_date`` differs from their state on ``from_date``.

    Only places with a period beginning in ``(from_date, to_date]`` can differ, so the work
    grows with the number of changes in the window, not with the number of places.
    """
    if from_date > to_date:
        raise ValidationError({"to": f"'to' ({to_date}) must not be before 'from' ({from_date})."})
    place_q = _place_filter(theater=theater, bbox=bbox, kinds=kinds, prefix="place__")
    candidate_ids = set(
        ControlPeriod.objects.filter(place_q, start__gt=from_date, start__lte=to_date)
        .order_by()
        .values_list("place_id", flat=True)
        .distinct()
    )
    if not candidate_ids:
        return []
    places = list(Place.objects.filter(pk__in=candidate_ids).defer("area"))
    scoped = ControlPeriod.objects.filter(place_id__in=candidate_ids)
    before = _states(places, _periods_in_force(from_date, scoped))
    after = _states(places, _periods_in_force(to_date, scoped))
    return [
        PlaceDiff(place=old.place, before=old, after=new)
        for old, new in zip(before, after, strict=True)
        if old.key != new.key
    ]


def series_steps(from_date: date, to_date: date, interval: str) -> list[date]:
    """The sampling days of a series (``from_date``, then every ``interval`` while not after
    ``to_date``), refused with a reason when the range is reversed or too long."""
    if from_date > to_date:
        raise ValidationError({"to": f"'to' ({to_date}) must not be before 'from' ({from_date})."})
    try:
        count = series_length(from_date, to_date, interval)
    except ValueError as exc:
        raise ValidationError({"interval": str(exc)}) from exc
    if count > MAX_SERIES_STEPS:
        raise ValidationError(
            {"interval": f"{count} steps is more than {MAX_SERIES_STEPS}; use a coarser interval."}
        )
    return series_dates(from_date, to_date, interval)


def control_series(
    *,
    theater: Theater | int,
    from_date: date,
    to_date: date,
    interval: str = "month",
) -> ControlSeries:
    """Per group, the number of places it holds (is controller of) and their population, sampled
    at ``from_date`` and every ``interval`` after it up to ``to_date``.

    One query fetches the periods overlapping the window; a sweep over sorted sample dates
    adds each period to the samples it covers.
    """
    steps = series_steps(from_date, to_date, interval)

    rows = (
        ControlPeriod.objects.filter(place__theater=theater, controller__isnull=False)
        .order_by()
        .filter(start__lte=to_date)
        .filter(Q(end__gt=from_date) | Q(end__isnull=True))
        .values_list("controller_id", "start", "end", "place__population")
    )
    n = len(steps)
    place_delta: dict[int, list[int]] = defaultdict(lambda: [0] * (n + 1))
    people_delta: dict[int, list[int]] = defaultdict(lambda: [0] * (n + 1))
    for group_id, start, end, population in rows:
        first = bisect_left(steps, start)
        last = bisect_left(steps, end) if end is not None else n
        if first >= last:
            continue  # the period falls between two samples
        place_delta[group_id][first] += 1
        place_delta[group_id][last] -= 1
        people_delta[group_id][first] += population or 0
        people_delta[group_id][last] -= population or 0

    groups = ArmedGroup.objects.in_bulk(list(place_delta))
    series = [
        GroupSeries(
            group=groups[group_id],
            places=_running_sum(place_delta[group_id])[:n],
            population=_running_sum(people_delta[group_id])[:n],
        )
        for group_id in place_delta
    ]
    series.sort(key=lambda s: s.group.name)
    return ControlSeries(dates=steps, groups=series)


def _running_sum(deltas: list[int]) -> list[int]:
    total, out = 0, []
    for delta in deltas:
        total += delta
        out.append(total)
    return out


TIMELINE_STATUS_CODES = {Status.CONTROLLED: 0, Status.CONTESTED: 1, Status.BESIEGED: 2}
TIMELINE_PLACE_COLUMNS = ("id", "slug", "name", "kind", "importance", "population", "lon", "lat")
TIMELINE_CHANGE_COLUMNS = (
    "day_delta",
    "place_delta",
    "status",
    "controller",
    "challengers",
    "id_delta",
    "doubt",
)
# ``doubt``: what is unsure about a change, as bits (0: its day known, confirmed).
DAY = ControlChange.DatePrecision.DAY.value
DOUBT_DATE = 1  # its date is known only to the month or the year
DOUBT_CONFIDENCE = 2  # its confidence is likely, claimed or disputed
UNSURE = (
    ControlChange.Confidence.LIKELY.value,
    ControlChange.Confidence.CLAIMED.value,
    ControlChange.Confidence.DISPUTED.value,
)


@dataclass(frozen=True)
class TimelineColumns:
    """A theater's published record in columns, each a JSON array (UTF-8 bytes) ready to send.

    ``places``: :data:`TIMELINE_PLACE_COLUMNS`, places ordered by id.
    ``changes``: :data:`TIMELINE_CHANGE_COLUMNS`, ``count`` published changes ordered by date,
    then place, then id. Three columns are running sums, each value the difference from the
    previous change's (the first change's: from ``epoch``, from 0, from 0): ``day_delta``
    of the day, ``place_delta`` of the place's id, ``id_delta`` of the change's id.
    Differences are small numbers, which compress far better than the values (within a
    day, places are in order). ``status`` is a :data:`TIMELINE_STATUS_CODES` code,
    ``controller`` a group id or null, ``challengers`` an array of group ids (in the order
    they were recorded), ``doubt`` bits: :data:`DOUBT_DATE`, :data:`DOUBT_CONFIDENCE`.
    Replaying the changes in order reproduces :func:`control_at` on any day (identical
    consecutive states are harmless: the state is simply restated).
    """

    places: dict[str, bytes]
    count: int
    changes: dict[str, bytes]


def timeline(
    *,
    theater: Theater | int,
    epoch: date,
    from_date: date | None = None,
    to_date: date | None = None,
    bbox: BBox | None = None,
) -> TimelineColumns:
    """On PostgreSQL the database writes the columns' JSON (a million changes: one scan, one
    sort, and some 2,000 rows of text, one per day, instead of a million rows of Python
    values); elsewhere they are built in Python from streamed rows, with the same values."""
    places = Place.objects.filter(_place_filter(theater=theater, bbox=bbox)).order_by("pk")
    published = ControlChange.objects.filter(
        _place_filter(theater=theater, bbox=bbox, prefix="place__"),
        review_state=ControlChange.ReviewState.PUBLISHED,
    )
    if from_date:
        published = published.filter(date__gte=from_date)
    if to_date:
        published = published.filter(date__lte=to_date)
    columns = places.annotate(lon=PointX("location", DIGITS), lat=PointY("location", DIGITS))
    place_rows = columns.values_list(
        "pk", "slug", "name", "kind", "importance", "population", "lon", "lat"
    )
    changes = published.order_by("date", "place_id", "pk").values_list(
        "pk", "date", "place_id", "status", "controller_id", "date_precision", "confidence"
    )
    if connection.vendor == "postgresql":
        return _timeline_in_database(place_rows, changes, epoch)
    return _timeline_in_python(place_rows, changes, epoch)


def _json_array(parts: list[str]) -> bytes:
    """``[`` the parts joined by commas ``]``, as UTF-8, written once."""
    out = bytearray(b"[")
    for i, part in enumerate(parts):
        if i:
            out += b","
        out += part.encode()
    out += b"]"
    return bytes(out)


def _timeline_in_database(
    places: QuerySet[Any, Any], changes: QuerySet[Any, Any], epoch: date
) -> TimelineColumns:
    # The aggregates read their input in the order the subqueries sort it (the order they
    # see rows in, in one pass; an ORDER BY inside each aggregate would sort seven times).
    # Each aggregate sees every row, so the columns are parallel whatever the order.
    place_sql, place_params = places.query.sql_with_params()
    aggregates = ", ".join(
        f"coalesce(json_agg({name}), '[]')::text" for name in TIMELINE_PLACE_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {aggregates} FROM ({place_sql}) AS p({', '.join(TIMELINE_PLACE_COLUMNS)})",
            place_params,
        )
        place_columns = dict(zip(TIMELINE_PLACE_COLUMNS, cursor.fetchone(), strict=True))

    change_sql, change_params = changes.order_by().query.sql_with_params()
    codes = " ".join("WHEN %s THEN %s" for _ in TIMELINE_STATUS_CODES)
    code_params = [v for status, code in TIMELINE_STATUS_CODES.items() for v in (status, str(code))]
    links = ChangeChallenger._meta.db_table
    # One sort (day, place, id) serves the window (each change's predecessor) and the
    # aggregation by day.
    sql = f"""
    SELECT c.day, count(*), string_agg((c.place_id - c.previous_place)::text, ','),
      string_agg(CASE c.status {codes} END, ','),
      string_agg(coalesce(c.controller_id::text, 'null'), ','),
      string_agg(coalesce(c.challengers, '[]'), ','),
      string_agg((c.id - c.previous_id)::text, ','),
      string_agg((CASE WHEN c.date_precision = %s THEN 0 ELSE {DOUBT_DATE} END
        + CASE WHEN c.confidence IN ({", ".join("%s" for _ in UNSURE)}) THEN {DOUBT_CONFIDENCE}
          ELSE 0 END)::text, ',')
    FROM (
      SELECT c.*, ch.ids AS challengers,
        coalesce(lag(c.place_id) OVER w, 0) AS previous_place,
        coalesce(lag(c.id) OVER w, 0) AS previous_id
      FROM ({change_sql}) AS c(id, day, place_id, status, controller_id, date_precision,
        confidence)
      LEFT JOIN (
        SELECT change_id, '[' || string_agg(group_id::text, ',' ORDER BY id) || ']' AS ids
        FROM {links} GROUP BY change_id
      ) ch ON ch.change_id = c.id
      WINDOW w AS (ORDER BY c.day, c.place_id, c.id)
      ORDER BY c.day, c.place_id, c.id
    ) c
    GROUP BY c.day ORDER BY c.day
    """
    columns: dict[str, list[str]] = {name: [] for name in TIMELINE_CHANGE_COLUMNS}
    day_delta, place, status, controller, challengers, ids, doubt = columns.values()
    previous, count = epoch, 0
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # aggregate the sorted rows as sorted (not hashed)
            cursor.execute("SET LOCAL enable_hashagg = off")
        cursor.execute(sql, [*code_params, DAY, *UNSURE, *change_params])
        days = cursor.fetchall()  # one row a day: some 2,000 rows of text
        if connection.in_atomic_block:
            cursor.execute("RESET enable_hashagg")
    for day, n, *texts in days:
        day_delta.append(str((day - previous).days) + ",0" * (n - 1))
        previous, count = day, count + n
        parallel = (place, status, controller, challengers, ids, doubt)
        for column, text in zip(parallel, texts, strict=True):
            column.append(text)
    del days
    return TimelineColumns(
        places={name: text.encode() for name, text in place_columns.items()},
        count=count,
        changes={name: _json_array(columns.pop(name)) for name in TIMELINE_CHANGE_COLUMNS},
    )


def _timeline_in_python(
    places: QuerySet[Any, Any], changes: QuerySet[Any, Any], epoch: date
) -> TimelineColumns:
    place_rows = _fetch(places)
    place_columns = {
        name: orjson.dumps([row[i] for row in place_rows])
        for i, name in enumerate(TIMELINE_PLACE_COLUMNS)
    }
    challengers: dict[int, tuple[int, ...]] = {}
    links = ChangeChallenger.objects.filter(change__in=changes.order_by().values("pk"))
    for change_id, group_id in _fetch(links.order_by("pk").values_list("change_id", "group_id")):
        challengers[change_id] = (*challengers.get(change_id, ()), group_id)
    # typed arrays: 8 bytes a value instead of a Python object each
    day_delta, place_delta, controller, id_delta = (array("q") for _ in range(4))
    status, doubt = array("b"), array("b")
    their_challengers: list[tuple[int, ...]] = []
    previous_day, previous_place, previous_id = epoch, 0, 0
    for change_id, day, place_id, state, controller_id, precision, confidence in _stream(changes):
        day_delta.append((day - previous_day).days)
        place_delta.append(place_id - previous_place)
        id_delta.append(change_id - previous_id)
        previous_day, previous_place, previous_id = day, place_id, change_id
        controller.append(controller_id or 0)
        status.append(TIMELINE_STATUS_CODES[state])
        their_challengers.append(challengers.get(change_id, ()))
        doubt.append(
            (0 if precision == DAY else DOUBT_DATE)
            + (DOUBT_CONFIDENCE if confidence in UNSURE else 0)
        )
    return TimelineColumns(
        places=place_columns,
        count=len(status),
        changes={
            "day_delta": orjson.dumps(day_delta.tolist()),
            "place_delta": orjson.dumps(place_delta.tolist()),
            "status": orjson.dumps(status.tolist()),
            "controller": orjson.dumps([c or None for c in controller]),
            "challengers": orjson.dumps(their_challengers),
            "id_delta": orjson.dumps(id_delta.tolist()),
            "doubt": orjson.dumps(doubt.tolist()),
        },
    )


def _stream(
    values_queryset: QuerySet[Any, Any], chunk_size: int = 20_000
) -> Iterator[tuple[Any, ...]]:
    """Rows of a values_list queryset fetched in chunks (a server-side cursor on PostgreSQL,
    without Django's per-value converters, as in :func:`_fetch`)."""
    if connection.vendor != "postgresql":
        yield from values_queryset.iterator(chunk_size=chunk_size)
        return
    sql, params = values_queryset.query.sql_with_params()
    if connection.in_atomic_block:
        # PostgreSQL plans a cursor for its first tenth of rows by default (a sort-free
        # nested loop here); every row will be read, so plan for all of them: 7 s -> 3.5 s
        # for a million changes. LOCAL: until the transaction (the request) ends.
        with connection.cursor() as plain:
            plain.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


# --- For derived views ------------------------------------------------------------------------

# A day on which some place's controller differs from the day before: its first period with a
# controller, or a period whose controller is not its predecessor's (a period only changing
# status, held -> contested by the same controller, is no such day).
CONTROLLER_DAYS_SQL = f"""
SELECT DISTINCT start FROM (
  SELECT cp.start, cp.controller_id,
         LAG(cp.controller_id) OVER (PARTITION BY cp.place_id ORDER BY cp.start) AS previous,
         ROW_NUMBER() OVER (PARTITION BY cp.place_id ORDER BY cp.start) AS n
  FROM {ControlPeriod._meta.db_table} cp JOIN {Place._meta.db_table} p ON p.id = cp.place_id
  WHERE p.theater_id = %s
) periods
WHERE CASE WHEN n = 1 THEN controller_id IS NOT NULL
           ELSE controller_id IS DISTINCT FROM previous END
ORDER BY start
"""


def controller_change_days(*, theater_id: int) -> list[date]:
    """The days on which the controller of some place of the theater changes, in order: the
    days on which anything derived from who holds what (zones) can change. One scan of the
    theater's periods (about a quarter of a second for a large theater: callers cache it)."""
    with connection.cursor() as cursor:
        cursor.execute(CONTROLLER_DAYS_SQL, [theater_id])
        return [row[0] for row in cursor.fetchall()]


def held_places_on(*, theater_id: int, on: date) -> QuerySet[ControlPeriod, tuple[Any, ...]]:
    """The places of the theater that some group controls on ``on``, as rows of
    ``(place id, location, importance, controller id)``: for derived views that build on
    them in SQL (``queryset.query.sql_with_params()``)."""
    periods = ControlPeriod.objects.filter(place__theater_id=theater_id, controller__isnull=False)
    return periods_containing(on, periods).values_list(
        "place_id", "place__location", "place__importance", "controller_id"
    )
