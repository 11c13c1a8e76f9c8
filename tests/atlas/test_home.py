from datetime import date

import pytest
from django.contrib.gis.geos import Point

from tests.factories import ChangeFactory, PlaceFactory


@pytest.fixture
def deir(theater, isis, syria):
    place = PlaceFactory(
        theater=theater, name="Deir ez-Zor", slug="deir-ez-zor", location=Point(40.14, 35.33)
    )
    ChangeFactory(
        place=place,
        date=date(2014, 7, 14),
        status="contested",
        controller=isis,
        challengers=[syria],
    )
    ChangeFactory(place=place, date=date(2017, 11, 3), controller=syria)
    return place


def test_home_shows_the_state_on_the_chosen_day(client, deir):
    before = client.get("/table/", {"date": "2017-11-02"}).content.decode()
    after = client.get("/table/", {"date": "2017-11-04"}).content.decode()
    assert "contested" in before and "Islamic State" in before
    assert "Syrian government" in after and "2017-11-03" in after


def test_home_with_a_malformed_date_says_so(client, deir):
    response = client.get("/table/", {"date": "yesterday"})
    assert response.status_code == 400
    assert "is not a date (YYYY-MM-DD)" in response.content.decode()


def test_home_escapes_untrusted_names(client, theater, isis):
    hostile = "<img src=x onerror=alert(1)>"
    place = PlaceFactory(theater=theater, name=hostile)
    ChangeFactory(place=place, date=date(2015, 1, 1), controller=isis)
    html = client.get("/table/", {"date": "2016-01-01"}).content.decode()
    assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_home_without_data_explains_what_to_do(client, db):
    assert "load_reference" in client.get("/table/").content.decode()


def test_home_is_the_map_with_its_configuration(client, deir, settings):
    settings.MAP_TILES_URL = ""
    page = client.get("/").content.decode()
    assert 'id="map"' in page and 'id="frontline-config"' in page
    assert '"tiles": {"url": ""' in page
    assert "/static/js/main.js" in page and "cdn" not in page.lower()


def test_home_preloads_the_chosen_theaters_timeline(client, deir, theater):
    other = type(theater).objects.create(
        slug="other",
        name="Other theater",
        start_date=date(2020, 1, 1),
        bounds=theater.bounds,
    )
    page = client.get("/", {"theater": "other"}).content.decode()
    assert f'rel="preload" href="/api/v1/timeline/?theater={other.pk}"' in page
    assert '<option value="other" selected>' in page
    fallback = client.get("/", {"theater": "nonsense"}).content.decode()
    assert f'href="/api/v1/timeline/?theater={theater.pk}"' in fallback
