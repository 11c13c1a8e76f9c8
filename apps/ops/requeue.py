"""Queue again the jobs whose broker message was lost (Redis away when they were saved).

Jobs are rows with a ``status`` and a ``created_at``; their task takes the job's id and is
safe to run twice (it claims the job or sees it finished), so queueing one again is harmless.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

if TYPE_CHECKING:
    from celery import Task

BATCH = 100  # per beat tick: a backlog drains over several ticks instead of flooding the broker


def requeue_pending(
    model: type[Model], task: Task[[str], Any], *, older_than_s: int | None = None
) -> int:
    """``task.delay(id)`` for each job of ``model`` still pending ``older_than_s`` seconds
    (``TASK_REQUEUE_AFTER_S`` by default) after it was created; returns how many."""
    if older_than_s is None:
        older_than_s = settings.TASK_REQUEUE_AFTER_S
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    jobs = model._default_manager
    pending = jobs.filter(status="pending", created_at__lt=cutoff).order_by("created_at")
    ids = [str(pk) for pk in pending.values_list("pk", flat=True)[:BATCH]]
    for job_id in ids:
        task.delay(job_id)
    return len(ids)
