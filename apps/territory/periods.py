"""The time semantics of Frontline, in one place, as pure functions.

- A change on day D takes effect on day D.
- A place's history is a sequence of half-open periods ``[start, end)``; ``end=None`` means
  "still in force". Only *published* changes shape periods (callers pass only those).
- Consecutive changes that leave the state identical (possible after an edit or a deletion)
  are merged into one period that begins at the first of them.
- Before a place's first change its state is ``unknown``.

Database access lives elsewhere: ``services.place_periods_rebuild`` feeds published changes
into :func:`build_periods`; ``selectors`` query the stored periods with
:func:`containing_filter`-style predicates.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

UNKNOWN = "unknown"

# A period reduced to what derived zones depend on: (start, end, controller_id).
Span = tuple[date, date | None, int | None]
# Half-open days [start, end); end None: open.
DayRange = tuple[date, date | None]


@dataclass(frozen=True)
class State:
    """What a place is in: the triple that decides whether anything changed."""

    status: str
    controller_id: int | None
    challenger_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DatedState:
    """One published change reduced to what shapes periods."""

    change_id: int
    date: date
    state: State


@dataclass(frozen=True)
class PeriodSpec:
    start: date
    end: date | None
    state: State
    change_id: int

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def build_periods(changes: Iterable[DatedState]) -> list[PeriodSpec]:
    """Turn one place's published changes into its ordered, non-overlapping periods."""
    ordered = sorted(changes, key=lambda c: c.date)
    dates = [c.date for c in ordered]
    if len(set(dates)) != len(dates):
        raise ValueError("A place cannot have two published changes on the same date.")

    merged: list[DatedState] = []
    for change in ordered:
        if merged and merged[-1].state == change.state:
            continue  # no visible change: the earlier period simply goes on
        merged.append(change)

    periods = []
    for current, following in zip(merged, [*merged[1:], None][: len(merged)], strict=True):
        periods.append(
            PeriodSpec(
                start=current.date,
                end=following.date if following else None,
                state=current.state,
                change_id=current.change_id,
            )
        )
    return periods


MAX_SERIES_STEPS = 10_000  # the longest series control_series answers


def series_length(start: date, end: date, interval: str) -> int:
    """How many dates :func:`series_dates` would return, without building them."""
    if end < start:
        return 0
    days = (end - start).days
    if interval == "day":
        return days + 1
    if interval == "week":
        return days // 7 + 1
    if interval == "month":
        return (end.year - start.year) * 12 + end.month - start.month + 1  # at most
    raise ValueError(f"Unknown interval {interval!r}; use day, week or month.")


def series_dates(start: date, end: date, interval: str) -> list[date]:
    """The sampling days of a time series: ``start``, then every interval while ``<= end``.

    ``interval`` is ``day``, ``week`` or ``month``; monthly steps keep the day of the month,
    clamped to the month's length (31 Jan → 28/29 Feb → 31 Mar).
    """
    if end < start:
        raise ValueError("end must not be before start")
    if interval == "day":
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if interval == "week":
        return [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]
    if interval == "month":
        steps: list[date] = []
        month_index = 0
        while True:
            year, month0 = divmod(start.month - 1 + month_index, 12)
            year += start.year
            last_day = calendar.monthrange(year, month0 + 1)[1]
            step = date(year, month0 + 1, min(start.day, last_day))
            if step > end:
                return steps
            steps.append(step)
            month_index += 1
    raise ValueError(f"Unknown interval {interval!r}; use day, week or month.")


def controller_differences(before: Iterable[Span], after: Iterable[Span]) -> list[DayRange]:
    """The half-open day ranges on which a place's controller differs between two versions of
    its periods, each given as ``(start, end, controller_id)``; ``end=None`` is open.

    Derived zones depend on controllers only, so a write invalidates exactly these days.
    Before a place's first period its controller is unknown (``None``).
    """
    before, after = sorted(before), sorted(after)

    def controller_on(periods: Iterable[Span], day: date) -> int | None:
        for start, end, controller in periods:
            if start <= day and (end is None or day < end):
                return controller
        return None

    bounds = sorted({d for start, end, _ in [*before, *after] for d in (start, end) if d})
    following_bounds = [*bounds[1:], None] if bounds else []
    ranges: list[DayRange] = []
    for day, following in zip(bounds, following_bounds, strict=True):
        if controller_on(before, day) == controller_on(after, day):
            continue
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], following)  # adjoining: one range
        else:
            ranges.append((day, following))
    return ranges
