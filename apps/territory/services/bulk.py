"""Many writes at once (imports, generated theaters) through the same steps as one write:
the places locked, the rows and their links inserted, the periods rebuilt (announcing the
days whose controller changed), a revision recorded per row; deletions leave tombstones.

The rules are the caller's to run first, over the whole batch in date order, because a
bulk caller checks each proposal against its neighbours in the file as well as the stored
ones (``apps.ingest.importer``); the generator builds valid proposals by construction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from apps.history import recorder
from apps.history.models import Revision
from apps.users.models import User

from .. import revisions, rules, snapshots
from ..models import ChangeChallenger, ControlChange, DeletedControlChange
from .changes import lock_places
from .periods import place_periods_rebuild_many

Published = ControlChange.ReviewState.PUBLISHED
BATCH = 5_000  # rows per INSERT and per batch of revisions (bounded memory)
PLACES_PER_REBUILD = 500  # SQLite's parameter limit


def control_changes_bulk_create(
    *, proposals: Sequence[rules.ChangeProposal], author: User | None = None
) -> list[ControlChange]:
    """Insert checked proposals as changes, in one transaction; returns them in order.

    Cost: linear in the proposals (batched inserts); the periods of each place that gains a
    published change are rebuilt once, from its stored changes."""
    if not proposals:
        return []
    with transaction.atomic():
        lock_places(p.place.pk for p in proposals)
        changes = ControlChange.objects.bulk_create(
            (
                ControlChange(
                    place=p.place,
                    date=p.date,
                    date_precision=p.date_precision,
                    status=p.status,
                    controller=p.controller,
                    confidence=p.confidence,
                    summary=p.summary,
                    review_state=p.review_state,
                    author=author,
                )
                for p in proposals
            ),
            batch_size=BATCH,
        )
        _link(changes, proposals)
        revisions.advance_for_places(p.place.pk for p in proposals)
        touched = sorted({p.place.pk for p in proposals if p.review_state == Published})
        for first in range(0, len(touched), PLACES_PER_REBUILD):
            place_periods_rebuild_many(place_ids=touched[first : first + PLACES_PER_REBUILD])
        for first in range(0, len(changes), BATCH):
            recorder.record_many(
                _created(change, proposal)
                for change, proposal in zip(
                    changes[first : first + BATCH], proposals[first : first + BATCH], strict=True
                )
            )
    return changes


def _link(changes: list[ControlChange], proposals: Sequence[rules.ChangeProposal]) -> None:
    pairs = list(zip(changes, proposals, strict=True))
    ChangeChallenger.objects.bulk_create(
        (ChangeChallenger(change=c, group=g) for c, p in pairs for g in p.challengers),
        batch_size=BATCH,
    )
    supporters = ControlChange.supported_by.through
    supporters.objects.bulk_create(
        (supporters(controlchange=c, armedgroup=g) for c, p in pairs for g in p.supported_by),
        batch_size=BATCH,
    )
    sources = ControlChange.sources.through
    sources.objects.bulk_create(
        (sources(controlchange=c, source=s) for c, p in pairs for s in p.sources),
        batch_size=BATCH,
    )


def _created(change: ControlChange, proposal: rules.ChangeProposal) -> Revision:
    many: dict[str, list[Any]] = {
        "challengers": proposal.challengers,
        "supported_by": proposal.supported_by,
        "sources": proposal.sources,
    }
    data, labels = snapshots.snapshot(change, many=many)
    return recorder.build(change, action=Revision.Action.CREATED, data=data, labels=labels)


def control_changes_bulk_delete(
    *, changes: QuerySet[ControlChange], user: User | None = None
) -> int:
    """Delete many changes as ``control_change_delete`` deletes one: a tombstone each (marked
    public for those the public saw, now or before), a revision each, the periods of their
    places rebuilt. Returns how many were deleted."""
    with transaction.atomic():
        place_ids = sorted(set(changes.values_list("place_id", flat=True)))
        lock_places(place_ids)
        revisions.advance_for_places(place_ids)
        ids = list(changes.values_list("pk", flat=True))
        shown = set(_once_public(ids))
        for first in range(0, len(ids), BATCH):
            batch = ids[first : first + BATCH]
            rows = (
                ControlChange.objects.filter(pk__in=batch)
                .select_related("place", "controller")
                .prefetch_related("challengers", "supported_by", "sources")
            )
            recorded, tombstones = [], []
            for change in rows:
                data, labels = snapshots.snapshot(change)
                recorded.append(
                    recorder.build(change, action=Revision.Action.DELETED, data=data, labels=labels)
                )
                tombstones.append(
                    DeletedControlChange(
                        change_id=change.pk,
                        place_id=change.place_id,
                        deleted_by=user,
                        was_public=change.pk in shown,
                    )
                )
            recorder.record_many(recorded)
            DeletedControlChange.objects.bulk_create(tombstones, batch_size=BATCH)
            ControlChange.objects.filter(pk__in=batch).delete()
        for first in range(0, len(place_ids), PLACES_PER_REBUILD):
            place_periods_rebuild_many(place_ids=place_ids[first : first + PLACES_PER_REBUILD])
    return len(ids)


def _once_public(ids: list[int]) -> Iterator[int]:
    """Of these changes, those published now or at some time before (by their revisions),
    as ``changes._was_published`` decides for one."""
    for first in range(0, len(ids), PLACES_PER_REBUILD):
        batch = ids[first : first + PLACES_PER_REBUILD]
        yield from ControlChange.objects.filter(pk__in=batch, review_state=Published).values_list(
            "pk", flat=True
        )
        revisions = Revision.objects.filter(
            content_type__app_label="territory",
            content_type__model="controlchange",
            object_id__in=batch,
        ).filter(
            Q(action__in=[Revision.Action.PUBLISHED, Revision.Action.UNPUBLISHED])
            | Q(data__review_state=Published)
        )
        yield from revisions.values_list("object_id", flat=True)
