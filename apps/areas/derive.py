"""Place control derived from an area layer (``manage.py derive_changes``).

For every place of the layer's theater, each day its point enters or leaves the layer's
ground becomes a control change: entering, the layer's group holds it; leaving, the
complement group does (a place outside the ground on the first day starts with the
complement). Each change is ``likely``, says which snapshot it was derived from and cites
that snapshot's source; drafts unless ``publish``.

A change entered by hand always wins: where the place's hand-entered record says something
on that day, nothing is derived; where it says otherwise, the disagreement is reported.
Derived changes are recognised by their summary (``MARK``), so a second run changes nothing,
replaces what the layer now says otherwise, and deletes what it no longer implies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.territory import rules
from apps.territory import services as territory_services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source

from .models import AreaLayer, AreaSnapshot, AreaStatus, AreaVersion

MARK = "Derived from area layer "
Holder = int | None  # a group id; None: nobody is known to hold it (no complement)


@dataclass
class DeriveReport:
    places: int = 0
    created: int = 0
    unchanged: int = 0
    replaced: int = 0
    deleted: int = 0
    agreeing: int = 0  # days the hand-entered record already says the same
    short_flips: int = 0  # holdings shorter than min_days, skipped
    disagreements: list[tuple[str, date, str, str]] = field(default_factory=list)
    refused: list[tuple[str, date, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{self.places:,} places: {self.created:,} changes created, {self.replaced:,} "
            f"replaced, {self.unchanged:,} unchanged, {self.deleted:,} deleted; "
            f"{self.agreeing:,} days the record already says so; {self.short_flips:,} flips "
            f"shorter than --min-days skipped; {len(self.disagreements):,} disagreements."
        ]
        out += [
            f"disagrees: {place} on {day}: the layer says {layer}, the record says {record}"
            for place, day, layer, record in self.disagreements
        ]
        out += [f"refused: {place} on {day}: {why}" for place, day, why in self.refused]
        return out


def marked(layer: AreaLayer) -> str:
    return f"{MARK}{layer.slug!r}"


def derive_changes(
    *,
    layer: AreaLayer,
    from_date: date | None = None,
    to_date: date | None = None,
    min_days: int = 0,
    publish: bool = False,
) -> DeriveReport:
    if layer.status != AreaStatus.CONTROLLED:
        raise ValidationError({"layer": ["Changes are derived from layers of controlled ground."]})
    report = DeriveReport()
    versions = list(AreaVersion.objects.filter(layer=layer).order_by("start"))
    if to_date is not None:
        versions = [v for v in versions if v.start <= to_date]
    if from_date is not None:
        versions = [v for v in versions if v.end is None or v.end > from_date]
    if not versions:
        return report
    places = list(Place.objects.filter(theater_id=layer.theater_id).only("pk", "name", "location"))
    report.places = len(places)
    days = _holdings(layer, versions, places, from_date)
    wanted = {pk: _without_short(seq, min_days, report) for pk, seq in days.items()}
    sources = _sources(layer, versions)
    groups = {
        g.pk: g for g in ArmedGroup.objects.filter(pk__in=[layer.group_id, layer.complement_id])
    }
    with transaction.atomic():
        _write(layer, places, wanted, sources, groups, publish, report, from_date, to_date)
    return report


def _holdings(
    layer: AreaLayer, versions: list[AreaVersion], places: list[Place], from_date: date | None
) -> dict[int, list[tuple[date, Holder]]]:
    """Per place, the days its holder changes by the layer, from its first version on: the
    first version tests every point; each later one only those in its gains and losses."""
    inside_group, outside = layer.group_id, layer.complement_id
    first = versions[0]
    start = max(first.start, from_date) if from_date else first.start
    prepared = first.geometry.prepared
    inside = {p.pk for p in places if prepared.covers(p.location)}
    out: dict[int, list[tuple[date, Holder]]] = {
        p.pk: [(start, inside_group if p.pk in inside else outside)] for p in places
    }
    for version in versions[1:]:
        for shape, holder, now_inside in (
            (version.gained, inside_group, True),
            (version.lost, outside, False),
        ):
            if shape is None:
                continue
            test = shape.prepared
            for place in _near(places, shape):
                if (place.pk in inside) != now_inside and test.covers(place.location):
                    out[place.pk].append((version.start, holder))
                    (inside.add if now_inside else inside.discard)(place.pk)
    return out


def _near(places: list[Place], shape: GEOSGeometry) -> list[Place]:
    xmin, ymin, xmax, ymax = shape.extent
    return [p for p in places if xmin <= p.location.x <= xmax and ymin <= p.location.y <= ymax]


def _without_short(
    seq: list[tuple[date, Holder]], min_days: int, report: DeriveReport
) -> list[tuple[date, Holder]]:
    """Holdings shorter than ``min_days`` dropped (the one before then lasts), then runs of
    the same holder merged; None holders (no complement) are kept as gaps, never written."""
    out = list(seq)
    if min_days > 0:
        k = 1
        while k < len(out) - 1:
            if (out[k + 1][0] - out[k][0]).days < min_days:
                del out[k]
                report.short_flips += 1
                if k < len(out) and out[k][1] == out[k - 1][1]:
                    del out[k]
                continue
            k += 1
    merged: list[tuple[date, Holder]] = []
    for day, holder in out:
        if not merged or merged[-1][1] != holder:
            merged.append((day, holder))
    return merged


def _sources(layer: AreaLayer, versions: list[AreaVersion]) -> dict[date, Source | None]:
    """Each version's first day: the source of the snapshot of that day."""
    starts = {v.start for v in versions}
    found = AreaSnapshot.objects.filter(layer=layer, day__in=starts).select_related("source")
    return {s.day: s.source for s in found}


