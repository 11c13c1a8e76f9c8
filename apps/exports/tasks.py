"""Export tasks: building is safe to re-run (it rewrites the file), so it acknowledges late."""

from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="exports.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=8,
)
def build_export(job_id: str) -> str:
    from .builder import run_job
    from .models import ExportJob

    job = ExportJob.objects.select_related("theater").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
        run_job(job)
    return job.status


@shared_task(name="exports.expire_exports")
def expire_exports() -> int:
    """Delete export files older than EXPORT_TTL_HOURS; their jobs say so."""
    from .models import ExportJob

    cutoff = timezone.now() - timedelta(hours=settings.EXPORT_TTL_HOURS)
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    count = 0
    for job in old:
        (Path(settings.EXPORT_ROOT) / job.file).unlink(missing_ok=True)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["status"])
        count += 1
    return count


@shared_task(name="exports.requeue_pending_exports")
def requeue_pending_exports(older_than_s: int | None = None) -> int:
    """Queue again the exports still pending a while after they were asked for."""
    from apps.ops.requeue import requeue_pending

    from .models import ExportJob

    return requeue_pending(ExportJob, build_export, older_than_s=older_than_s)
