"""Editors enter drafts; publishing, unpublishing, editing a published change and deleting
need a reviewer; anonymous users and plain accounts write nothing."""

from datetime import date

import pytest
from django.contrib.auth.models import Group

from apps.territory.models import ControlChange
from apps.users.roles import EDITORS, REVIEWERS
from tests.factories import ChangeFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


@pytest.fixture
def draft(place, isis):
    return ChangeFactory(place=place, controller=isis, review_state="draft")


@pytest.fixture
def published(place, syria):
    return ChangeFactory(place=place, controller=syria, date=date(2016, 1, 1))


def new_change(place, group, **extra):
    source = SourceFactory()
    return {
        "place": place.pk,
        "date": "2015-06-01",
        "status": "controlled",
        "controller": group.pk,
        "sources": [source.pk],
        **extra,
    }


def test_roles_hold_the_documented_permissions():
    editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    reviewers = set(
        Group.objects.get(name=REVIEWERS).permissions.values_list("codename", flat=True)
    )
    assert {"add_controlchange", "change_controlchange", "view_revision"} <= editors
    assert (
        not {c for c in editors if c.startswith("delete_")}
        and "publish_controlchange" not in editors
    )
    assert editors < reviewers
    assert {"publish_controlchange", "delete_controlchange", "delete_place"} <= reviewers


def test_anonymous_users_write_nothing(api, place, isis, draft):
    assert api.post(URL, new_change(place, isis), format="json").status_code == 401
    patch = {"review_state": "published", "version": draft.version}
    assert api.patch(f"{URL}{draft.pk}/", patch, format="json").status_code == 401
    assert api.delete(f"{URL}{draft.pk}/").status_code == 401
    assert ControlChange.objects.get(pk=draft.pk).review_state == "draft"


def test_a_plain_account_writes_nothing(reader_api, place, isis):
    assert reader_api.post(URL, new_change(place, isis), format="json").status_code == 403


def test_an_editor_enters_and_edits_drafts(editor_api, place, syria, draft):
    created = editor_api.post(URL, new_change(place, syria), format="json")
    assert created.status_code == 201 and created.json()["review_state"] == "draft"
    edit = {"summary": "Checked.", "version": draft.version}
    assert editor_api.patch(f"{URL}{draft.pk}/", edit, format="json").status_code == 200


def test_an_editor_cannot_publish_unpublish_edit_published_or_delete(
    editor_api, place, isis, draft, published
):
    response = editor_api.post(
        URL, new_change(place, isis, review_state="published"), format="json"
    )
    assert response.status_code == 403 and "reviewer" in response.json()["detail"]
    publish = {"review_state": "published", "version": draft.version}
    assert editor_api.patch(f"{URL}{draft.pk}/", publish, format="json").status_code == 403
    unpublish = {"review_state": "draft", "version": published.version}
    assert editor_api.patch(f"{URL}{published.pk}/", unpublish, format="json").status_code == 403
    edit = {"summary": "Quietly changed.", "version": published.version}
    response = editor_api.patch(f"{URL}{published.pk}/", edit, format="json")
    assert response.status_code == 403 and "published" in response.json()["detail"]
    assert editor_api.delete(f"{URL}{draft.pk}/").status_code == 403
    assert editor_api.delete(f"/api/v1/places/{place.pk}/").status_code == 403
    assert ControlChange.objects.get(pk=draft.pk).review_state == "draft"
    assert ControlChange.objects.get(pk=published.pk).summary == ""


def test_a_reviewer_publishes_unpublishes_and_deletes(reviewer_api, draft):
    publish = {"review_state": "published", "version": draft.version}
    response = reviewer_api.patch(f"{URL}{draft.pk}/", publish, format="json")
    assert response.status_code == 200, response.content
    unpublish = {"review_state": "draft", "version": response.json()["version"]}
    response = reviewer_api.patch(f"{URL}{draft.pk}/", unpublish, format="json")
    assert response.status_code == 200
    assert reviewer_api.delete(f"{URL}{draft.pk}/").status_code == 204
