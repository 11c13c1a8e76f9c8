"""The admin as editors use it: every form saves through the services, every rule is a form
error, concurrent saves never overwrite, and everything lands in the audit trail."""

from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import Point

from apps.history.models import Revision
from apps.territory import selectors, services
from apps.territory.models import ControlChange, DeletedControlChange, Place
from tests.factories import ChangeFactory, SourceFactory

pytestmark = pytest.mark.django_db
ADD_CHANGE = "/admin/territory/controlchange/add/"


def change_url(change, action="change"):
    return f"/admin/territory/controlchange/{change.pk}/{action}/"


def change_form(place, group, source, **extra):
    data = {
        "place": place.pk,
        "date": "2015-03-01",
        "date_precision": "day",
        "status": "controlled",
        "controller": group.pk,
        "confidence": "confirmed",
        "summary": "Taken after a week of fighting.",
        "sources": [source.pk],
        "review_state": "draft",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> dict:
    """Field -> messages of the admin form shown again, its inline rows' too."""
    assert response.status_code == 200, response.status_code
    errors = {k: " ".join(v) for k, v in response.context["adminform"].form.errors.items()}
    for inline in response.context["inline_admin_formsets"]:
        for i, form_errors in enumerate(inline.formset.errors):
            errors.update(
                {f"{inline.formset.prefix}-{i}-{k}": " ".join(v) for k, v in form_errors.items()}
            )
        if inline.formset.non_form_errors():
            errors[f"{inline.formset.prefix}"] = " ".join(inline.formset.non_form_errors())
    return errors


def test_an_editor_adds_a_draft_change_with_a_source(as_editor, editor, place, isis):
    source = SourceFactory()
    response = as_editor.post(ADD_CHANGE, change_form(place, isis, source))
    assert response.status_code == 302, errors_of(response)
    change = ControlChange.objects.get(place=place)
    assert change.review_state == "draft" and list(change.sources.all()) == [source]
    assert change.author == editor
    revision = Revision.objects.get(content_type__model="controlchange", object_id=change.pk)
    assert (revision.action, revision.user, revision.via) == ("created", editor, "admin")


def test_an_editor_cannot_publish_from_the_form(as_editor, place, isis):
    response = as_editor.post(
        ADD_CHANGE, change_form(place, isis, SourceFactory(), review_state="published")
    )
    assert "reviewer" in errors_of(response)["__all__"]
    assert not ControlChange.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"date": (date.today() + timedelta(days=2)).isoformat()}, "date", "future"),
        ({"status": "contested", "controller": None}, "challenger_groups", "contesting"),
        ({"sources": None, "review_state": "published"}, "sources", "source"),
    ],
)
def test_domain_rules_are_form_errors_on_their_field(as_reviewer, place, isis, extra, field, words):
    response = as_reviewer.post(ADD_CHANGE, change_form(place, isis, SourceFactory(), **extra))
    errors = errors_of(response)
    assert words in errors.get(field, "").lower(), errors
    assert not ControlChange.objects.exists()


def test_a_change_that_changes_nothing_and_a_duplicate_date_are_refused(as_editor, place, isis):
    ChangeFactory(place=place, controller=isis, date=date(2015, 1, 1))
    noop = as_editor.post(ADD_CHANGE, change_form(place, isis, SourceFactory()))
    assert "nothing" in " ".join(errors_of(noop).values()).lower()
    duplicate = as_editor.post(
        ADD_CHANGE, change_form(place, isis, SourceFactory(), date="2015-01-01")
    )
    assert "already" in " ".join(errors_of(duplicate).values()).lower()
    assert ControlChange.objects.count() == 1


def test_second_of_two_concurrent_saves_is_refused_and_the_first_survives(
    as_editor, editor, place, isis, syria
):
    change = ChangeFactory(place=place, controller=isis, review_state="draft")
    first = change_form(place, isis, SourceFactory(), version=1, summary="First editor's words.")
    second = change_form(place, syria, SourceFactory(), version=1, summary="Second editor's.")
    # Both opened version 1; the first saves.
    assert as_editor.post(change_url(change), first).status_code == 302
    response = as_editor.post(change_url(change), second)
    message = errors_of(response)["__all__"]
    assert "someone else" in message and "nothing was overwritten" in message
    assert "summary" in message and "First editor" in message  # what changed meanwhile
    change.refresh_from_db()
    assert change.summary == "First editor's words." and change.controller == isis
    assert change.version == 2


