import pytest

from apps.history.models import Revision

pytestmark = pytest.mark.django_db


def test_api_writes_are_recorded_as_the_token_s_user(editor_api, place, isis, editor):
    response = editor_api.post(
        "/api/v1/changes/",
        {"place": place.pk, "date": "2015-02-01", "status": "controlled", "controller": isis.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    revision = Revision.objects.get(
        content_type__model="controlchange", object_id=response.json()["id"], action="created"
    )
    assert (revision.user, revision.via) == (editor, "api")
