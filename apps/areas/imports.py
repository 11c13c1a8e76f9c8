"""Importing a series of snapshots into a layer (``manage.py import_areas``).

Each day becomes a snapshot with a source of its own (the assessor, the day, the file), the
layer is created on first use (it needs its group), and the days are written in date order in
batches, so a long series shows progress and a longer one appends only its new days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from apps.territory import services as territory_services
from apps.territory.models import ArmedGroup, Source, Theater

from . import series as series_files
from . import services, timeline
from .models import AreaLayer

BATCH = 50  # days per transaction


@dataclass
class ImportSummary:
    layer: AreaLayer | None = None
    created_layer: bool = False
    files: int = 0
    days: int = 0
    report: services.SnapshotsReport = field(default_factory=services.SnapshotsReport)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (file, what)

    def lines(self) -> list[str]:
        r = self.report
        out = [
            f"{self.files:,} files, {self.days:,} days: {r.added:,} added, "
            f"{r.unchanged:,} unchanged, {r.replaced:,} replaced, {len(r.conflicts):,} refused "
            f"(stored with other ground; --replace to replace them); versions: "
            f"{r.versions_written:,} written, {r.versions_deleted:,} deleted."
        ]
        if self.layer is not None:
            count = self.layer.versions.count()
            out.append(f"Layer {self.layer.slug!r} now has {count:,} versions.")
        out += [f"repaired {origin}: {what}" for origin, what in self.repaired]
        out += [f"refused {day}: {origin}" for day, origin in r.conflicts]
        out += [f"error {origin}: {message}" for origin, message in self.problems]
        return out


def import_series(
    paths: list[str],
    *,
    theater: Theater,
    layer_slug: str,
    group: ArmedGroup | None = None,
    complement: ArmedGroup | None = None,
    assessor: str | None = None,
    name: str | None = None,
    replace: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> ImportSummary:
    summary = ImportSummary()
    found = series_files.read(paths)
    summary.files, summary.days, summary.problems = found.files, len(found.days), found.problems
    summary.repaired = [(f.origin, f.ground.repaired) for f in found.days if f.ground.repaired]
    if found.problems:  # nothing is written from a series that cannot all be read
        return summary
    layer = AreaLayer.objects.filter(theater=theater, slug=layer_slug).first()
    if layer is None:
        if group is None:
            raise ValidationError({"group": [f"A new layer {layer_slug!r} needs its group."]})
        if not assessor:
            raise ValidationError(
                {"assessor": [f"A new layer {layer_slug!r} needs its assessor (who drew it)."]}
            )
        layer = services.layer_create(
            theater=theater,
            slug=layer_slug,
            name=name or layer_slug,
            group=group,
            complement=complement,
            assessor=assessor,
        )
        summary.created_layer = True
    else:
        changed = {
            key: value
            for key, value in (("group", group), ("complement", complement), ("assessor", assessor))
            if value is not None and value != getattr(layer, key)
        }
        if changed:
            layer = services.layer_update(layer=layer, **changed)
    summary.layer = layer
    for first in range(0, len(found.days), BATCH):
        batch = found.days[first : first + BATCH]
        snapshots = [
            services.DayGround(
                day=f.day,
                geometry=f.ground.geometry,
                source=_source(layer, f),
                origin=f.origin,
                repaired=f.ground.repaired,
            )
            for f in batch
        ]
        step = services.snapshots_add(layer=layer, snapshots=snapshots, replace=replace)
        _add(summary.report, step)
        progress(
            f"  {first + len(batch):,}/{len(found.days):,} days (to {batch[-1].day}): "
            f"{summary.report.added:,} added, {summary.report.unchanged:,} unchanged"
        )
    if summary.report.versions_written or summary.report.versions_deleted:
        progress("  encoding the layer's area timeline for the map ...")
        timeline.warm(layer)
    return summary


def _source(layer: AreaLayer, found: series_files.Found) -> Source:
    key = f"{layer.theater.slug}-{layer.slug}-{found.day:%Y%m%d}"[-120:]
    existing = Source.objects.filter(key=key).first()
    if existing is not None:
        return existing
    publisher = layer.assessor or layer.name
    return territory_services.source_create(
        key=key,
        title=f"{publisher} snapshot of {found.day:%Y-%m-%d} ({found.origin})"[:500],
        publisher=publisher[:200],
        published=found.day,
    )


def _add(total: services.SnapshotsReport, step: services.SnapshotsReport) -> None:
    total.added += step.added
    total.unchanged += step.unchanged
    total.replaced += step.replaced
    total.conflicts += step.conflicts
    total.versions_written += step.versions_written
    total.versions_deleted += step.versions_deleted
