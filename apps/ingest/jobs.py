"""Import jobs: store an upload, queue it, run it (the one path for the API, admin and tests).

Where an import runs:

- with a broker (production): a Celery worker, queued when the upload commits;
- the embedded default (no broker, ``CELERY_TASK_ALWAYS_EAGER``): one background thread of the
  web process (``IMPORTS_IN_BACKGROUND``), also started when the upload commits, so the upload
  answers 202 at once and other requests go on while the import runs. One thread runs the
  jobs one after the other: SQLite has one writer anyway, and a job's memory is freed before
  the next begins. A process that stops leaves its jobs pending or running; the next upload
  or look at the imports queues them again (``resume_abandoned``), running ones once they are
  stale (``tasks.STALE_RUN``);
- ``IMPORTS_IN_BACKGROUND`` off (the tests): inside the upload, once it commits.

However it runs, ``run_import_now`` first claims the job (pending, or running but stale) with
one conditional UPDATE, so two runners never run one job twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone

from apps.users.models import User

from . import access, files
from .models import ImportJob

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from apps.territory.models import Theater
    from apps.users.roles import AnyUser

logger = logging.getLogger(__name__)
ACTIVE = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)


class TooManyPending(Exception):
    """The user already has IMPORT_MAX_PENDING_PER_USER imports pending or running."""

    def __init__(self, pending: int, limit: int):
        self.pending, self.limit = pending, limit
        super().__init__(
            f"You have {pending} imports waiting or running; the limit is {limit}. "
            "Wait for one to finish (GET imports/ shows their status), then upload again."
        )


class UploadRefused(ValueError):
    """An upload over one of the size limits; the message names the limit."""


def check_upload(*, name: str, size: int) -> None:
    """UploadRefused when a file of this name and size may not be imported (checked by the
    API's and the admin's forms, so the field shows the error, and by ``import_job_start``)."""
    if size > settings.IMPORT_MAX_BYTES:
        raise UploadRefused(
            f"The file is {size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,}."
        )
    geojson = name.lower().endswith((".geojson", ".json"))
    if geojson and size > settings.IMPORT_MAX_GEOJSON_BYTES:
        raise UploadRefused(
            f"The file is {size:,} bytes; a GeoJSON import is read whole, so its limit "
            f"is {settings.IMPORT_MAX_GEOJSON_BYTES:,}. Split it, or import the changes as CSV."
        )


def import_job_create(
    *,
    user: User | None,
    filename: str,
    chunks: Iterable[bytes],
    theater: Theater | None = None,
    dry_run: bool = False,
    publish: bool = False,
    kind: str = ImportJob.Kind.RECORD,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Write the file (in chunks) under IMPORT_ROOT and record the pending job."""
    job_id = uuid.uuid4()
    name, size = files.store(job_id, chunks, filename=filename)
    try:
        job = ImportJob.objects.create(
            id=job_id,
            user=user,
            filename=filename[:255],
            file=name,
            size=size,
            theater=theater,
            dry_run=dry_run,
            publish=publish,
            kind=kind,
            options=options or {},
        )
    except BaseException:
        files.delete(name)
        raise
    return job


