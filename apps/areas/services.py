"""The one write path of area layers, their snapshots and versions.

Every write runs in one transaction that locks the layer's row (two imports of one layer
queue), records a revision per layer and version written, and steps the theater's data
revision (``apps.territory.revisions``), so kept answers never show old ground.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.utils import timezone

from apps.history import recorder
from apps.history.models import Revision
from apps.territory import revisions, rules
from apps.territory.models import ArmedGroup, Source, Theater

from . import frontline
from . import geometry as geo
from .models import (
    COMPLEMENT_MESSAGE,
    AreaLayer,
    AreaSnapshot,
    AreaStatus,
    AreaVersion,
    DeletedAreaVersion,
)

LAYER_FIELDS = {"name", "group", "status", "assessor", "complement", "description", "slug"}


@dataclass(frozen=True)
class DayGround:
    """One published snapshot: the layer's ground from ``day`` on."""

    day: date
    geometry: MultiPolygon
    source: Source | None = None
    origin: str = ""
    repaired: str = ""


@dataclass
class SnapshotsReport:
    added: int = 0  # new days
    unchanged: int = 0  # days already stored with this ground
    replaced: int = 0  # days stored with other ground, replaced (``replace``)
    conflicts: list[tuple[date, str]] = field(default_factory=list)  # refused: (day, origin)
    versions_written: int = 0
    versions_deleted: int = 0


# --- Layers -----------------------------------------------------------------------------------


def _check_layer(layer: AreaLayer) -> None:
    errors = rules.Errors()
    errors.add_field_errors(layer, exclude=["theater", "group", "complement"])
    if layer.complement_id is not None and layer.complement_id == layer.group_id:
        errors.add("complement", COMPLEMENT_MESSAGE)
    clash = AreaLayer.objects.filter(theater_id=layer.theater_id, slug=layer.slug)
    if layer.pk:
        clash = clash.exclude(pk=layer.pk)
    if clash.exists():
        errors.add("slug", f"The theater already has a layer {layer.slug!r}.")
    errors.raise_if_any()


def layer_create(
    *,
    theater: Theater,
    slug: str,
    name: str,
    group: ArmedGroup,
    assessor: str,
    status: str = AreaStatus.CONTROLLED,
    complement: ArmedGroup | None = None,
    description: str = "",
) -> AreaLayer:
    layer = AreaLayer(
        theater=theater,
        slug=slug,
        name=name,
        group=group,
        assessor=assessor,
        status=status,
        complement=complement,
        description=description,
    )
    _check_layer(layer)
    with transaction.atomic():
        layer.save()
        _record(layer, Revision.Action.CREATED)
    return layer


def layer_update(*, layer: AreaLayer, **fields: Any) -> AreaLayer:
    unknown = set(fields) - LAYER_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        layer = AreaLayer.objects.select_for_update().get(pk=layer.pk)
        for name, value in fields.items():
            setattr(layer, name, value)
        _check_layer(layer)
        layer.save()
        _record(layer, Revision.Action.CHANGED)
    return layer


def layer_delete(*, layer: AreaLayer) -> None:
    """Delete a layer and its versions. Each version's deletion is recorded with its ground
    and days after the layer's, so restoring the layer's deletion brings them back."""
    with transaction.atomic():
        _record(layer, Revision.Action.DELETED)
        days: dict[int, list[_Day]] = {}
        for s in AreaSnapshot.objects.filter(layer=layer).order_by("day"):
            days.setdefault(s.version_id, []).append(
                _Day(s.day, ("v", s.version_id), s.source_id, s.origin, s.repaired)
            )
        versions = list(layer.versions.defer("gained", "lost"))
        for version in versions:
            _record(
                version,
                Revision.Action.DELETED,
                days=days.get(version.pk, []),
                ground=version.geometry,
            )
        _tombstones(layer, [v.pk for v in versions])
        revisions.advance([layer.theater_id])
        layer.delete()


