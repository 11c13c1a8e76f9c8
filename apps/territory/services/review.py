"""What the public sees of a record, and who may edit it while it does."""

from __future__ import annotations

from django.db.models import Q

from apps.history import recorder
from apps.users import roles

from .. import snapshots
from ..models import (
    ArmedGroup,
    ChangeChallenger,
    ControlChange,
    Place,
    Source,
    Theater,
)
from .audit import snapshot_of

Published = ControlChange.ReviewState.PUBLISHED


def published_use(record: Theater | ArmedGroup | Place | Source) -> str | None:
    """What published makes `record` public, in words ("cited by 2 published changes"), or
    None while nothing does: the public sees places, groups, sources and theaters through the
    published changes that rest on them. A group is also public as the parent (or further
    ancestor) of a group a published change names."""
    changes = ControlChange.objects.filter(review_state=Published)
    if isinstance(record, Source):
        count, words = changes.filter(sources=record).count(), "cited by {}"
    elif isinstance(record, Place):
        count, words = changes.filter(place=record).count(), "the place of {}"
    elif isinstance(record, Theater):
        count, words = changes.filter(place__theater=record).count(), "the theater of {}"
    elif isinstance(record, ArmedGroup):
        groups = _with_members(record)
        named = (
            Q(controller__in=groups)
            | Q(pk__in=ChangeChallenger.objects.filter(group__in=groups).values("change"))
            | Q(supported_by__in=groups)
        )
        count = changes.filter(named).values("pk").distinct().count()
        words = "named (it or a member group) by {}" if len(groups) > 1 else "named by {}"
    else:
        raise TypeError(f"Not a record the public sees through changes: {record!r}")
    if not count:
        return None
    return words.format(f"{count} published change{'s' if count != 1 else ''}")


def _with_members(group: ArmedGroup) -> list[int]:
    """The group's id and those of its member groups, at any depth."""
    found, frontier = [group.pk], [group.pk]
    while frontier:
        frontier = [
            pk
            for pk in ArmedGroup.objects.filter(parent__in=frontier).values_list("pk", flat=True)
            if pk not in found
        ]
        found += frontier
    return found


def check_review(record: Theater | ArmedGroup | Place | Source) -> None:
    """Refuse an edit of `record` that no reviewer makes while the public sees the record
    (``roles.check_record_edit``). An edit that changes nothing passes. Compared with the
    stored row, not with the instance, which a form may have filled in already."""
    stored = type(record).objects.get(pk=record.pk)
    if not snapshots.diff(snapshot_of(stored), snapshot_of(record)):
        return
    roles.check_record_edit(
        recorder.current_user(), record=stored, public_use=lambda: published_use(stored)
    )