def import_job_start(
    *,
    user: AnyUser,
    upload: UploadedFile,
    theater: Theater | None = None,
    dry_run: bool = False,
    publish: bool = False,
    kind: str = ImportJob.Kind.RECORD,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store an upload (Django's ``UploadedFile``) as a job and queue it once the request's
    transaction commits. Raises ``PermissionDenied`` when the user may not import (or not
    publish), ``UploadRefused`` over a size limit, ``TooManyPending`` beyond the user's limit."""
    # area snapshots are published ground: reviewers only
    refusal = access.import_refusal(user, publish=publish or kind == ImportJob.Kind.AREAS)
    if refusal:
        raise PermissionDenied(refusal)
    assert isinstance(user, User)  # an editor is an account
    assert upload.name is not None and upload.size is not None  # an upload has both
    check_upload(name=upload.name, size=upload.size)
    check_pending_limit(user)
    job = import_job_create(
        user=user,
        filename=upload.name,
        chunks=upload.chunks(),
        theater=theater,
        dry_run=dry_run,
        publish=publish,
        kind=kind,
        options=options,
    )
    queue(str(job.pk))
    if not transaction.get_connection().in_atomic_block:  # it may have run already
        job.refresh_from_db()
    return job


def check_pending_limit(user: User | None) -> None:
    """TooManyPending when the user has IMPORT_MAX_PENDING_PER_USER jobs pending or running."""
    limit = settings.IMPORT_MAX_PENDING_PER_USER
    if user is None or not limit:
        return
    if transaction.get_connection().in_atomic_block:  # two uploads at once count one by one
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    pending = ImportJob.objects.filter(user=user, status__in=ACTIVE).count()
    if pending >= limit:
        raise TooManyPending(pending, limit)


def queue(job_id: str) -> None:
    """Run the job once the current transaction commits, where the configuration says."""
    from .tasks import run_import

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # robust: if the broker is down the upload still succeeds; the job stays pending and
        # ingest.requeue_pending_imports (beat) queues it once the broker is back.
        transaction.on_commit(lambda: run_import.delay(job_id), robust=True)
    elif settings.IMPORTS_IN_BACKGROUND:
        transaction.on_commit(lambda: background.submit(job_id), robust=True)
    else:
        transaction.on_commit(lambda: run_import.delay(job_id), robust=True)


def run_import_now(job_id: str) -> str:
    """Claim the job and run it, unless another runner has it (or it is finished)."""
    from .importer import run_job
    from .tasks import STALE_RUN

    now = timezone.now()
    claimable = Q(status=ImportJob.Status.PENDING) | Q(
        Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_RUN),
        status=ImportJob.Status.RUNNING,
    )
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.RUNNING, started_at=now
    )
    if not claimed:
        return job.status
    job.refresh_from_db()
    run_job(job)
    return job.status


class BackgroundImports:
    """The embedded default's runner: one thread, fed job ids after their uploads commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._queued: set[str] = set()

    def submit(self, job_id: str) -> Future[None] | None:
        with self._lock:
            if job_id in self._queued:
                return None
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import")
            self._queued.add(job_id)
            return self._executor.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            close_old_connections()
            run_import_now(job_id)
        except Exception:  # run_job reports its own errors; this is the claim or the save
            logger.exception("Background import %s failed", job_id)
        finally:
            connections.close_all()  # this thread's connections only: none left open
            with self._lock:
                self._queued.discard(job_id)

    def queued(self) -> set[str]:
        with self._lock:
            return set(self._queued)

    def wait(self, timeout: float | None = None) -> None:
        """Until every job submitted so far has run (tests, the smoke script)."""
        with self._lock:
            executor = self._executor
        if executor is not None:
            executor.submit(lambda: None).result(timeout=timeout)


background = BackgroundImports()


def resume_abandoned() -> int:
    """Queue again, in the embedded default, the jobs a stopped process left behind: pending
    ones this process has not queued (after TASK_REQUEUE_AFTER_S), running ones once stale.
    With a broker, beat's ``requeue_pending_imports`` does this; without the thread, nothing
    runs in the background and nothing needs it."""
    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.IMPORTS_IN_BACKGROUND):
        return 0
    from .tasks import STALE_RUN

    now = timezone.now()
    pending = Q(
        status=ImportJob.Status.PENDING,
        created_at__lt=now - timedelta(seconds=settings.TASK_REQUEUE_AFTER_S),
    )
    stale = Q(status=ImportJob.Status.RUNNING) & (
        Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_RUN)
    )
    found = ImportJob.objects.filter(pending | stale).values_list("pk", flat=True)[:100]
    queued = background.queued()
    ids = [str(pk) for pk in found if str(pk) not in queued]
    for job_id in ids:
        transaction.on_commit(partial(background.submit, job_id), robust=True)
    return len(ids)
