"""A real Celery worker (not eager) on the local Redis runs an import job queued by an upload,
and the job's effect is in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from apps.ingest.jobs import import_job_create
from apps.ingest.models import ImportJob
from apps.territory.models import Place
from tests.factories import TheaterFactory

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"


def database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgis://{s['USER']}{password}@{host}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the worker test runs on PostGIS")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "DEBUG": "false",
        "IMPORT_ROOT": settings.IMPORT_ROOT,  # where the test's uploads are written
    }
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield env
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)  # pytest shows it when the test fails


def call(env: dict, task: str, *args) -> None:
    """Queue a task through the broker (no eager mode here), from another process."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "call",
            task,
            f"--args={json.dumps(list(args))}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_a_worker_runs_a_queued_import(worker):
    theater = TheaterFactory(slug="worker-theater")
    content = b"slug,name,kind,country,lat,lon\nworker-town,Worker Town,town,SY,35.5,40.5\n"
    job = import_job_create(user=None, filename="w.csv", chunks=[content], theater=theater)
    call(worker, "ingest.run_import", str(job.pk))  # through the broker, as an upload does
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
            break
        time.sleep(0.25)
    assert job.status == ImportJob.Status.SUCCEEDED, (job.status, job.errors)
    assert Place.objects.filter(slug="worker-town", theater=theater).exists()


def test_a_worker_computes_the_zone_days_a_write_affects(worker):
    """zones.fill_missing through the broker: the worker computes every zone day of the
    theater (here two: the first holder, then the second)."""
    from datetime import date

    from django.contrib.gis.geos import Point

    from apps.territory import services
    from apps.zones import selectors as zone_selectors
    from apps.zones.models import ZoneSet
    from tests.factories import GroupFactory, PlaceFactory, SourceFactory

    theater = TheaterFactory(slug="zones-theater")
    first, second = GroupFactory(), GroupFactory()
    source = SourceFactory()
    towns = [PlaceFactory(theater=theater, location=Point(38 + i, 35, srid=4326)) for i in (0, 1)]
    for town, group, day in [
        (towns[0], first, date(2015, 1, 1)),
        (towns[1], second, date(2016, 1, 1)),
    ]:
        services.control_change_create(
            place=town,
            date=day,
            status="controlled",
            controller=group,
            sources=[source],
            review_state="published",
        )
    # Queued through the broker as a write queues it on commit (tests/zones checks that writes
    # queue it; here the task crosses Redis to a real worker process).
    call(worker, "zones.fill_missing", theater.pk)
    days = zone_selectors.zone_days(theater.pk)
    assert days == [date(2015, 1, 1), date(2016, 1, 1)]
    deadline = time.monotonic() + 60
    while ZoneSet.objects.filter(theater=theater).count() < 2 and time.monotonic() < deadline:
        time.sleep(0.25)
    stored = dict(ZoneSet.objects.filter(theater=theater).values_list("day", "areas"))
    assert set(stored) == set(days), stored
    assert set(stored[date(2015, 1, 1)]) == {str(first.pk)}
    assert set(stored[date(2016, 1, 1)]) == {str(first.pk), str(second.pk)}
