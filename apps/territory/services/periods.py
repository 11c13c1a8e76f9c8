"""The derived control periods: rebuilt in the transaction of every change write, in bulk for
imports and fresh loads; each rebuild announces the days whose controller changed
(``territory.signals``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .. import signals
from ..models import (
    ChangeChallenger,
    ControlChange,
    ControlPeriod,
    PeriodChallenger,
    Place,
)
from ..periods import (
    DatedState,
    DayRange,
    PeriodSpec,
    Span,
    State,
    build_periods,
    controller_differences,
)

Published = ControlChange.ReviewState.PUBLISHED


def place_periods_rebuild(*, place: Place) -> None:
    """Bring ``place``'s stored periods in line with its published changes.

    Must run inside the transaction of the write that made it necessary. Its cost grows with
    the place's own history, never with the whole database. Periods that are still right are
    kept (a new latest change only closes the open period and adds one), so ids stay stable
    and the table does not churn; the rest are deleted, re-ended or inserted, in an order
    that never lets two periods overlap, as the exclusion constraint demands at every step.
    """
    changes = (
        ControlChange.objects.filter(place=place, review_state=Published)
        .order_by("date")
        .prefetch_related("challengers")
    )
    wanted = build_periods(DatedState(change_id=c.pk, date=c.date, state=c.state) for c in changes)
    stored = {
        (period.start, period.change_id, period.state): period
        for period in ControlPeriod.objects.filter(place=place).prefetch_related("challengers")
    }
    signals.announce_controllers_changed(
        place.theater_id,
        controller_differences(
            [(p.start, p.end, p.controller_id) for p in stored.values()],
            [(spec.start, spec.end, spec.state.controller_id) for spec in wanted],
        ),
    )
    keep: list[tuple[ControlPeriod, date | None]] = []
    create = []
    for spec in wanted:
        period = stored.pop((spec.start, spec.change_id, spec.state), None)
        if period is None:
            create.append(spec)
        elif period.end != spec.end:
            keep.append((period, spec.end))

    ControlPeriod.objects.filter(pk__in=[p.pk for p in stored.values()]).delete()
    for period, end in keep:  # the starts of kept periods do not move, so no overlap arises
        ControlPeriod.objects.filter(pk=period.pk).update(end=end)
    _insert_periods([(place.pk, spec) for spec in create])


def place_periods_rebuild_many(*, place_ids: Iterable[int]) -> int:
    """Bulk path for imports: rebuild the periods of many places at once (their periods are
    replaced, so their ids change). Same builder as every write; returns periods created."""
    place_ids = sorted(set(place_ids))
    if not place_ids:
        return 0
    changes = (
        ControlChange.objects.filter(place_id__in=place_ids, review_state=Published)
        .order_by("place_id", "date")
        .values_list("pk", "place_id", "date", "status", "controller_id")
    )
    challengers: dict[int, set[int]] = {}
    for change_id, group_id in ChangeChallenger.objects.filter(
        change__place_id__in=place_ids, change__review_state=Published
    ).values_list("change_id", "group_id"):
        challengers.setdefault(change_id, set()).add(group_id)
    by_place: dict[int, list[DatedState]] = {place_id: [] for place_id in place_ids}
    for pk, place_id, day, status, controller_id in changes:
        state = State(status, controller_id, frozenset(challengers.get(pk, ())))
        by_place[place_id].append(DatedState(change_id=pk, date=day, state=state))
    stored = ControlPeriod.objects.filter(place_id__in=place_ids)
    before: dict[int, list[Span]] = {}
    for place_id, start, end, controller_id in stored.values_list(
        "place_id", "start", "end", "controller_id"
    ).iterator(chunk_size=10_000):
        before.setdefault(place_id, []).append((start, end, controller_id))
    stored.delete()
    specs = [
        (place_id, spec)
        for place_id, changes in by_place.items()
        for spec in build_periods(changes)
    ]
    _announce_controllers(before, specs)
    return _insert_periods(specs)


def _announce_controllers(
    before: dict[int, list[Span]], specs: list[tuple[int, PeriodSpec]]
) -> None:
    """Announce the days on which these places' controllers changed, given their periods'
    ``(start, end, controller)`` before and their new periods."""
    if not signals.controllers_watched():
        return  # nobody derives from them (no zones on SpatiaLite): spare an import the work
    after: dict[int, list[Span]] = {}
    for place_id, spec in specs:
        after.setdefault(place_id, []).append((spec.start, spec.end, spec.state.controller_id))
    place_ids = sorted(before.keys() | after.keys())
    theater_of: dict[int, int] = {}
    for chunk in range(0, len(place_ids), 500):  # SQLite's parameter limit
        ids = place_ids[chunk : chunk + 500]
        theater_of.update(Place.objects.filter(pk__in=ids).values_list("pk", "theater_id"))
    by_theater: dict[int, list[DayRange]] = {}
    for place_id in place_ids:
        ranges = controller_differences(before.get(place_id, []), after.get(place_id, []))
        by_theater.setdefault(theater_of[place_id], []).extend(ranges)
    for theater_id, ranges in by_theater.items():
        signals.announce_controllers_changed(theater_id, ranges)


def _insert_periods(specs: list[tuple[int, PeriodSpec]]) -> int:
    """Insert ``(place_id, spec)`` periods with their challengers; returns how many."""
    periods = ControlPeriod.objects.bulk_create(
        (
            ControlPeriod(
                place_id=place_id,
                start=spec.start,
                end=spec.end,
                status=spec.state.status,
                controller_id=spec.state.controller_id,
                change_id=spec.change_id,
            )
            for place_id, spec in specs
        ),
        batch_size=10_000,
    )
    PeriodChallenger.objects.bulk_create(
        (
            PeriodChallenger(period=period, group_id=group_id)
            for period, (_, spec) in zip(periods, specs, strict=True)
            for group_id in sorted(spec.state.challenger_ids)
        ),
        batch_size=10_000,
    )
    return len(periods)