def test_a_reviewer_publishes_with_the_action_and_control_reflects_it(as_reviewer, place, isis):
    change = ChangeFactory(place=place, controller=isis, review_state="draft")
    assert selectors.place_state_on(place=place, on=date(2015, 6, 1)).status == "unknown"
    response = as_reviewer.post(
        "/admin/territory/controlchange/",
        {"action": "publish", "_selected_action": [change.pk]},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.review_state == "published"
    assert selectors.place_state_on(place=place, on=date(2015, 6, 1)).controller == isis
    assert Revision.objects.filter(object_id=change.pk, action="published").exists()


def test_the_publish_action_refuses_editors(as_editor, place, isis):
    change = ChangeFactory(place=place, controller=isis, review_state="draft")
    as_editor.post(
        "/admin/territory/controlchange/", {"action": "publish", "_selected_action": [change.pk]}
    )
    change.refresh_from_db()
    assert change.review_state == "draft"


def test_editors_cannot_edit_published_changes_or_delete(as_editor, place, isis):
    change = ChangeFactory(place=place, controller=isis)
    edit = change_form(place, isis, SourceFactory(), version=1, review_state="published")
    assert as_editor.post(change_url(change), edit).status_code == 403
    assert as_editor.post(change_url(change, "delete"), {"post": "yes"}).status_code == 403
    assert ControlChange.objects.filter(pk=change.pk).exists()


def test_a_reviewer_deletes_through_the_services(as_reviewer, reviewer, place, isis):
    change = ChangeFactory(place=place, controller=isis)
    response = as_reviewer.post(change_url(change, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert DeletedControlChange.objects.get(change_id=change.pk).deleted_by == reviewer
    assert selectors.place_state_on(place=place, on=date(2016, 1, 1)).status == "unknown"


def test_history_lists_revisions_and_restore_works(as_reviewer, place, isis, syria):
    change = ChangeFactory(place=place, controller=isis)
    services.control_change_update(change=change, version=1, controller=syria)
    page = as_reviewer.get(change_url(change, "history"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Islamic State" in text and "Syrian government" in text and "Restore" in text
    created = Revision.objects.get(
        object_id=change.pk, action="created", content_type__model="controlchange"
    )
    response = as_reviewer.post(f"/admin/territory/controlchange/restore/{created.pk}/")
    assert response.status_code == 302
    assert selectors.place_state_on(place=place, on=date(2016, 1, 1)).controller == isis


def test_an_editor_adds_a_place_with_a_change_inline_and_errors_roll_back_both(
    as_editor, theater, isis
):
    data = {
        "theater": theater.pk,
        "name": "Tell Abyad",
        "slug": "tell-abyad",
        "kind": "town",
        "country": "SY",
        "aliases": "Tal Abyad\nGirê Spî",
        "importance": 3,
        "location": Point(38.95, 36.7, srid=4326).geojson,
        "changes-TOTAL_FORMS": 1,
        "changes-INITIAL_FORMS": 0,
        "changes-MIN_NUM_FORMS": 0,
        "changes-MAX_NUM_FORMS": 1000,
        "changes-0-date": "2014-06-20",
        "changes-0-date_precision": "day",
        "changes-0-status": "controlled",
        "changes-0-controller": isis.pk,
        "changes-0-confidence": "confirmed",
        "changes-0-review_state": "draft",
    }
    bad = {**data, "changes-0-date": (date.today() + timedelta(days=5)).isoformat()}
    response = as_editor.post("/admin/territory/place/add/", bad)
    errors = errors_of(response)
    assert "future" in errors.get("changes-0-date", ""), errors  # shown again with the row's error
    assert not Place.objects.filter(slug="tell-abyad").exists()  # the place rolled back too

    response = as_editor.post("/admin/territory/place/add/", data)
    assert response.status_code == 302, errors_of(response)
    place = Place.objects.get(slug="tell-abyad")
    assert place.aliases == ["Tal Abyad", "Girê Spî"]
    assert place.changes.get().controller == isis


def test_place_search_finds_aliases_in_any_spelling(as_editor, theater):
    from tests.factories import PlaceFactory

    PlaceFactory(theater=theater, name="Deir ez-Zor", aliases=["Dayr az-Zawr"])
    page = as_editor.get("/admin/territory/controlchange/", {"q": "DAYR AZ ZAWR"})
    assert page.status_code == 200
    page = as_editor.get("/admin/territory/place/", {"q": "dayr az-zawr"})
    assert "Deir ez-Zor" in page.content.decode()


def test_group_colour_has_a_picker(as_reviewer, isis):
    page = as_reviewer.get(f"/admin/territory/armedgroup/{isis.pk}/change/").content.decode()
    assert 'type="color"' in page and 'value="#1a1a1a"' in page


def test_a_place_outside_its_theater_and_a_bad_geometry_are_form_errors(as_editor, theater):
    data = {
        "theater": theater.pk,
        "name": "Far away",
        "slug": "far-away",
        "kind": "town",
        "country": "FR",
        "importance": 3,
        "location": Point(2.35, 48.85, srid=4326).geojson,
        "changes-TOTAL_FORMS": 0,
        "changes-INITIAL_FORMS": 0,
    }
    errors = errors_of(as_editor.post("/admin/territory/place/add/", data))
    assert "outside" in errors.get("location", ""), errors
    bowtie = '{"type": "Polygon", "coordinates": [[[40,35],[41,36],[41,35],[40,36],[40,35]]]}'
    data.update(location=Point(40.5, 35.5, srid=4326).geojson, area=bowtie)
    errors = errors_of(as_editor.post("/admin/territory/place/add/", data))
    assert "area" in errors, errors
    assert not Place.objects.filter(slug="far-away").exists()


def test_a_group_outside_its_dates_is_a_form_error(as_editor, place):
    from tests.factories import GroupFactory

    late = GroupFactory(name="Late group", founded=date(2016, 1, 1))
    response = as_editor.post(ADD_CHANGE, change_form(place, late, SourceFactory()))
    assert "founded" in errors_of(response).get("controller", "")


def test_an_import_is_uploaded_from_the_admin(
    as_editor, editor, theater, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.ingest.models import ImportJob

    content = (
        "slug,name,kind,country,lat,lon,theater\n"
        f"admin-upload,Admin Upload,village,SY,35.5,40.5,{theater.slug}\n"
    ).encode()
    upload = SimpleUploadedFile("places.csv", content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the task runs after the commit
        response = as_editor.post("/admin/ingest/importjob/add/", {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.user, job.counts) == ("succeeded", editor, {"places": {"created": 1}})
    page = as_editor.get(response["Location"]).content.decode()
    assert "Imported: places: 1 created." in page
    assert Place.objects.filter(slug="admin-upload").exists()


def test_anonymous_visitors_get_the_login_page(client, place, isis):
    change = ChangeFactory(place=place, controller=isis)
    response = client.post(change_url(change, "delete"), {"post": "yes"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert ControlChange.objects.filter(pk=change.pk).exists()


def test_a_record_added_in_a_popup_is_kept(as_editor):
    from apps.territory.models import Source

    response = as_editor.post(
        "/admin/territory/source/add/?_popup=1",
        {"title": "Added from the change form", "key": "popup-source", "_popup": "1"},
    )
    assert response.status_code == 200 and b"popup" in response.content.lower()
    assert Source.objects.filter(key="popup-source").exists()


def test_an_untouched_published_row_with_line_breaks_is_not_saved_again(as_reviewer, place, isis):
    """A reviewer edits the place (an editor may not: a published change rests on it); the
    row the browser sends back with CRLF line breaks is not an edit of the change."""
    change = ChangeFactory(place=place, controller=isis, summary="Line one.\nLine two.")
    data = {
        "theater": place.theater_id,
        "name": place.name,
        "slug": place.slug,
        "kind": place.kind,
        "country": place.country,
        "aliases": "",
        "importance": 4,
        "location": place.location.geojson,
        "area": "",
        "population": "",
        "changes-TOTAL_FORMS": 1,
        "changes-INITIAL_FORMS": 1,
        "changes-MIN_NUM_FORMS": 0,
        "changes-MAX_NUM_FORMS": 1000,
        "changes-0-id": change.pk,
        "changes-0-place": place.pk,
        "changes-0-date": "2015-01-01",
        "changes-0-date_precision": "day",
        "changes-0-status": "controlled",
        "changes-0-controller": isis.pk,
        "changes-0-confidence": "confirmed",
        "changes-0-summary": "Line one.\r\nLine two.",
        "changes-0-sources": [s.pk for s in change.sources.all()],
        "changes-0-review_state": "published",
        "changes-0-version": change.version,
    }
    response = as_reviewer.post(f"/admin/territory/place/{place.pk}/change/", data)
    assert response.status_code == 302, errors_of(response)
    place.refresh_from_db()
    change.refresh_from_db()
    assert place.importance == 4 and change.version == 1


def test_a_change_dated_the_first_day_of_year_one_has_a_page(as_reviewer, place, isis):
    change = ChangeFactory(place=place, controller=isis, date=date(1, 1, 1))
    assert as_reviewer.get(change_url(change)).status_code == 200


def test_a_save_that_changes_nothing_records_no_revision(place, isis):
    change = ChangeFactory(place=place, controller=isis, review_state="draft")
    services.control_change_update(change=change, version=1, summary="")
    assert (
        Revision.objects.filter(
            object_id=change.pk, content_type__model="controlchange", action="changed"
        ).count()
        == 0
    )
