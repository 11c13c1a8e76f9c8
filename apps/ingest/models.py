"""An import: an uploaded file of places and/or changes, run as a background task."""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed (nothing written)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file = models.CharField(
        max_length=100,
        blank=True,
        help_text="The uploaded file's name under IMPORT_ROOT (read by whichever process runs "
        "the import); empty once purged.",
    )
    size = models.PositiveBigIntegerField(default=0, help_text="The uploaded file's bytes.")
    theater = models.ForeignKey(
        "territory.Theater",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where places named without a slug are looked up (and created).",
    )
    dry_run = models.BooleanField(default=False, help_text="Report only; write nothing.")
    publish = models.BooleanField(
        default=False, help_text="Publish the changes (reviewers only); otherwise drafts."
    )

    class Kind(models.TextChoices):
        RECORD = "record", "places and changes"
        AREAS = "areas", "area snapshots"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RECORD)
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text="An area import's layer, group, complement, assessor, name and replace.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="importjob_user_status")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
