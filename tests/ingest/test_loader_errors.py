"""A bad dataset is refused whole, with the file, line and field named."""

import csv
import shutil

import pytest
from django.conf import settings

from apps.ingest.reference import DatasetError, load_dataset
from apps.territory.models import ArmedGroup, ControlChange, Place, Source


@pytest.fixture
def dataset(tmp_path):
    target = tmp_path / "dataset"
    shutil.copytree(settings.REFERENCE_DATA_DIR, target)
    return target


def rewrite(path, edit):
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def assert_nothing_written():
    assert not ArmedGroup.objects.exists()
    assert not Source.objects.exists()
    assert not Place.objects.exists()
    assert not ControlChange.objects.exists()


def test_a_bad_change_row_aborts_everything_and_is_named(db, dataset):
    def break_last_row(rows):
        rows[-1]["date"] = "2099-01-01"

    rewrite(dataset / "changes.csv", break_last_row)
    with pytest.raises(DatasetError) as error:
        load_dataset(dataset)
    assert error.value.path.name == "changes.csv"
    assert error.value.line > 1
    assert "date: The date 2099-01-01 is in the future" in str(error.value)
    assert_nothing_written()


def test_unknown_reference_is_named(db, dataset):
    def unknown_group(rows):
        rows[0]["controller"] = "martians"

    rewrite(dataset / "changes.csv", unknown_group)
    with pytest.raises(DatasetError, match="controller: Unknown group 'martians'"):
        load_dataset(dataset)
    assert_nothing_written()


def test_bad_colour_is_named(db, dataset):
    def bad_colour(rows):
        rows[0]["color"] = "black"

    rewrite(dataset / "groups.csv", bad_colour)
    with pytest.raises(DatasetError, match=r"groups.csv, line 2: color: Colour must be #rrggbb"):
        load_dataset(dataset)


def test_missing_column_is_named(db, dataset):
    path = dataset / "places.csv"
    text = path.read_text(encoding="utf-8").replace(",lat,", ",latitude,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=r"places.csv, line 1: missing column\(s\): lat"):
        load_dataset(dataset)
    assert_nothing_written()


def test_loading_twice_names_the_first_clash(db, dataset):
    load_dataset(dataset)
    counts = (Place.objects.count(), ControlChange.objects.count())
    with pytest.raises(DatasetError, match=r"theaters.csv, line 2: slug: The slug .* already used"):
        load_dataset(dataset)
    assert (Place.objects.count(), ControlChange.objects.count()) == counts


def test_groups_load_parents_first_at_any_depth(db, dataset):
    def add_family(rows):
        template = dict(rows[0], aliases="", founded="", dissolved="", description="")
        rows.insert(0, dict(template, slug="grandchild", name="Grandchild", parent="child"))
        rows.insert(0, dict(template, slug="child", name="Child", parent="elder"))
        rows.append(dict(template, slug="elder", name="Elder", parent=""))

    rewrite(dataset / "groups.csv", add_family)
    load_dataset(dataset)
    assert ArmedGroup.objects.get(slug="grandchild").parent.parent.slug == "elder"