# --- Snapshots and versions -----------------------------------------------------------------


def snapshots_add(
    *, layer: AreaLayer, snapshots: Sequence[DayGround], replace: bool = False
) -> SnapshotsReport:
    """Add published days to a layer. A day already stored with the same ground changes
    nothing; with other ground it is refused (reported) unless ``replace``. Consecutive days
    of the same ground are one version; a version's km² and its ground gained and lost
    against the version before are computed when it is written. Cost: the days given, and
    the versions next to them (a longer series appends; nothing else is read again)."""
    report = SnapshotsReport()
    with transaction.atomic():
        layer = AreaLayer.objects.select_for_update().select_related("theater").get(pk=layer.pk)
        plan = _Plan(layer)
        for snapshot in sorted(snapshots, key=lambda s: s.day):
            plan.offer(snapshot, replace=replace, report=report)
        if plan.changed:
            plan.write(report)
            revisions.advance([layer.theater_id])
    return report


def version_delete(*, version: AreaVersion) -> None:
    """Remove a version and the snapshots it shows; the version before it then lasts until
    the next one (its gains and losses, and the next one's, are computed again)."""
    with transaction.atomic():
        layer = (
            AreaLayer.objects.select_for_update().select_related("theater").get(pk=version.layer_id)
        )
        plan = _Plan(layer)
        plan.remove_version(version.pk)
        plan.write(SnapshotsReport())
        revisions.advance([layer.theater_id])


@dataclass
class _Day:
    day: date
    token: tuple[str, int]  # ("v", version id) as stored, or ("new", index into _Plan.new)
    source_id: int | None
    origin: str
    repaired: bool


def _by_day(d: _Day) -> date:
    return d.day


