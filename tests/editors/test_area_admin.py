"""Area layers in the admin: the list, a layer with its versions, a version's map, and
deleting a version through the services."""

from datetime import timedelta

import pytest

from apps.areas import geometry as geo
from apps.areas import services
from apps.areas.models import AreaLayer, AreaVersion
from tests.areas.fronts import START, ground_on


@pytest.fixture
def layer(theater, syria):
    layer = services.layer_create(
        theater=theater, slug="front", name="Held ground", group=syria, assessor="DeepStateMap"
    )
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(START + timedelta(days=k), geo.ground_of(ground_on(k)).geometry)
            for k in (0, 1, 2)
        ],
    )
    return layer


def test_editors_see_layers_with_their_versions_and_maps(as_editor, layer):
    listing = as_editor.get("/admin/areas/arealayer/")
    assert listing.status_code == 200 and b"Held ground" in listing.content
    assert b"DeepStateMap" in listing.content
    row = listing.context["cl"].result_list[0]  # 3 versions, not 3 versions x 3 snapshots
    assert (row.version_count, row.last_day) == (3, START + timedelta(days=2))
    page = as_editor.get(f"/admin/areas/arealayer/{layer.pk}/change/")
    assert page.status_code == 200
    assert str(START).encode() in page.content  # a version's first day
    version = AreaVersion.objects.filter(layer=layer).first()
    shown = as_editor.get(f"/admin/areas/areaversion/{version.pk}/change/")
    assert shown.status_code == 200 and b"<svg" in shown.content and b'<path d="M' in shown.content
    assert as_editor.get(f"/admin/areas/areaversion/{version.pk}/delete/").status_code == 403


def test_an_edit_of_a_layer_goes_through_the_services(as_editor, layer, isis):
    form = {
        "slug": "front",
        "name": "Renamed",
        "group": layer.group_id,
        "status": "controlled",
        "assessor": "ISW",
        "complement": isis.pk,
        "description": "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    response = as_editor.post(f"/admin/areas/arealayer/{layer.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    layer.refresh_from_db()
    assert (layer.name, layer.assessor, layer.complement_id) == ("Renamed", "ISW", isis.pk)
    form["complement"] = layer.group_id
    response = as_editor.post(f"/admin/areas/arealayer/{layer.pk}/change/", form)
    assert response.status_code == 200 and b"other side" in response.content


def test_a_reviewer_deletes_a_version_and_the_one_before_lasts(as_reviewer, layer):
    middle = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    response = as_reviewer.post(f"/admin/areas/areaversion/{middle.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    spans = list(AreaVersion.objects.filter(layer=layer).values_list("start", "end"))
    assert spans == [(START, START + timedelta(days=2)), (START + timedelta(days=2), None)]
    assert AreaLayer.objects.filter(pk=layer.pk).exists()


def test_a_reviewer_restores_a_deleted_version_from_the_audit_trail(as_reviewer, as_editor, layer):
    from apps.history.models import Revision

    middle = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    history = as_reviewer.get(f"/admin/areas/areaversion/{middle.pk}/history/")
    assert history.status_code == 200
    assert b"Restore" not in as_editor.get(f"/admin/areas/areaversion/{middle.pk}/history/").content
    as_reviewer.post(f"/admin/areas/areaversion/{middle.pk}/delete/", {"post": "yes"})
    deletion = Revision.objects.get(
        content_type__model="areaversion", object_id=middle.pk, action="deleted"
    )
    trail = as_reviewer.get(f"/admin/history/revision/{deletion.pk}/change/")
    assert trail.status_code == 200 and b"&lt;MultiPolygon, 5 vertices&gt;" in trail.content
    url = f"/admin/territory/controlchange/restore/{deletion.pk}/"
    assert as_editor.post(url).status_code == 403  # published ground: a reviewer's
    assert AreaVersion.objects.filter(layer=layer).count() == 2
    response = as_reviewer.post(url)
    assert response.status_code == 302 and "/admin/areas/areaversion/" in response["Location"]
    assert AreaVersion.objects.filter(layer=layer).count() == 3
    restored = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    page = as_reviewer.get(response["Location"])
    assert page.status_code == 200 and b"restored revision" in page.content
    assert restored.end == START + timedelta(days=2)


def test_the_derive_action_writes_drafts_and_says_what_it_did(as_editor, layer, theater):
    from django.contrib.gis.geos import Point

    from apps.territory.models import ControlChange
    from tests.factories import PlaceFactory

    place = PlaceFactory(theater=theater, location=Point(40.1, 35.7, srid=4326))
    response = as_editor.post(
        "/admin/areas/arealayer/",
        {"action": "derive_drafts", "_selected_action": [layer.pk]},
        follow=True,
    )
    assert response.status_code == 200 and b"changes created" in response.content
    (change,) = ControlChange.objects.filter(place=place)
    assert change.review_state == "draft" and change.controller == layer.group


def test_a_reviewer_uploads_an_area_series_in_the_admin(
    as_reviewer, as_editor, theater, syria, django_capture_on_commit_callbacks, settings, tmp_path
):
    import io
    import json
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.ingest.models import ImportJob
    from tests.areas.fronts import document

    settings.IMPORT_ROOT = str(tmp_path)
    listing = as_reviewer.get("/admin/areas/arealayer/")
    assert b"Upload an area series" in listing.content
    assert as_editor.get("/admin/ingest/importjob/areas/").status_code == 403
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for k in (0, 1):
            z.writestr(f"2024-07-{8 + k:02d}.geojson", json.dumps(document(ground_on(k))))
    form = {
        "file": SimpleUploadedFile("series.zip", archive.getvalue()),
        "theater": theater.pk,
        "layer": "uploaded",
        "group": syria.pk,
        "assessor": "ISW",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = as_reviewer.post("/admin/ingest/importjob/areas/", form)
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="areas")
    assert job.status == "succeeded", job.errors
    assert AreaVersion.objects.filter(layer__slug="uploaded").count() == 2
    bad = as_reviewer.post(
        "/admin/ingest/importjob/areas/", {**form, "file": SimpleUploadedFile("x.txt", b"x")}
    )
    assert bad.status_code == 200 and b".gpkg" in bad.content