def _state_text(holder: Holder, groups: dict[int, ArmedGroup]) -> str:
    return f"controlled by {groups[holder].name}" if holder is not None else "unknown"


def _write(
    layer: AreaLayer,
    places: list[Place],
    wanted: dict[int, list[tuple[date, Holder]]],
    sources: dict[date, Source | None],
    groups: dict[int, ArmedGroup],
    publish: bool,
    report: DeriveReport,
    from_date: date | None,
    to_date: date | None,
) -> None:
    mark = marked(layer)
    review = ControlChange.ReviewState.PUBLISHED if publish else ControlChange.ReviewState.DRAFT
    stored = (
        ControlChange.objects.filter(place__theater_id=layer.theater_id)
        .select_related("controller")
        .prefetch_related("challengers")
        .order_by("date")
    )
    by_place: dict[int, list[ControlChange]] = {}
    for change in stored:
        by_place.setdefault(change.place_id, []).append(change)
    proposals: list[rules.ChangeProposal] = []
    stale: list[int] = []
    for place in places:
        changes = by_place.get(place.pk, [])
        hand = [c for c in changes if not c.summary.startswith(mark)]
        derived = {c.date: c for c in changes if c.summary.startswith(mark)}
        keep: set[int] = set()
        others = [rules.Neighbour.of(c) for c in hand]
        for day, holder in wanted.get(place.pk, []):
            if holder is None:
                continue
            said = next((c for c in reversed(hand) if c.date <= day), None)
            if said is not None:  # the hand-entered record speaks for this day: it wins
                if said.status == "controlled" and said.controller_id == holder:
                    report.agreeing += 1
                else:
                    record = said.get_status_display()
                    if said.controller:
                        record += f", {said.controller.name}"
                    report.disagreements.append(
                        (
                            place.name,
                            day,
                            _state_text(holder, groups),
                            f"{record} since {said.date}",
                        )
                    )
                continue
            existing = derived.get(day)
            if (
                existing is not None
                and existing.controller_id == holder
                and (existing.review_state == review)
            ):
                keep.add(existing.pk)
                others.append(rules.Neighbour.of(existing))
                report.unchanged += 1
                continue
            if existing is not None:
                report.replaced += 1
            source = sources.get(day)
            proposal = rules.ChangeProposal(
                place=place,
                date=day,
                status="controlled",
                controller=groups[holder],
                confidence=ControlChange.Confidence.LIKELY,
                review_state=review,
                sources=[source] if source else [],
                summary=f"{mark} ({layer.name}, {layer.assessor}): snapshot of {day}.",
            )
            try:
                rules.check_change_content(errors := rules.Errors(), proposal)
                rules.check_change_neighbours(
                    errors, proposal, sorted(others, key=lambda n: n.date)
                )
                errors.raise_if_any()
            except ValidationError as error:
                report.refused.append((place.name, day, "; ".join(error.messages)))
                continue
            proposals.append(proposal)
            others.append(_neighbour(proposal))
        in_range = [
            c
            for c in derived.values()
            if (from_date is None or c.date >= from_date) and (to_date is None or c.date <= to_date)
        ]
        stale += [c.pk for c in in_range if c.pk not in keep]
    if stale:
        report.deleted = (
            territory_services.control_changes_bulk_delete(
                changes=ControlChange.objects.filter(pk__in=stale)
            )
            - report.replaced
        )
    territory_services.control_changes_bulk_create(proposals=proposals)
    report.created = len(proposals) - report.replaced


def _neighbour(p: rules.ChangeProposal) -> rules.Neighbour:
    return rules.Neighbour(None, p.date, p.review_state, p.state, p.controller)