class _Plan:
    """The layer's days and the ground each shows, changed in memory, then written as the
    fewest version rows that change."""

    def __init__(self, layer: AreaLayer):
        self.layer = layer
        self.versions = {
            v.pk: v
            for v in AreaVersion.objects.filter(layer=layer).defer("geometry", "gained", "lost")
        }
        self.order = sorted(self.versions, key=lambda pk: self.versions[pk].start)
        self.days: dict[date, _Day] = {
            s.day: _Day(s.day, ("v", s.version_id), s.source_id, s.origin, s.repaired)
            for s in AreaSnapshot.objects.filter(layer=layer).only(
                "day", "version_id", "source_id", "origin", "repaired"
            )
        }
        self.stored = dict(self.days)  # as stored, before any change
        self.stored_days = set(self.days)
        self.new: list[DayGround] = []
        self.geometries: dict[int, MultiPolygon] = {}
        self.changed = False

    def ground(self, token: tuple[str, int]) -> MultiPolygon:
        kind, key = token
        if kind == "new":
            return self.new[key].geometry
        if key not in self.geometries:
            stored = AreaVersion.objects.values_list("geometry", flat=True).get(pk=key)
            self.geometries[key] = stored
        return self.geometries[key]

    def offer(self, snapshot: DayGround, *, replace: bool, report: SnapshotsReport) -> None:
        stored = self.days.get(snapshot.day)
        if stored is not None:
            if geo.same_ground(self.ground(stored.token), snapshot.geometry):
                report.unchanged += 1
                return
            if not replace:
                report.conflicts.append((snapshot.day, snapshot.origin))
                return
            report.replaced += 1
        else:
            report.added += 1
        self.new.append(snapshot)
        self.days[snapshot.day] = _Day(
            snapshot.day,
            ("new", len(self.new) - 1),
            snapshot.source.pk if snapshot.source else None,
            snapshot.origin,
            bool(snapshot.repaired),
        )
        self.changed = True

    def remove_version(self, version_id: int) -> None:
        self.days = {d: v for d, v in self.days.items() if v.token != ("v", version_id)}
        self.changed = True

    def _same(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        if a == b:
            return True
        if a[0] == "v" and b[0] == "v":  # two stored versions were different ground
            return geo.same_ground(self.ground(a), self.ground(b)) if self._gap(a, b) else False
        return geo.same_ground(self.ground(a), self.ground(b))

    def _gap(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        """Whether versions were not neighbours as stored (a version between was removed)."""
        return abs(self.order.index(a[1]) - self.order.index(b[1])) != 1

    def runs(self) -> list[list[_Day]]:
        runs: list[list[_Day]] = []
        for day in sorted(self.days):
            current = self.days[day]
            if runs and self._same(runs[-1][-1].token, current.token):
                runs[-1].append(current)
            else:
                runs.append([current])
        return runs

    def _before(self, runs: list[list[_Day]], i: int) -> MultiPolygon | None:
        return self.ground(runs[i - 1][0].token) if i else None

    def write(self, report: SnapshotsReport) -> None:
        runs = self.runs()
        n = len(runs)
        starts = [run[0].day for run in runs]
        ends = [*starts[1:], None]
        # each run keeps the first stored version it shows that no earlier run kept, if the
        # run lies within that version's old range (a shrink can never overlap a neighbour)
        row_of: list[int | None] = [None] * n
        kept: set[int] = set()
        for i, run in enumerate(runs):
            for d in run:
                pk = d.token[1]
                if d.token[0] == "v" and pk not in kept:
                    old = self.versions[pk]
                    end = ends[i]
                    if starts[i] >= old.start and (
                        old.end is None or (end is not None and end <= old.end)
                    ):
                        row_of[i] = pk
                        kept.add(pk)
                    break
        stored_before = {pk: (self.order[k - 1] if k else None) for k, pk in enumerate(self.order)}

        def measured_again(i: int) -> bool:  # a new row, or one whose predecessor is another
            pk = row_of[i]
            if pk is None or (i > 0 and row_of[i - 1] is None):
                return True
            return (row_of[i - 1] if i else None) != stored_before[pk]

        recompute = [measured_again(i) for i in range(n)]
        for i in range(n):  # the grounds still to read, before their rows go
            if recompute[i]:
                self.ground(runs[i][0].token)
                if i:
                    self.ground(runs[i - 1][0].token)

        obsolete = [pk for pk in self.order if pk not in kept]
        # the audit trail keeps a deleted version's ground and days (grounds in one query)
        shown: dict[int, list[_Day]] = {}
        for d in sorted(self.stored.values(), key=_by_day):
            shown.setdefault(d.token[1], []).append(d)
        unread = [pk for pk in obsolete if pk not in self.geometries]
        self.geometries.update(
            AreaVersion.objects.filter(pk__in=unread).values_list("pk", "geometry")
        )
        for pk in obsolete:
            _record(
                self.versions[pk],
                Revision.Action.DELETED,
                days=shown.get(pk, []),
                ground=self.geometries[pk],
            )
        _tombstones(self.layer, obsolete)
        AreaVersion.objects.filter(pk__in=obsolete).delete()  # their snapshots go with them
        report.versions_deleted += len(obsolete)

        # shrinks first, then the new rows: at no moment do two rows overlap
        target: list[int] = [0] * n
        for i in range(n):
            kept_pk = row_of[i]
            if kept_pk is None:
                continue
            pk = kept_pk
            version = self.versions[pk]
            fields: dict[str, Any] = {}
            if (starts[i], ends[i]) != (version.start, version.end):
                fields = {"start": starts[i], "end": ends[i]}
            if recompute[i]:
                fields.update(_changes(self._before(runs, i), self.ground(runs[i][0].token)))
            if fields:
                fields["updated_at"] = timezone.now()  # update() skips auto_now: the feeds
                AreaVersion.objects.filter(pk=pk).update(**fields)
                for name, value in fields.items():
                    setattr(version, name, value)
                _record(version, Revision.Action.CHANGED, days=runs[i])
                report.versions_written += 1
            target[i] = pk
        for i in range(n):
            if row_of[i] is not None:
                continue
            ground = self.ground(runs[i][0].token)
            version = AreaVersion(
                layer=self.layer,
                start=starts[i],
                end=ends[i],
                geometry=ground,
                area_km2=geo.km2(ground),
                front_km=frontline.length_km(frontline.front_of(ground, self.layer.theater.bounds)),
                vertices=ground.num_coords,
                source_id=runs[i][0].source_id,
                **_changes(self._before(runs, i), ground),
            )
            version.save()
            _record(version, Revision.Action.CREATED, days=runs[i])
            report.versions_written += 1
            target[i] = version.pk

        # snapshot rows: every day not already stored under the row that now shows it
        moved = [
            (d, target[i]) for i, run in enumerate(runs) for d in run if d.token != ("v", target[i])
        ]
        AreaSnapshot.objects.filter(layer=self.layer, day__in=[d.day for d, _ in moved]).delete()
        dropped = set(self.stored_days) - set(self.days)
        AreaSnapshot.objects.filter(layer=self.layer, day__in=dropped).delete()
        AreaSnapshot.objects.bulk_create(
            (
                AreaSnapshot(
                    layer=self.layer,
                    day=d.day,
                    version_id=pk,
                    source_id=d.source_id,
                    origin=d.origin,
                    repaired=d.repaired,
                )
                for d, pk in moved
            ),
            batch_size=2000,
        )


def _tombstones(layer: AreaLayer, version_ids: list[int]) -> None:
    DeletedAreaVersion.objects.bulk_create(
        DeletedAreaVersion(version_id=pk, layer_id=layer.pk, theater_id=layer.theater_id)
        for pk in version_ids
    )


def _changes(before: MultiPolygon | None, after: MultiPolygon) -> dict[str, Any]:
    if before is None:
        return {"gained": None, "lost": None, "gained_km2": None, "lost_km2": None}
    gained, lost = geo.gained_and_lost(before, after)
    return {
        "gained": gained if not gained.empty else None,
        "lost": lost if not lost.empty else None,
        "gained_km2": geo.km2(gained),
        "lost_km2": geo.km2(lost),
    }


# --- Audit ------------------------------------------------------------------------------------


def _record(
    obj: AreaLayer | AreaVersion,
    action: str,
    *,
    days: Sequence[_Day] = (),
    ground: MultiPolygon | None = None,
) -> None:
    """A revision of a layer, or of a version with the days it shows (their sources and
    files) and, when it is deleted, its ground: while a version exists its ground never
    changes and its row holds it, so only a deletion needs to keep it (``restore``)."""
    if isinstance(obj, AreaLayer):
        data: dict[str, Any] = {
            "theater": obj.theater_id,
            "slug": obj.slug,
            "name": obj.name,
            "group": obj.group_id,
            "status": obj.status,
            "assessor": obj.assessor,
            "complement": obj.complement_id,
            "description": obj.description,
        }
        labels = {"group": str(obj.group), "theater": str(obj.theater)}
    else:
        data = {
            "layer": obj.layer_id,
            "start": obj.start.isoformat(),
            "end": obj.end.isoformat() if obj.end else None,
            "area_km2": obj.area_km2,
            "gained_km2": obj.gained_km2,
            "lost_km2": obj.lost_km2,
            "source": obj.source_id,
            "vertices": obj.vertices,
            "snapshots": [_snapshot_data(d) for d in days],
        }
        if ground is not None:
            data["geometry"] = json.loads(ground.json)  # exact: Python's float repr
        labels = {"layer": str(obj.layer)}
    recorder.record(obj, action=action, data=data, labels=labels)


def _snapshot_data(d: _Day) -> dict[str, Any]:
    data: dict[str, Any] = {"day": d.day.isoformat(), "source": d.source_id, "origin": d.origin}
    if d.repaired:
        data["repaired"] = True
    return data
