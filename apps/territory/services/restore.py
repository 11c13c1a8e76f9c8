"""Putting a record back as a revision shows it, through the same services as any edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Model

from apps.history import recorder
from apps.history.models import Revision

from .. import snapshots
from ..models import (
    ArmedGroup,
    ControlChange,
    Place,
    Source,
    Theater,
)
from .changes import control_change_create, control_change_update
from .records import (
    group_create,
    group_update,
    place_create,
    place_update,
    source_create,
    source_update,
    theater_create,
    theater_update,
)

RESTORERS: dict[type[Model], tuple[Callable[..., Model], Callable[..., Model], str]] = {
    Theater: (theater_create, theater_update, "theater"),
    ArmedGroup: (group_create, group_update, "group"),
    Place: (place_create, place_update, "place"),
    Source: (source_create, source_update, "source"),
}


def revision_restore(*, revision: Revision) -> Model:
    """Put the object back as it was after `revision` (or before, for a deletion), through
    the same services and rules as any edit: a change's periods follow. A deleted object is
    created again (with a new id). Returns the object."""
    model = revision.content_type.model_class()
    assert model is not None  # revisions are of the record's models, which are installed
    fields: dict[str, Any] = snapshots.as_fields(model, revision.data)
    note = f"restored revision #{revision.pk} ({revision.action} {revision.at:%Y-%m-%d %H:%M})"
    current = model._default_manager.filter(pk=revision.object_id).first()
    with transaction.atomic(), recorder.restoring(note):
        if model is ControlChange:
            if not isinstance(current, ControlChange):  # None: deleted
                return control_change_create(author=recorder.current_user(), **fields)
            return control_change_update(change=current, version=current.version, **fields)
        create, update, name = RESTORERS[model]
        if current is None:
            return create(**fields)
        return update(**{name: current}, **fields)
