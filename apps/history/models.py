"""The audit trail: one Revision per write to the record, whoever made it and however.

A revision keeps the object's whole state after the write (before it, for a deletion) as
``data``, and what the write changed as ``diff`` ({field: [before, after]}), so the history
reads without joins and any version can be restored, even of a deleted object. ``labels``
holds the names of the objects ``data`` refers to by id at the time of the write.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Revision(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", "created"
        CHANGED = "changed", "changed"
        PUBLISHED = "published", "published"
        UNPUBLISHED = "unpublished", "unpublished"
        DELETED = "deleted", "deleted"
        RESTORED = "restored", "restored"

    class Via(models.TextChoices):
        ADMIN = "admin", "admin"
        API = "api", "API"
        IMPORT = "import", "import"
        COMMAND = "command", "command or shell"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.COMMAND)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(help_text="The object's state after this write (before, if deleted).")
    diff = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    labels = models.JSONField(default=dict, blank=True, help_text="Names of referenced objects.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="revision_object")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.action} {self.at:%Y-%m-%d %H:%M}"
