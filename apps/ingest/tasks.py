"""Import tasks. A job id goes through the broker, the file stays under IMPORT_ROOT.

``run_import`` is safe to run twice (an import is all or nothing, a job is claimed by one
conditional update, and a finished job is not run again), so it acknowledges late: a worker
that dies mid-import leaves the message to another. Transient database errors are retried
with backoff. ``requeue_pending_imports`` (beat, every minute) queues jobs whose message never
reached the broker (Redis was down when they were uploaded): nothing uploaded is lost. The
embedded default has no beat: ``jobs.resume_abandoned`` does the same for its thread.
"""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

STALE_RUN = timedelta(minutes=30)  # a "running" job older than this died with its runner
ORPHAN_AGE = timedelta(days=1)  # a file no job names (its upload rolled back) is dropped after


@shared_task(
    name="ingest.run_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def run_import(job_id: str) -> str:
    from .jobs import run_import_now

    return run_import_now(job_id)


@shared_task(name="ingest.requeue_pending_imports")
def requeue_pending_imports(older_than_s: int | None = None) -> int:
    """Queue again the jobs still pending a while after upload (their message was lost)."""
    from apps.ops.requeue import requeue_pending

    from .models import ImportJob

    return requeue_pending(ImportJob, run_import, older_than_s=older_than_s)


@shared_task(name="ingest.purge_import_files")
def purge_import_files(days: int = 30) -> int:
    """Delete the uploaded files of jobs finished more than `days` ago (their reports stay),
    and files no job names; returns how many files were deleted."""
    from . import files
    from .models import ImportJob

    now = timezone.now()
    finished = ImportJob.objects.filter(finished_at__lt=now - timedelta(days=days)).exclude(file="")
    deleted = 0
    for pk, name in finished.values_list("pk", "file").iterator():
        files.delete(name)
        deleted += ImportJob.objects.filter(pk=pk, file=name).update(file="")
    named = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    cutoff = (now - ORPHAN_AGE).timestamp()
    for name, modified in files.stored_names():
        if name not in named and modified < cutoff:
            files.delete(name)
            deleted += 1
    return deleted
