"""In the admin, a theater, group, place or source that a published change rests on is the
public's: an editor sees it read-only with the reason and cannot change it; a reviewer can."""

import pytest
from django.contrib.messages import get_messages

from apps.territory.models import ArmedGroup, ControlChange, Place, Source
from tests.factories import ChangeFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cited(place, isis):
    source = SourceFactory(url="https://example.org/first")
    ChangeFactory(place=place, controller=isis, sources=[source])
    return source


def source_form(source, **extra):
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published": "",
        "archive_url": "",
        "key": "",
        **extra,
    }


def source_url(source):
    return f"/admin/territory/source/{source.pk}/change/"


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_editor_sees_a_cited_source_read_only_and_why(as_editor, cited):
    page = as_editor.get(source_url(cited))
    assert page.status_code == 200
    assert 'name="url"' not in page.content.decode()
    assert "cited by 1 published change" in messages_of(page)
    assert "only a reviewer may edit it" in messages_of(page)


def test_an_editor_cannot_change_a_cited_source(as_editor, cited):
    """Posted from a page opened while the source was still editable: refused, not ignored."""
    response = as_editor.post(source_url(cited), source_form(cited, url="https://example.org/x"))
    assert response.status_code == 302
    assert "Nothing was saved" in messages_of(response)
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/first"


def test_an_editor_cannot_move_a_place_or_recolour_a_group_the_public_sees(
    as_editor, place, isis, cited
):
    data = {
        "theater": place.theater_id,
        "name": place.name,
        "slug": place.slug,
        "kind": place.kind,
        "country": place.country,
        "aliases": "",
        "importance": 3,
        "location": '{"type": "Point", "coordinates": [41, 36]}',
        "area": "",
        "population": "",
        "changes-TOTAL_FORMS": 0,
        "changes-INITIAL_FORMS": 0,
        "changes-MIN_NUM_FORMS": 0,
        "changes-MAX_NUM_FORMS": 1000,
    }
    response = as_editor.post(f"/admin/territory/place/{place.pk}/change/", data)
    assert response.status_code == 302 and "Nothing was saved" in messages_of(response)
    assert Place.objects.get(pk=place.pk).location.coords == (40.0, 35.0)

    group = {
        "name": isis.name,
        "slug": isis.slug,
        "short_name": "",
        "aliases": "",
        "color": "#00ff00",
        "kind": isis.kind,
        "parent": "",
        "founded": "",
        "dissolved": "",
        "description": "",
    }
    response = as_editor.post(f"/admin/territory/armedgroup/{isis.pk}/change/", group)
    assert response.status_code == 302 and "Nothing was saved" in messages_of(response)
    assert ArmedGroup.objects.get(pk=isis.pk).color == "#1a1a1a"


def test_an_editor_still_adds_a_draft_change_inline_to_a_public_place(
    as_editor, place, isis, syria, cited
):
    page = as_editor.get(f"/admin/territory/place/{place.pk}/change/").content.decode()
    assert 'name="name"' not in page and 'name="changes-0-date"' in page
    published = ControlChange.objects.get()
    data = {
        "changes-TOTAL_FORMS": 2,
        "changes-INITIAL_FORMS": 1,
        "changes-MIN_NUM_FORMS": 0,
        "changes-MAX_NUM_FORMS": 1000,
        "changes-0-id": published.pk,
        "changes-0-place": place.pk,
        "changes-0-date": "2015-01-01",
        "changes-0-date_precision": "day",
        "changes-0-status": "controlled",
        "changes-0-controller": isis.pk,
        "changes-0-confidence": "confirmed",
        "changes-0-summary": "",
        "changes-0-sources": [cited.pk],
        "changes-0-review_state": "published",
        "changes-0-version": published.version,
        "changes-1-place": place.pk,
        "changes-1-date": "2016-01-01",
        "changes-1-date_precision": "day",
        "changes-1-status": "controlled",
        "changes-1-controller": syria.pk,
        "changes-1-confidence": "confirmed",
        "changes-1-review_state": "draft",
    }
    response = as_editor.post(f"/admin/territory/place/{place.pk}/change/", data)
    assert response.status_code == 302
    assert place.changes.get(date="2016-01-01").review_state == "draft"


def test_a_reviewer_edits_a_cited_source(as_reviewer, cited):
    assert 'name="url"' in as_reviewer.get(source_url(cited)).content.decode()
    response = as_reviewer.post(source_url(cited), source_form(cited, url="https://example.org/x"))
    assert response.status_code == 302
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/x"


def test_an_editor_edits_a_source_only_drafts_cite(as_editor, place, isis):
    source = SourceFactory(url="https://example.org/first")
    ChangeFactory(place=place, controller=isis, sources=[source], review_state="draft")
    assert 'name="url"' in as_editor.get(source_url(source)).content.decode()
    response = as_editor.post(source_url(source), source_form(source, url="https://example.org/x"))
    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).url == "https://example.org/x"


def test_a_restore_by_an_editor_of_a_public_record_is_refused(as_editor, cited):
    from apps.history.models import Revision

    created = Revision.objects.get(
        content_type__model="source", object_id=cited.pk, action="created"
    )
    Source.objects.filter(pk=cited.pk).update(url="https://example.org/reviewed")
    response = as_editor.post(f"/admin/territory/controlchange/restore/{created.pk}/")
    assert response.status_code == 302
    assert "only a reviewer" in messages_of(response)
    assert Source.objects.get(pk=cited.pk).url == "https://example.org/reviewed"
