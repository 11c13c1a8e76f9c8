"""Area layers and versions restored from the audit trail, like every other record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.areas import geometry as geo
from apps.areas import services
from apps.areas.models import AreaLayer, AreaSnapshot, AreaVersion
from apps.history.models import Revision
from apps.territory import services as territory_services
from apps.territory.models import Source
from tests.areas.fronts import START, ground_on


def ground(k: int):
    return geo.ground_of(ground_on(k)).geometry


@pytest.fixture
def layer(theater, syria, isis):
    layer = services.layer_create(
        theater=theater, slug="front", name="Held", group=syria, complement=isis, assessor="A"
    )
    source = territory_services.source_create(key="dsm-0", title="DeepStateMap, day 0")
    services.snapshots_add(
        layer=layer,
        snapshots=[
            services.DayGround(
                START + timedelta(days=k),
                ground(k),
                source=source if k == 0 else None,
                origin=f"day{k}.geojson",
            )
            for k in range(5)  # day 4 repeats day 3
        ],
    )
    return layer


def state(layer) -> list[tuple]:
    """What a reader sees of a layer: each version's days, km², gains and losses, and the
    days with the file each came from."""
    versions = [
        (v.start, v.end, round(v.area_km2, 6), v.gained_km2 and round(v.gained_km2, 6))
        for v in AreaVersion.objects.filter(layer=layer).order_by("start")
    ]
    days = list(
        AreaSnapshot.objects.filter(layer=layer)
        .order_by("day")
        .values_list("day", "origin", "source__key", "version__start")
    )
    return [versions, days]


def deletion_of(version_id: int) -> Revision:
    return Revision.objects.get(
        content_type__model="areaversion", object_id=version_id, action="deleted"
    )


def test_a_deleted_version_comes_back_as_it_was(layer):
    before = state(layer)
    middle = AreaVersion.objects.get(layer=layer, start=START + timedelta(days=1))
    services.version_delete(version=middle)
    assert state(layer) != before
    revision = deletion_of(middle.pk)
    assert revision.data["snapshots"] == [
        {"day": str(START + timedelta(days=1)), "source": None, "origin": "day1.geojson"}
    ]
    restored = territory_services.revision_restore(revision=revision)
    assert isinstance(restored, AreaVersion) and restored.start == START + timedelta(days=1)
    assert state(layer) == before  # its days, km², and the next one's gains measured again
    assert Revision.objects.filter(
        content_type__model="areaversion", object_id=restored.pk, action="restored"
    ).exists()


def test_ground_is_kept_once_by_the_deletion_and_restored_exactly(layer):
    created = Revision.objects.filter(content_type__model="areaversion", action="created")
    assert created.count() == 4 and not any("geometry" in r.data for r in created)
    first = AreaVersion.objects.get(layer=layer, start=START)
    # the first day is replaced by other ground: its version goes, its ground kept
    services.snapshots_add(
        layer=layer, snapshots=[services.DayGround(START, ground(6))], replace=True
    )
    assert not AreaVersion.objects.filter(pk=first.pk).exists()
    territory_services.revision_restore(revision=deletion_of(first.pk))
    back = AreaVersion.objects.get(layer=layer, start=START)
    assert geo.same_ground(back.geometry, ground(0)) and back.geometry.equals_exact(ground(0), 0)
    snapshot = AreaSnapshot.objects.get(layer=layer, day=START)
    assert (snapshot.origin, snapshot.source.key) == ("day0.geojson", "dsm-0")


def test_a_created_revision_puts_its_ground_back_over_a_replacement(layer):
    first = AreaVersion.objects.get(layer=layer, start=START)
    created = Revision.objects.get(
        content_type__model="areaversion", object_id=first.pk, action="created"
    )
    services.snapshots_add(
        layer=layer, snapshots=[services.DayGround(START, ground(6))], replace=True
    )
    territory_services.revision_restore(revision=created)  # its ground: from its deletion's
    back = AreaVersion.objects.get(layer=layer, start=START)
    assert back.area_km2 == pytest.approx(geo.km2(ground(0)), rel=1e-12)


def test_a_deleted_layer_comes_back_with_its_versions(layer):
    before = state(layer)
    deletion_pk = layer.pk
    services.layer_delete(layer=layer)
    assert not AreaLayer.objects.exists()
    revision = Revision.objects.get(
        content_type__model="arealayer", object_id=deletion_pk, action="deleted"
    )
    restored = territory_services.revision_restore(revision=revision)
    assert (restored.slug, restored.name, restored.complement.slug) == ("front", "Held", "is")
    assert state(restored) == before


def test_a_layer_s_edit_is_undone_and_what_is_gone_is_named(layer):
    created = Revision.objects.get(content_type__model="arealayer", action="created")
    services.layer_update(layer=layer, name="Renamed", assessor="B")
    territory_services.revision_restore(revision=created)
    layer.refresh_from_db()
    assert (layer.name, layer.assessor) == ("Held", "A")

    version = AreaVersion.objects.filter(layer=layer).first()
    services.layer_delete(layer=layer)
    with pytest.raises(ValidationError, match="restore the layer"):
        territory_services.revision_restore(revision=deletion_of(version.pk))
    Source.objects.all().delete()  # a source gone: the day comes back without it
    layer_deletion = Revision.objects.get(content_type__model="arealayer", action="deleted")
    again = territory_services.revision_restore(revision=layer_deletion)
    assert AreaSnapshot.objects.filter(layer=again, source__isnull=False).count() == 0
    assert AreaSnapshot.objects.filter(layer=again).count() == 5
