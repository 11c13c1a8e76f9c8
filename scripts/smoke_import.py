# Imports, the audit trail and a restore on the embedded database (run by smoke-embedded.sh
# through `manage.py shell` after the reference dataset is loaded), then an upload run in the
# background thread, as the embedded server runs it, while this thread reads.
import csv
import io
import time
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.history.models import Revision
from apps.ingest import jobs
from apps.ingest.importer import run_job
from apps.ingest.models import ImportJob
from apps.territory import selectors, services
from apps.territory.models import Place, Theater
from apps.users.models import User

reviewer = User.objects.create_user("smoke-reviewer")
reviewer.groups.add(Group.objects.get(name="Reviewers"))
reviewer = User.objects.get(pk=reviewer.pk)
theater = Theater.objects.get(slug="syria-iraq-2014-2019")  # the reference theater


def run(content: bytes, **options) -> ImportJob:
    job = jobs.import_job_create(
        user=reviewer, filename="smoke.csv", chunks=[content], theater=theater, **options
    )
    run_job(job)
    job.refresh_from_db()
    assert job.status == "succeeded", (job.summary, job.errors)
    return job


reference = (settings.REFERENCE_DATA_DIR / "changes.csv").read_bytes()
rows = len(list(csv.DictReader(io.StringIO(reference.decode()))))
again = run(reference, publish=True)
assert again.counts == {"changes": {"unchanged": rows}}, again.counts
run(b"slug,name,kind,country,lat,lon\nsmoke-town,Smoke Town,town,SY,35.5,40.5\n")
job = run(
    b"place,date,status,controller,sources\n"
    b"Smoke Town,2015-01-01,controlled,islamic-state,houston-chronicle-2017-11-04\n"
    b"smoke-town,2017-11-03,controlled,syrian-government,houston-chronicle-2017-11-04\n",
    publish=True,
)
assert job.counts == {"changes": {"created": 2}}, job.counts
place = Place.objects.get(slug="smoke-town")
assert (
    selectors.place_state_on(place=place, on=date(2017, 11, 4)).controller.slug
    == "syrian-government"
)
latest = place.changes.get(date=date(2017, 11, 3))
created = Revision.objects.get(content_type__model="controlchange", object_id=latest.pk)
assert (created.via, created.user) == ("import", reviewer)
latest_id = latest.pk
services.control_change_delete(change=latest)
deleted = Revision.objects.get(
    content_type__model="controlchange", action="deleted", object_id=latest_id
)
services.revision_restore(revision=deleted)
assert (
    selectors.place_state_on(place=place, on=date(2017, 11, 4)).controller.slug
    == "syrian-government"
)

assert settings.IMPORTS_IN_BACKGROUND, "the embedded default runs imports in the background"
rows = [b"place,date,status,controller,sources"]
days = [date.fromordinal(date(2007, 1, 1).toordinal() + i) for i in range(2500)]
rows += [
    f"smoke-town,{day},controlled,{('islamic-state', 'syrian-government')[i % 2]},"
    f"houston-chronicle-2017-11-04".encode()
    for i, day in enumerate(days)
]
upload = SimpleUploadedFile("smoke-big.csv", b"\n".join(rows) + b"\n", content_type="text/csv")
started = time.monotonic()
job = jobs.import_job_start(user=reviewer, upload=upload, theater=theater, dry_run=True)
reads = []
while ImportJob.objects.get(pk=job.pk).status in ("pending", "running"):
    read = time.monotonic()
    assert Place.objects.filter(slug="smoke-town").exists()
    reads.append(time.monotonic() - read)
    time.sleep(0.05)
jobs.background.wait(timeout=120)
job.refresh_from_db()
assert job.status == "succeeded", (job.summary, job.errors[:3])
print(
    f"background dry run of 2,500 rows: {time.monotonic() - started:.1f} s; "
    f"{len(reads)} reads meanwhile, slowest {max(reads, default=0) * 1000:.0f} ms"
)
print("imports, audit trail and restore: ok")
