"""Control changes: create, edit, publish, unpublish, delete, each under the locks that
serialize the writes of one place, then its periods rebuilt in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.history.models import Revision
from apps.users.models import User

from .. import revisions, rules
from ..models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    DeletedControlChange,
    Place,
    Source,
)
from .audit import as_list, record_revision, refuse_unknown, snapshot_of
from .periods import place_periods_rebuild

Published = ControlChange.ReviewState.PUBLISHED


class StaleVersionError(Exception):
    """Raised when an update carries a version other than the stored one (someone saved first)."""

    def __init__(self, *, change: ControlChange, expected: int) -> None:
        self.change = change
        self.expected = expected
        self.current = change.version
        super().__init__(
            f"Change #{change.pk} was modified by someone else: you edited version {expected}, "
            f"the stored version is {change.version}. Reload it and apply your edit again."
        )


def control_change_create(
    *,
    place: Place,
    date: date,
    status: str,
    controller: ArmedGroup | None = None,
    challengers: Iterable[ArmedGroup] = (),
    supported_by: Iterable[ArmedGroup] = (),
    sources: Iterable[Source] = (),
    date_precision: str = ControlChange.DatePrecision.DAY,
    confidence: str = ControlChange.Confidence.CONFIRMED,
    summary: str = "",
    review_state: str = ControlChange.ReviewState.DRAFT,
    author: User | None = None,
) -> ControlChange:
    challengers, supported_by, sources = list(challengers), list(supported_by), list(sources)
    with transaction.atomic():
        _lock_place(place)
        proposal = rules.ChangeProposal(
            place=place,
            date=date,
            status=status,
            controller=controller,
            challengers=challengers,
            supported_by=supported_by,
            date_precision=date_precision,
            confidence=confidence,
            review_state=review_state,
            sources=sources,
            summary=summary,
        )
        rules.check_change(proposal)
        change = ControlChange.objects.create(
            place=place,
            date=date,
            date_precision=date_precision,
            status=status,
            controller=controller,
            confidence=confidence,
            summary=summary,
            review_state=review_state,
            author=author,
        )
        change.challengers.set(challengers)
        change.supported_by.set(supported_by)
        change.sources.set(sources)
        if review_state == Published:
            place_periods_rebuild(place=place)
        record_revision(change, Revision.Action.CREATED)
    return change


CHANGE_FIELDS = {
    "place",
    "date",
    "date_precision",
    "status",
    "controller",
    "challengers",
    "supported_by",
    "sources",
    "confidence",
    "summary",
    "review_state",
}
MANY_FIELDS = {"challengers", "supported_by", "sources"}


def control_change_update(*, change: ControlChange, version: int, **fields: Any) -> ControlChange:
    """Edit a change. ``version`` is the version the editor read; a stale one is refused.

    Only the fields given are changed. Moving a change to another place or date, publishing
    and unpublishing are all edits; every one rebuilds the periods of the places involved.
    """
    refuse_unknown(fields, CHANGE_FIELDS)
    _check_version(version)
    with transaction.atomic():
        target = fields.get("place")
        current = _lock_change(change, also=[target.pk] if isinstance(target, Place) else [])
        if current.version != version:
            raise StaleVersionError(change=current, expected=version)
        old_place = current.place
        new_place = fields.get("place", old_place)
        previous = snapshot_of(current)

        before = (current.date, current.place_id, current.state, current.review_state)
        values = {name: getattr(current, name) for name in CHANGE_FIELDS - MANY_FIELDS}
        values["challengers"] = list(current.challengers.all())
        values["supported_by"] = list(current.supported_by.all())
        values["sources"] = list(current.sources.all())
        values.update({name: as_list(value) for name, value in fields.items()})
        proposal = rules.ChangeProposal(**values)
        rules.check_change_types(proposal)

        after = (proposal.date, proposal.place.pk, proposal.state, proposal.review_state)
        publishes = proposal.review_state == Published and before[3] != Published
        reshapes = publishes or before[:3] != after[:3]
        rules.check_change(proposal, existing=current, reshapes=reshapes)
        for name in CHANGE_FIELDS - MANY_FIELDS:
            setattr(current, name, values[name])

        # Clear challengers first: the database refuses, at every step, a group that is both
        # controller and challenger, and an edit may swap the two.
        ChangeChallenger.objects.filter(change=current).delete()
        current.version = version + 1
        current.save()
        current.challengers.set(proposal.challengers)
        current.supported_by.set(proposal.supported_by)
        current.sources.set(proposal.sources)
        for place in {old_place, new_place}:
            place_periods_rebuild(place=place)
        if old_place.theater_id != new_place.theater_id:  # record_revision steps the new one
            revisions.advance([old_place.theater_id])
        action = Revision.Action.CHANGED
        if proposal.review_state != before[3]:
            action = (
                Revision.Action.PUBLISHED
                if proposal.review_state == Published
                else (Revision.Action.UNPUBLISHED if before[3] == Published else action)
            )
        record_revision(current, action, before=previous)
    return current


def control_change_publish(*, change: ControlChange, version: int) -> ControlChange:
    return control_change_update(change=change, version=version, review_state=Published)


def control_change_unpublish(*, change: ControlChange, version: int) -> ControlChange:
    return control_change_update(
        change=change, version=version, review_state=ControlChange.ReviewState.DRAFT
    )


def control_change_delete(
    *, change: ControlChange, version: int | None = None, user: User | None = None
) -> None:
    """Delete a change, leaving a tombstone for mirrors. A stale ``version`` is refused."""
    if version is not None:
        _check_version(version)
    with transaction.atomic():
        current = _lock_change(change)
        if version is not None and current.version != version:
            raise StaleVersionError(change=current, expected=version)
        place = current.place
        DeletedControlChange.objects.create(
            change_id=current.pk, place=place, deleted_by=user, was_public=_was_published(current)
        )
        record_revision(current, Revision.Action.DELETED)
        current.delete()
        change.pk = None
        place_periods_rebuild(place=place)


def _was_published(change: ControlChange) -> bool:
    """Published now, or at some time before according to its revisions (a change bulk-loaded
    without a revision has one for every later publication and unpublication)."""
    if change.review_state == Published:
        return True
    revisions = Revision.objects.filter(
        content_type__app_label="territory",
        content_type__model="controlchange",
        object_id=change.pk,
    )
    shown = Q(action__in=[Revision.Action.PUBLISHED, Revision.Action.UNPUBLISHED]) | Q(
        data__review_state=Published
    )
    return revisions.filter(shown).exists()


def _check_version(version: object) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(
            {"version": f"Give the version you read (a whole number), not {version!r}."}
        )


def _lock_place(place: Place) -> None:
    """Serialize writes to one place so concurrent rebuilds of its periods cannot interleave."""
    _lock_places([place.pk] if isinstance(place, Place) else [])


def lock_places(place_ids: Iterable[int]) -> None:
    """Lock places for the rest of the transaction, as every write to their changes does
    (bulk imports call this before reading the places' changes)."""
    ids = sorted(set(place_ids))
    for first in range(0, len(ids), 500):
        _lock_places(ids[first : first + 500])


def _lock_places(place_ids: Iterable[int]) -> None:
    # Always in id order, so two writers touching the same places cannot deadlock.
    places = Place.objects.select_for_update().filter(pk__in=set(place_ids)).order_by("pk")
    list(places.values_list("pk", flat=True))


def _lock_change(change: ControlChange, *, also: Sequence[int] = ()) -> ControlChange:
    """Lock the change's place (and ``also``), then the change row itself, in that order.

    Every write locks places before changes, so writers never wait on each other in a cycle.
    The change is locked FOR NO KEY UPDATE: rebuilding a neighbour's periods takes a key-share
    lock on it (periods reference their change), which must not conflict with an edit.
    """
    place_id = ControlChange.objects.filter(pk=change.pk).values_list("place_id", flat=True).first()
    if place_id is None:
        raise ControlChange.DoesNotExist(f"Change #{change.pk} no longer exists.")
    _lock_places([place_id, *also])
    current = (
        ControlChange.objects.select_for_update(no_key=True)
        .select_related("place")
        .get(pk=change.pk)
    )
    if current.place_id != place_id:  # moved by a write that committed meanwhile
        return _lock_change(change, also=also)
    return current


# --- Derived periods -------------------------------------------------------------------------
