"""Reads of area layers: the versions in force on a day, the ground gained and lost between
two days, and the series of km² the press quotes. The time rule is the territory's
(``selectors.in_force_on``: ``start <= T < end``)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db.models import Max, QuerySet

from apps.territory import selectors as territory
from apps.territory.models import Theater

from . import geometry as geo
from .models import AreaLayer, AreaSnapshot, AreaVersion


def layers_of(
    theater: Theater, *, layers: list[str] | None = None, group_ids: list[int] | None = None
) -> QuerySet[AreaLayer]:
    found = AreaLayer.objects.filter(theater=theater).select_related("group", "complement")
    if layers:
        found = found.filter(slug__in=layers)
    if group_ids:
        found = found.filter(group_id__in=group_ids)
    return found.order_by("slug")


def versions_on(
    *,
    theater: Theater,
    on: date,
    layers: list[str] | None = None,
    group_ids: list[int] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[AreaVersion]:
    """The version of each layer in force on day ``on`` (a layer with none is left out)."""
    found = territory.in_force_on(
        AreaVersion.objects.filter(
            layer__in=layers_of(theater, layers=layers, group_ids=group_ids)
        ),
        on,
    )
    if bbox is not None:
        found = found.filter(geometry__intersects=Polygon.from_bbox(bbox))
    related = ("layer__group", "layer__complement", "layer__theater", "source")
    return list(found.select_related(*related).defer("gained", "lost").order_by("layer__slug"))


@dataclass(frozen=True)
class LayerDiff:
    layer: AreaLayer
    before: AreaVersion | None
    after: AreaVersion | None
    gained: MultiPolygon
    lost: MultiPolygon
    gained_km2: float
    lost_km2: float


def area_diff(
    *, theater: Theater, from_date: date, to_date: date, layers: list[str] | None = None
) -> list[LayerDiff]:
    """Per layer, the ground held on ``to_date`` and not on ``from_date`` (gained) and the
    reverse (lost). A day before a layer's first version counts as holding nothing."""
    out = []
    empty = MultiPolygon(srid=4326)
    for layer in layers_of(theater, layers=layers):
        versions = AreaVersion.objects.filter(layer=layer)
        before = territory.in_force_on(versions, from_date).first()
        after = territory.in_force_on(versions, to_date).first()
        if before is None and after is None:
            continue
        if before is not None and after is not None and before.pk == after.pk:
            gained, lost = empty, empty
        else:
            gained, lost = geo.gained_and_lost(
                before.geometry if before else empty, after.geometry if after else empty
            )
        out.append(LayerDiff(layer, before, after, gained, lost, geo.km2(gained), geo.km2(lost)))
    return out


@dataclass(frozen=True)
class Disagreement:
    first: AreaVersion | None  # the first layer's version in force (None: none that day)
    second: AreaVersion | None
    only_first: MultiPolygon  # ground the first shows and the second does not
    only_second: MultiPolygon
    only_first_km2: float
    only_second_km2: float


def disagreement(
    *, theater: Theater, on: date, first: AreaLayer, second: AreaLayer
) -> Disagreement:
    """Where two layers disagree on day ``on``: a layer with no version then shows nothing."""
    empty = MultiPolygon(srid=4326)
    versions = []
    for layer in (first, second):
        found = territory.in_force_on(AreaVersion.objects.filter(layer=layer), on)
        versions.append(found.defer("gained", "lost").select_related("source").first())
    a, b = (v.geometry if v is not None else empty for v in versions)
    only_second, only_first = geo.gained_and_lost(a, b)
    return Disagreement(
        versions[0],
        versions[1],
        only_first,
        only_second,
        geo.km2(only_first),
        geo.km2(only_second),
    )


@dataclass(frozen=True)
class LayerSeries:
    layer: AreaLayer
    held_km2: list[float | None]  # on each step's first day (None: before the first version)
    front_km: list[float | None]  # the layer's front line on that day
    gained_km2: list[float]  # from that day to the next step's day (the last: to ``to``)
    lost_km2: list[float]


@dataclass(frozen=True)
class AreaSeries:
    dates: list[date]
    layers: list[LayerSeries]
    reference_km2: float | None


def area_series(
    *,
    theater: Theater,
    from_date: date,
    to_date: date,
    interval: str = "month",
    layers: list[str] | None = None,
) -> AreaSeries:
    """From the stored versions alone (their km² and their gains and losses, computed when
    they were written): one small query per layer, no geometry read."""
    steps = territory.series_steps(from_date, to_date, interval)
    # from each step's day to the next step's (the last: to ``to_date``), both included: the
    # net is the ground held on the next step's day less the ground held on this one's
    bounds = [*steps[1:], to_date]
    out = []
    for layer in layers_of(theater, layers=layers):
        rows = list(
            AreaVersion.objects.filter(layer=layer)
            .order_by("start")
            .values_list("start", "area_km2", "gained_km2", "lost_km2", "front_km")
        )
        starts = [r[0] for r in rows]
        held: list[float | None] = []
        front: list[float | None] = []
        gained: list[float] = []
        lost: list[float] = []
        for step, until in zip(steps, bounds, strict=True):
            k = bisect_right(starts, step) - 1  # the version in force on the step's day
            held.append(rows[k][1] if k >= 0 else None)
            front.append(rows[k][4] if k >= 0 else None)
            # versions that began after the step's day and by the next step's: their changes
            later = rows[bisect_right(starts, step) : bisect_right(starts, until)]
            gained.append(sum((r[2] if r[2] is not None else r[1]) for r in later))
            lost.append(sum(r[3] or 0.0 for r in later))
        out.append(LayerSeries(layer, held, front, gained, lost))
    return AreaSeries(dates=steps, layers=out, reference_km2=theater.reference_km2)


def first_day(theater: Theater, layers: list[str] | None = None) -> date | None:
    """The first day any of these layers shows ground."""
    found = AreaVersion.objects.filter(layer__in=layers_of(theater, layers=layers))
    return found.order_by("start").values_list("start", flat=True).first()


def last_days(layers: QuerySet[AreaLayer]) -> dict[int, date]:
    """Each layer's last published day (its latest snapshot), by layer id, in one query."""
    rows = AreaSnapshot.objects.filter(layer__in=layers).values("layer").annotate(last=Max("day"))
    return {row["layer"]: row["last"] for row in rows}


def last_day(theater: Theater, layers: list[str] | None = None) -> date | None:
    """The last day any of these layers was published (its latest snapshot)."""
    found = AreaSnapshot.objects.filter(layer__in=layers_of(theater, layers=layers))
    return found.order_by("-day").values_list("day", flat=True).first()
