"""The embedded default runs imports off the request (IMPORTS_IN_BACKGROUND, on when Celery is
eager): the upload answers 202 at once, reads go on while the import runs, the import checks
with no transaction open, and a job that a stopped server left behind runs again.

These tests commit their data (a thread cannot see a test's open transaction)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.ingest import importer
from apps.ingest.jobs import background, import_job_create
from apps.ingest.models import ImportJob
from apps.territory.models import ControlChange
from apps.users.models import User
from apps.users.roles import REVIEWERS
from tests.api.conftest import client_for
from tests.factories import GroupFactory, PlaceFactory, SourceFactory

# Not serialized_rollback: its teardown leaves the tables empty (content types, roles) for
# the next test; a plain flush re-creates them (post_migrate), as the worker tests rely on.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_background(settings, tmp_path):
    """The embedded default's configuration (no broker, imports in a thread)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.IMPORTS_IN_BACKGROUND = True
    settings.IMPORT_ROOT = str(tmp_path)
    yield
    background.wait(timeout=60)


@pytest.fixture
def reviewer():
    account = User.objects.create_user("bg-reviewer", password="bg-reviewer-password-9")
    account.groups.add(Group.objects.get(name=REVIEWERS))
    return account


def changes_file(place, groups, source, count: int) -> bytes:
    lines = ["place,date,status,controller,sources"]
    start = timezone.localdate() - timedelta(days=count + 10)
    for i in range(count):
        day = (start + timedelta(days=i)).isoformat()
        lines.append(f"{place.slug},{day},controlled,{groups[i % 2].slug},{source.key}")
    return ("\n".join(lines) + "\n").encode()


def test_the_upload_answers_at_once_and_reads_go_on_while_the_import_runs(
    in_background, reviewer, monkeypatch
):
    place, groups, source = (
        PlaceFactory(),
        [GroupFactory(), GroupFactory()],
        SourceFactory(key="bg-source"),
    )
    started, release = threading.Event(), threading.Event()
    seen = {}
    check = importer.ChangeImport.check

    def held(self, records):  # the real checks, once the test has looked at the running job
        seen["thread"] = threading.current_thread().name
        seen["in_transaction"] = connection.in_atomic_block
        started.set()
        assert release.wait(30)
        return check(self, records)

    monkeypatch.setattr(importer.ChangeImport, "check", held)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(reviewer)
    body = changes_file(place, groups, source, 50)
    file = SimpleUploadedFile("changes.csv", body, content_type="text/csv")
    response = client.post(
        "/api/v1/imports/", {"file": file, "publish": "true"}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"  # answered before the import ran
    assert started.wait(10), "the import did not start after the upload"
    try:
        assert client.get(response["Location"]).json()["status"] == "running"
        anonymous = APIClient(HTTP_HOST="127.0.0.1")
        read = anonymous.get(f"/api/v1/places/{place.pk}/history/")
        assert read.status_code == 200, read.content  # reads answer during the import
        assert not ControlChange.objects.filter(place=place).exists()
    finally:
        release.set()
    background.wait(timeout=60)
    job = ImportJob.objects.get()
    assert (job.status, job.counts) == ("succeeded", {"changes": {"created": 50}}), job.errors
    assert ControlChange.objects.filter(place=place, review_state="published").count() == 50
    assert seen["thread"].startswith("import") and seen["in_transaction"] is False


def test_a_job_a_stopped_server_left_running_runs_again_once_stale(in_background, reviewer):
    place, groups, source = (
        PlaceFactory(),
        [GroupFactory(), GroupFactory()],
        SourceFactory(key="bg-source"),
    )
    content = changes_file(place, groups, source, 3)
    stale = import_job_create(user=reviewer, filename="a.csv", chunks=[content])
    recent = import_job_create(user=reviewer, filename="b.csv", chunks=[content])
    long_ago = timezone.now() - timedelta(hours=2)
    ImportJob.objects.filter(pk=stale.pk).update(status="running", started_at=long_ago)
    ImportJob.objects.filter(pk=recent.pk).update(status="running", started_at=timezone.now())
    client = client_for(reviewer)
    assert client.get("/api/v1/imports/").status_code == 200  # a look at the imports
    background.wait(timeout=60)
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == "succeeded", stale.errors
    assert stale.counts == {"changes": {"created": 3}}
    assert recent.status == "running"  # perhaps still running elsewhere: left alone


def test_a_pending_job_whose_process_stopped_is_queued_again(in_background, reviewer, settings):
    place, groups, source = (
        PlaceFactory(),
        [GroupFactory(), GroupFactory()],
        SourceFactory(key="bg-source"),
    )
    job = import_job_create(
        user=reviewer, filename="a.csv", chunks=[changes_file(place, groups, source, 2)]
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    settings.TASK_REQUEUE_AFTER_S = 60
    assert client_for(reviewer).get(f"/api/v1/imports/{job.pk}/").status_code == 200
    background.wait(timeout=60)
    job.refresh_from_db()
    assert job.status == "succeeded", job.errors
