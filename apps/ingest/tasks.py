"""Import tasks. A job id goes through the broker, the file stays in the database.

``run_import`` is safe to run twice (an import is all or nothing, and a finished job is not
run again), so it acknowledges late: a worker that dies mid-import leaves the message to
another. Transient database errors are retried with backoff. ``requeue_pending_imports``
(beat, every minute) queues jobs whose message never reached the broker (Redis was down when
they were uploaded): nothing uploaded is lost.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

STALE_RUN = timedelta(minutes=30)  # a "running" job older than this died with its worker


@shared_task(
    name="ingest.run_import", acks_late=True, reject_on_worker_lost=True,
    autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=8,
)  # fmt: skip
def run_import(job_id: str) -> str:
    from .importer import run_job
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    stale = job.status == ImportJob.Status.RUNNING and (
        job.started_at is None or job.started_at < timezone.now() - STALE_RUN
    )
    if job.status == ImportJob.Status.PENDING or stale:
        run_job(job)
    return job.status


@shared_task(name="ingest.requeue_pending_imports")
def requeue_pending_imports(older_than_s: int | None = None) -> int:
    """Queue again the jobs still pending a while after upload (their message was lost)."""
    from .models import ImportJob

    if older_than_s is None:
        older_than_s = settings.TASK_REQUEUE_AFTER_S
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    pending = ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=cutoff)
    ids = [str(pk) for pk in pending.values_list("pk", flat=True)[:100]]
    for job_id in ids:
        run_import.delay(job_id)
    return len(ids)


@shared_task(name="ingest.purge_import_files")
def purge_import_files(days: int = 30) -> int:
    """Drop the uploaded files of finished jobs after `days` (their reports stay)."""
    from .models import ImportJob

    cutoff = timezone.now() - timedelta(days=days)
    finished = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(content=b"")
    return finished.update(content=b"")
