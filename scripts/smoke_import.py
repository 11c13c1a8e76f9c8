# Imports, the audit trail and a restore on the embedded database (run by smoke-embedded.sh
# through `manage.py shell` after the reference dataset is loaded).
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group

from apps.history.models import Revision
from apps.ingest.importer import run_job
from apps.ingest.models import ImportJob
from apps.territory import selectors, services
from apps.territory.models import Place, Theater
from apps.users.models import User

reviewer = User.objects.create_user("smoke-reviewer")
reviewer.groups.add(Group.objects.get(name="Reviewers"))
reviewer = User.objects.get(pk=reviewer.pk)
theater = Theater.objects.get()


def run(content: bytes, **options) -> ImportJob:
    job = ImportJob.objects.create(user=reviewer, filename="smoke.csv", content=content,
                                   theater=theater, **options)  # fmt: skip
    run_job(job)
    job.refresh_from_db()
    assert job.status == "succeeded", (job.summary, job.errors)
    return job


again = run((settings.REFERENCE_DATA_DIR / "changes.csv").read_bytes(), publish=True)
assert again.counts == {"changes": {"unchanged": 166}}, again.counts
run(b"slug,name,kind,country,lat,lon\nsmoke-town,Smoke Town,town,SY,35.5,40.5\n")
job = run(b"place,date,status,controller,sources\n"
          b"Smoke Town,2015-01-01,controlled,islamic-state,houston-chronicle-2017-11-04\n"
          b"smoke-town,2017-11-03,controlled,syrian-government,houston-chronicle-2017-11-04\n",
          publish=True)  # fmt: skip
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
deleted = Revision.objects.get(content_type__model="controlchange", action="deleted",
                               object_id=latest_id)  # fmt: skip
services.revision_restore(revision=deleted)
assert (
    selectors.place_state_on(place=place, on=date(2017, 11, 4)).controller.slug
    == "syrian-government"
)
print("imports, audit trail and restore: ok")
