"""Exports in the reference dataset's format: loading the reference data and exporting its
theater gives back the reference files' rows, so an export loads into another instance."""

import csv
import io
import zipfile

import pytest
from django.conf import settings

from apps.ingest.reference import load_dataset
from apps.territory.models import ControlChange, Theater

pytestmark = pytest.mark.django_db
LISTS = {"challengers", "supported_by", "sources", "aliases"}


def rows(text: str) -> set[tuple]:
    """Rows as comparable tuples: |-lists sorted, numbers as numbers."""
    out = set()
    for row in csv.DictReader(io.StringIO(text)):
        items = []
        for key, value in sorted(row.items()):
            if key in LISTS:
                value = "|".join(sorted(filter(None, value.split("|"))))
            elif key in {"lat", "lon"}:
                value = round(float(value), 4)
            items.append((key, value))
        out.add(tuple(items))
    return out


@pytest.fixture
def reference(db):
    load_dataset(settings.REFERENCE_DATA_DIR)
    return Theater.objects.get(slug="syria-iraq-2014-2019")


def test_a_theater_s_record_exports_as_the_reference_files(as_reviewer, reference):
    response = as_reviewer.post(
        "/admin/territory/theater/", {"action": "export_record", "_selected_action": [reference.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(
        f"{n}.csv" for n in ["theaters", "groups", "sources", "places", "changes"]
    )
    for name in ["changes", "places", "sources", "groups"]:
        exported = rows(archive.read(f"{name}.csv").decode())
        original = rows((settings.REFERENCE_DATA_DIR / f"{name}.csv").read_text())
        if name in {"sources", "groups"}:  # only those the changes cite are exported
            assert exported <= original, name
            continue
        assert exported == original, name


def test_selected_changes_export_as_changes_csv(as_editor, reference):
    ids = list(ControlChange.objects.filter(place__slug="deir-ez-zor").values_list("pk", flat=True))
    response = as_editor.post(
        "/admin/territory/controlchange/", {"action": "export_csv", "_selected_action": ids}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    exported = rows(b"".join(response.streaming_content).decode())
    original = rows((settings.REFERENCE_DATA_DIR / "changes.csv").read_text())
    assert len(exported) == len(ids) and exported <= original
