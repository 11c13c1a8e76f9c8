"""Records as plain JSON and back, for the audit trail (``apps.history``).

``snapshot`` turns a theater, group, place, source or change into a dict of its editable
fields (references by id, many-to-many as sorted id lists, dates as ISO strings, geometries
as GeoJSON) plus the names of what it refers to; ``as_fields`` turns such a dict back into the
arguments of the write services, which is how a revision is restored.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import models

from .models import ArmedGroup, ControlChange, Place, Source, Theater

FIELDS: dict[type[models.Model], list[str]] = {
    Theater: [
        "name",
        "slug",
        "description",
        "bounds",
        "start_date",
        "end_date",
        "reference_km2",
        "reference_name",
    ],
    ArmedGroup: [
        "name",
        "slug",
        "short_name",
        "aliases",
        "color",
        "kind",
        "parent",
        "founded",
        "dissolved",
        "description",
    ],
    Place: [
        "theater",
        "name",
        "slug",
        "kind",
        "country",
        "aliases",
        "location",
        "area",
        "population",
        "importance",
    ],
    Source: ["key", "url", "title", "publisher", "published", "archive_url"],
    ControlChange: [
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
        "review_state",
        "version",
    ],
}
NOT_RESTORED = {"version"}  # kept for reading; a restore is a new version

# (data, labels): the editable fields, and the names of what the references point to.
Snapshot = tuple[dict[str, Any], dict[str, Any]]


def snapshot(obj: models.Model, many: dict[str, list[Any]] | None = None) -> Snapshot:
    """(data, labels) for `obj`. ``many`` may give many-to-many values (lists of objects)
    instead of reading them, as bulk writes do."""
    data: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for name in FIELDS[type(obj)]:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values = many[name] if many and name in many else getattr(obj, name).all()
            related = sorted(values, key=lambda o: o.pk)
            data[name] = [o.pk for o in related]
            labels[name] = [str(o) for o in related]
        elif field.many_to_one:
            assert isinstance(field, models.ForeignKey)  # FIELDS' references are foreign keys
            data[name] = getattr(obj, field.attname)
            if data[name] is not None:
                labels[name] = str(getattr(obj, name))
        else:
            data[name] = plain(getattr(obj, name))
    return data, labels


def plain(value: Any) -> Any:
    if isinstance(value, GEOSGeometry):
        return json.loads(value.geojson)
    if isinstance(value, date):
        return value.isoformat()
    return value


def diff(before: Snapshot | None, after: Snapshot) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ between two (data, labels)
    snapshots, references given by name (the ids stay in the snapshots' data)."""
    if before is None:
        return {}
    (old, old_labels), (new, new_labels) = before, after
    return {
        name: [old_labels.get(name, old.get(name)), new_labels.get(name, value)]
        for name, value in new.items()
        if old.get(name) != value
    }


def as_fields(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """The services' keyword arguments for a snapshot; ValidationError naming the field when
    something it refers to no longer exists."""
    fields: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    for name in FIELDS[model]:
        if name in NOT_RESTORED or name not in data:
            continue
        field = model._meta.get_field(name)
        value = data[name]
        if field.many_to_many or field.many_to_one:
            target = field.related_model
            assert isinstance(target, type) and issubclass(target, models.Model)  # not "self"
            ids = value if field.many_to_many else [] if value is None else [value]
            found = {o.pk: o for o in target._default_manager.filter(pk__in=ids)}
            gone = [i for i in ids if i not in found]
            if gone:
                missing[name] = [
                    f"{target._meta.verbose_name} #{i} no longer exists." for i in gone
                ]
            objects = [found[i] for i in ids if i in found]
            value = objects if field.many_to_many else (objects[0] if objects else None)
        elif isinstance(field, models.DateField) and value is not None:
            value = date.fromisoformat(value)
        elif hasattr(field, "geom_type") and value is not None:
            value = GEOSGeometry(json.dumps(value), srid=4326)
        fields[name] = value
    if missing:
        raise ValidationError(missing)
    return fields
