"""Putting a record back as a revision shows it, through the same services as any edit.

The domain's own records are restored here; an app above it whose records are audited too
(area layers and versions) registers how to restore them and who may (``register``), so
the admin's one "Restore" button and this module never import upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model

from apps.history import recorder
from apps.history.models import Revision
from apps.users import roles
from apps.users.roles import AnyUser

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


@dataclass(frozen=True)
class Restorer:
    """How an app above the domain puts one of its records back, and who may."""

    restore: Callable[[Revision], Model]  # runs in a transaction, recorded as a restore
    allowed: Callable[[AnyUser, Revision], bool]


REGISTERED: dict[type[Model], Restorer] = {}


def register(model: type[Model], restorer: Restorer) -> None:
    REGISTERED[model] = restorer


def restore_allowed(user: AnyUser, revision: Revision) -> bool:
    """Whether `user` may restore `revision`: the rights to add and change that record and,
    for a change that is or was published, a reviewer's."""
    model = revision.content_type.model_class()
    if model in REGISTERED:
        return REGISTERED[model].allowed(user, revision)
    if user is None or not user.is_authenticated:
        return False
    name = revision.content_type.model
    allowed = user.has_perm(f"territory.change_{name}") and user.has_perm(f"territory.add_{name}")
    if model is ControlChange:
        current = ControlChange.objects.filter(pk=revision.object_id).first()
        states = {revision.data.get("review_state"), current and current.review_state}
        allowed = allowed and ("published" not in states or roles.is_reviewer(user))
    return allowed


def revision_restore(*, revision: Revision) -> Model:
    """Put the object back as it was after `revision` (or before, for a deletion), through
    the same services and rules as any edit: a change's periods follow. A deleted object is
    created again (with a new id). Returns the object."""
    model = revision.content_type.model_class()
    assert model is not None  # revisions are of the record's models, which are installed
    note = f"restored revision #{revision.pk} ({revision.action} {revision.at:%Y-%m-%d %H:%M})"
    if model in REGISTERED:
        with transaction.atomic(), recorder.restoring(note):
            return REGISTERED[model].restore(revision)
    fields: dict[str, Any] = snapshots.as_fields(model, revision.data)
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
