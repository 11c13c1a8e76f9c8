"""A GIS export built in the background: the published record as GeoJSON, CSV or GeoPackage."""

import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    class Format(models.TextChoices):
        GEOJSON = "geojson", "GeoJSON"
        CSV = "csv", "CSV"
        GPKG = "gpkg", "GeoPackage"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"
        EXPIRED = "expired", "expired (file deleted)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    theater = models.ForeignKey("territory.Theater", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices)
    date = models.DateField(null=True, blank=True, help_text="Control on this day.")
    date_from = models.DateField(null=True, blank=True, help_text="Changes from this day.")
    date_to = models.DateField(null=True, blank=True, help_text="…to this day.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.CharField(max_length=300, blank=True, help_text="Path under EXPORT_ROOT.")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.theater} {self.format} ({self.status})"
