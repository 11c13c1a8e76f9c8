"""Export jobs: the one path that asks for one (the API today; any interface tomorrow)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.territory.models import Theater
from apps.users import roles

from .models import ExportJob
from .tasks import build_export

ROLES_ONLY = "Only editors and reviewers may export."


def export_job_start(
    *,
    user: roles.AnyUser,
    theater: Theater,
    format: str,
    date: datetime.date | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> ExportJob:
    """Record a pending export and have a worker build it once the caller's transaction
    commits. Raises ``PermissionDenied`` for a user without a role (exports are kept on disk
    and built by workers: not for any account)."""
    if not roles.is_editor(user):
        raise PermissionDenied(ROLES_ONLY)
    job = ExportJob.objects.create(
        user=user, theater=theater, format=format, date=date, date_from=date_from, date_to=date_to
    )
    transaction.on_commit(lambda: build_export.delay(str(job.pk)), robust=True)
    return job
