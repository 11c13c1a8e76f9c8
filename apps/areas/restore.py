"""Area layers and versions put back from the audit trail, through the services.

Registered with the domain's restore (``apps.territory.services.restore``) when the app is
ready, so the admin's one "Restore" button serves them too. A version is the ground its
layer showed on some days: restoring a revision of it shows that ground on those days again
(``snapshots_add`` with ``replace``: neighbouring versions are split, merged and measured
as for any import). Restoring a deleted layer creates it again with the versions it had.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db.models import Model

from apps.history.models import Revision
from apps.territory import selectors as territory
from apps.territory.models import ArmedGroup, Source, Theater
from apps.territory.services import restore as domain
from apps.users import roles
from apps.users.roles import AnyUser

from . import geometry as geo
from . import services
from .models import AreaLayer, AreaVersion


def connect() -> None:
    domain.register(AreaLayer, domain.Restorer(restore=layer_restore, allowed=_layer_allowed))
    domain.register(AreaVersion, domain.Restorer(restore=version_restore, allowed=_version_allowed))


# --- Who may ------------------------------------------------------------------------------


def _layer_allowed(user: AnyUser, revision: Revision) -> bool:
    """An editor may put a layer's name, group or assessor back; bringing back a deleted
    layer brings back its ground, which the public sees at once: a reviewer's."""
    if user is None or not user.is_authenticated:
        return False
    if not AreaLayer.objects.filter(pk=revision.object_id).exists():
        return roles.is_reviewer(user)
    return user.has_perm("areas.add_arealayer") and user.has_perm("areas.change_arealayer")


def _version_allowed(user: AnyUser, revision: Revision) -> bool:
    """Versions are published ground (they have no drafts): only reviewers write them back."""
    return roles.is_reviewer(user)


# --- Versions -----------------------------------------------------------------------------


def version_restore(revision: Revision) -> AreaVersion:
    data = revision.data
    layer = AreaLayer.objects.filter(pk=data["layer"]).first()
    if layer is None:
        raise ValidationError(
            f"Its layer (#{data['layer']}) no longer exists: restore the layer's deletion, "
            "which brings its versions back."
        )
    snapshots = _snapshots(revision, _ground_of(revision))
    services.snapshots_add(layer=layer, snapshots=snapshots, replace=True)
    first = snapshots[0].day
    shown: AreaVersion = territory.in_force_on(AreaVersion.objects.filter(layer=layer), first).get()
    return shown


def _ground_of(revision: Revision) -> MultiPolygon:
    """The version's ground: kept in the revision of its deletion, else in its row (a
    version's ground never changes while it exists), else in another of its revisions."""
    if "geometry" in revision.data:
        return _geometry(revision.data["geometry"])
    row = AreaVersion.objects.filter(pk=revision.object_id).values_list("geometry", flat=True)
    if row:
        return geo.polygonal(row[0])
    kept = (
        Revision.objects.filter(
            content_type=revision.content_type,
            object_id=revision.object_id,
            data__has_key="geometry",
        )
        .values_list("data", flat=True)
        .first()
    )
    if kept is None:
        raise ValidationError("This version's ground is not on record: it cannot be restored.")
    return _geometry(kept["geometry"])


def _geometry(value: dict[str, Any]) -> MultiPolygon:
    return geo.polygonal(GEOSGeometry(json.dumps(value), srid=4326))


def _snapshots(revision: Revision, ground: MultiPolygon) -> list[services.DayGround]:
    """The days a version showed, with their sources and files (a revision written before
    days were recorded names its first day only)."""
    data = revision.data
    rows = data.get("snapshots") or [{"day": data["start"]}]
    sources = Source.objects.in_bulk([r["source"] for r in rows if r.get("source")])
    return [
        services.DayGround(
            day=date.fromisoformat(r["day"]),
            geometry=ground,
            source=sources.get(r.get("source")),
            origin=r.get("origin") or f"restored from revision #{revision.pk}",
            repaired="repaired when imported" if r.get("repaired") else "",
        )
        for r in rows
    ]


# --- Layers -------------------------------------------------------------------------------


def layer_restore(revision: Revision) -> AreaLayer:
    data = revision.data
    fields = {
        "slug": data["slug"],
        "name": data["name"],
        "status": data["status"],
        "assessor": data["assessor"],
        "description": data.get("description", ""),
        **_references(data),
    }
    current = AreaLayer.objects.filter(pk=revision.object_id).first()
    if current is not None:
        fields.pop("theater")
        return services.layer_update(layer=current, **fields)
    layer = services.layer_create(**fields)
    snapshots = [
        s
        for kept in _versions_deleted_with(revision.object_id)
        for s in _snapshots(kept, _ground_of(kept))
    ]
    if snapshots:
        services.snapshots_add(layer=layer, snapshots=snapshots, replace=True)
    return layer


def _references(data: dict[str, Any]) -> dict[str, Model | None]:
    """The theater and groups a layer's revision names, or a ValidationError naming what
    no longer exists."""
    found: dict[str, Model | None] = {}
    missing: dict[str, str] = {}
    for name, model in (("theater", Theater), ("group", ArmedGroup), ("complement", ArmedGroup)):
        pk = data.get(name)
        found[name] = model._default_manager.filter(pk=pk).first() if pk is not None else None
        if pk is not None and found[name] is None:
            missing[name] = f"{model._meta.verbose_name} #{pk} no longer exists."
    if missing:
        raise ValidationError(missing)
    return found


def _versions_deleted_with(layer_id: int) -> list[Revision]:
    """The versions' revisions recorded by the layer's last deletion (after its own)."""
    deletion = (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(AreaLayer),
            object_id=layer_id,
            action=Revision.Action.DELETED,
        )
        .order_by("-pk")
        .first()
    )
    if deletion is None:
        return []
    return list(
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(AreaVersion),
            action=Revision.Action.DELETED,
            data__layer=layer_id,
            pk__gt=deletion.pk,
        ).order_by("pk")
    )
