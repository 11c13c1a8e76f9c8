"""What the public sees needs a reviewer: an editor may edit a theater, group, place or
source only while no published change rests on it; the deleted-changes feed lists only
changes that were public."""

from datetime import date

import pytest

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source, Theater
from tests.factories import ChangeFactory, GroupFactory, PlaceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cited(place, isis):
    """A source cited by a published change on `place`, controlled by `isis`."""
    source = SourceFactory(url="https://example.org/first")
    ChangeFactory(place=place, controller=isis, sources=[source])
    return source


def point(lon, lat):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {},
    }


def refused(response, name: str) -> bool:
    detail = response.json().get("detail", "")
    return response.status_code == 403 and "reviewer" in detail and name in detail


# --- Editors: refused on what the public sees ---------------------------------------------


def test_an_editor_cannot_change_the_url_of_a_source_a_published_change_cites(editor_api, cited):
    response = editor_api.patch(
        f"/api/v1/sources/{cited.pk}/", {"url": "https://example.org/other"}, format="json"
    )
    assert refused(response, "cited by 1 published change"), response.json()
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/first"


def test_an_editor_cannot_move_a_place_with_a_published_change(editor_api, place, cited):
    response = editor_api.patch(f"/api/v1/places/{place.pk}/", point(41, 36), format="json")
    assert refused(response, place.name), response.json()
    assert Place.objects.get(pk=place.pk).location.coords == (40.0, 35.0)


def test_an_editor_cannot_recolour_a_group_a_published_change_names(editor_api, isis, cited):
    response = editor_api.patch(f"/api/v1/groups/{isis.pk}/", {"color": "#00ff00"}, format="json")
    assert refused(response, "named by 1 published change"), response.json()
    assert ArmedGroup.objects.get(pk=isis.pk).color == "#1a1a1a"


def test_a_challenger_a_supporter_and_a_parent_are_public_too(editor_api, place, isis, syria):
    ally, parent = GroupFactory(), GroupFactory()
    services.group_update(group=syria, parent=parent)
    ChangeFactory(
        place=place, controller=isis, status="contested", challengers=[syria], supported_by=[ally]
    )
    for group in (syria, ally, parent):
        response = editor_api.patch(f"/api/v1/groups/{group.pk}/", {"name": "X"}, format="json")
        assert response.status_code == 403, (group, response.json())


def test_an_editor_cannot_rename_a_theater_with_a_published_change(editor_api, theater, cited):
    response = editor_api.patch(f"/api/v1/theaters/{theater.pk}/", {"name": "X"}, format="json")
    assert refused(response, "theater of 1 published change"), response.json()
    assert Theater.objects.get(pk=theater.pk).name == theater.name


def test_an_unpublished_change_no_longer_locks_its_records(editor_api, reviewer_api, cited):
    change = ControlChange.objects.get()
    services.control_change_unpublish(change=change, version=change.version)
    response = editor_api.patch(
        f"/api/v1/sources/{cited.pk}/", {"url": "https://example.org/other"}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_an_edit_that_changes_nothing_is_not_refused(editor_api, cited):
    response = editor_api.patch(
        f"/api/v1/sources/{cited.pk}/", {"url": cited.url, "title": cited.title}, format="json"
    )
    assert response.status_code == 200, response.json()


# --- Reviewers: allowed; editors: allowed on what no published change rests on -------------


def test_a_reviewer_edits_what_the_public_sees(reviewer_api, place, isis, theater, cited):
    edits = [
        (f"/api/v1/sources/{cited.pk}/", {"url": "https://example.org/other"}),
        (f"/api/v1/places/{place.pk}/", point(41, 36)),
        (f"/api/v1/groups/{isis.pk}/", {"color": "#00ff00"}),
        (f"/api/v1/theaters/{theater.pk}/", {"name": "Renamed"}),
    ]
    for url, body in edits:
        response = reviewer_api.patch(url, body, format="json")
        assert response.status_code == 200, (url, response.json())
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/other"
    assert Place.objects.get(pk=place.pk).location.coords == (41.0, 36.0)
    assert ArmedGroup.objects.get(pk=isis.pk).color == "#00ff00"


def test_an_editor_edits_records_no_published_change_rests_on(editor_api, theater, isis, sdf):
    draft_place = PlaceFactory(theater=theater)
    source = SourceFactory()
    ChangeFactory(place=draft_place, controller=isis, sources=[source], review_state="draft")
    lone_place, lone_source = PlaceFactory(theater=theater), SourceFactory()
    for place in (draft_place, lone_place):
        response = editor_api.patch(f"/api/v1/places/{place.pk}/", point(41, 36), format="json")
        assert response.status_code == 200, response.json()
    for item in (source, lone_source):
        response = editor_api.patch(
            f"/api/v1/sources/{item.pk}/", {"url": "https://example.org/x"}, format="json"
        )
        assert response.status_code == 200, response.json()
    for group in (isis, sdf):
        response = editor_api.patch(
            f"/api/v1/groups/{group.pk}/", {"color": "#00ff00"}, format="json"
        )
        assert response.status_code == 200, response.json()
    response = editor_api.patch(f"/api/v1/theaters/{theater.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 200, response.json()


def test_an_editor_still_creates_records(editor_api, theater, cited):
    response = editor_api.post("/api/v1/sources/", {"title": "New report"}, format="json")
    assert response.status_code == 201, response.json()
    response = editor_api.post("/api/v1/groups/", {"slug": "new", "name": "New"}, format="json")
    assert response.status_code == 201, response.json()


def test_a_command_edits_anything(cited):
    """No acting account (a management command, the shell): the operator."""
    services.source_update(source=cited, url="https://example.org/by-the-operator")
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/by-the-operator"


# --- The deleted-changes feed ---------------------------------------------------------------

FEED = "/api/v1/changes/deleted/"


def feed_ids(client) -> list[int]:
    return [row["id"] for row in client.get(FEED, {"since": "2020-01-01"}).json()["results"]]


def test_the_feed_lists_only_changes_that_were_public(
    api, editor_api, reviewer_api, place, isis, syria
):
    never = ChangeFactory(place=place, controller=isis, review_state="draft")
    shown = ChangeFactory(place=place, controller=isis, date=date(2016, 1, 1))
    withdrawn = ChangeFactory(place=place, controller=syria, date=date(2017, 1, 1))
    withdrawn = services.control_change_unpublish(change=withdrawn, version=withdrawn.version)
    ids = {"never": never.pk, "shown": shown.pk, "withdrawn": withdrawn.pk}
    for change in (never, shown, withdrawn):
        assert reviewer_api.delete(f"/api/v1/changes/{change.pk}/").status_code == 204
    assert sorted(feed_ids(api)) == sorted([ids["shown"], ids["withdrawn"]])
    # editors see drafts in changes/, and so their deletions too
    assert sorted(feed_ids(editor_api)) == sorted(ids.values())
