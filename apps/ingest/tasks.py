from celery import shared_task


@shared_task(name="ingest.run_import")
def run_import(job_id: str) -> str:
    """Run one import job (a Celery worker in production; in process when eager)."""
    from .importer import run_job
    from .models import ImportJob

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.PENDING:
        run_job(job)
    return job.status
