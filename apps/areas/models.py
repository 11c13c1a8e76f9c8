"""Observed areas of control: what an assessor drew as one group's ground, day by day.

A **layer** is one assessor's picture of one group's ground in a theater (DeepStateMap's
Russian-held territory of Ukraine, say); two assessors of one group are two layers. Its
**snapshots** are the days the assessor published (one row a day, the source it came from).
Consecutive snapshots with the same ground are one **version**: a (Multi)Polygon in force over
``[start, end)`` like a control period (``end`` NULL: until further notice), never overlapping
another of its layer (an exclusion constraint on PostgreSQL), with its geodesic km² and the
ground gained and lost against the version before, computed once when written.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q

from apps.territory.db import PostgresExclusionConstraint
from apps.territory.models import ArmedGroup, Source, Theater

COMPLEMENT_MESSAGE = "The complement is the other side: not the layer's own group."


class AreaStatus(models.TextChoices):
    CONTROLLED = "controlled", "Controlled"
    CONTESTED = "contested", "Contested (grey zone)"


class AreaLayer(models.Model):
    theater = models.ForeignKey(Theater, on_delete=models.PROTECT, related_name="area_layers")
    slug = models.SlugField(max_length=120, help_text="Unique in its theater, e.g. deepstate-ru.")
    name = models.CharField(max_length=200)
    group = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="area_layers", help_text="Whose ground."
    )
    status = models.CharField(
        max_length=12, choices=AreaStatus.choices, default=AreaStatus.CONTROLLED
    )
    assessor = models.CharField(
        max_length=200, help_text="Who drew it: a publisher (DeepStateMap, ISW) or these editors."
    )
    complement = models.ForeignKey(
        ArmedGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complement_layers",
        help_text="The side holding the theater's land that the layer leaves out.",
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theater_id", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["theater", "slug"], name="area_layer_unique_slug"),
            models.CheckConstraint(
                condition=Q(complement__isnull=True) | ~Q(complement=models.F("group")),
                name="area_layer_complement_is_another_group",
                violation_error_message=COMPLEMENT_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.assessor})"


class AreaVersion(models.Model):
    layer = models.ForeignKey(AreaLayer, on_delete=models.CASCADE, related_name="versions")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    geometry = models.MultiPolygonField(srid=4326)
    area_km2 = models.FloatField(help_text="Geodesic (WGS 84 ellipsoid).")
    gained = models.MultiPolygonField(srid=4326, null=True, blank=True)
    lost = models.MultiPolygonField(srid=4326, null=True, blank=True)
    gained_km2 = models.FloatField(null=True, blank=True, help_text="Null for a first version.")
    lost_km2 = models.FloatField(null=True, blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="area_versions",
        help_text="The first snapshot showing this ground.",
    )
    front_km = models.FloatField(
        null=True, blank=True, help_text="Its boundary on land, off coasts and borders."
    )
    vertices = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["layer_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "start"], name="area_version_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="area_version_end_after_start",
            ),
            PostgresExclusionConstraint.no_overlap(
                name="area_version_no_overlap",
                key="layer",
                message="Versions of one area layer must not overlap.",
            ),
        ]
        indexes = [models.Index(fields=["start", "end"], name="area_version_start_end")]

    def __str__(self) -> str:
        end = f"{self.end:%Y-%m-%d}" if self.end else "…"
        return f"{self.layer} [{self.start:%Y-%m-%d}, {end}): {self.area_km2:,.0f} km²"


class DeletedAreaVersion(models.Model):
    """A tombstone: a version that was deleted (replaced, merged, or its layer deleted), for
    mirrors that sync through ``area-versions/deleted/``."""

    version_id = models.BigIntegerField()
    layer_id = models.BigIntegerField()
    theater = models.ForeignKey(Theater, on_delete=models.CASCADE, related_name="+")
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["deleted_at", "pk"]


class AreaSnapshot(models.Model):
    """A day the assessor published the layer, and which version shows what it published."""

    layer = models.ForeignKey(AreaLayer, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    version = models.ForeignKey(AreaVersion, on_delete=models.CASCADE, related_name="snapshots")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(max_length=500, blank=True, help_text="The file it came from.")
    repaired = models.BooleanField(default=False, help_text="Its geometry had to be repaired.")

    class Meta:
        ordering = ["layer_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "day"], name="area_snapshot_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.layer} on {self.day:%Y-%m-%d}"
