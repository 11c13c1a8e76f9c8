"""Who is writing, and the call that records a revision.

The acting user and channel live in a context variable: the middleware sets them for each
request (the user is read when a revision is written, after DRF has authenticated a token),
an import task for its run (``acting``); anything else records as a command with no user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from apps.users.models import User
from apps.users.roles import AnyUser

from .models import Revision


@dataclass(frozen=True)
class Actor:
    user: Callable[[], AnyUser]
    via: str
    note: str = ""


_NOBODY = Actor(user=lambda: None, via=Revision.Via.COMMAND)
_actor: ContextVar[Actor] = ContextVar("frontline_actor", default=_NOBODY)
_restoring: ContextVar[str | None] = ContextVar("frontline_restoring", default=None)


@contextmanager
def acting(
    *,
    user: AnyUser = None,
    via: str,
    note: str = "",
    user_getter: Callable[[], AnyUser] | None = None,
) -> Iterator[None]:
    token = _actor.set(Actor(user=user_getter or (lambda: user), via=via, note=note))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def restoring(note: str) -> Iterator[None]:
    """Writes made inside are recorded as a restore, with `note` saying of what."""
    token = _restoring.set(note)
    try:
        yield
    finally:
        _restoring.reset(token)


def current_user() -> User | None:
    """The acting account; None for a command, the shell or an anonymous request."""
    user = _actor.get().user()
    return user if user is not None and user.is_authenticated else None


def build(
    obj: Model,
    *,
    action: str,
    data: dict[str, Any],
    diff: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
    note: str = "",
) -> Revision:
    """An unsaved revision of `obj` by the current actor (for bulk_create)."""
    actor = _actor.get()
    restore_note = _restoring.get()
    if restore_note is not None:  # what a restore deletes in passing stays a deletion
        note = restore_note
        if action != Revision.Action.DELETED:
            action = Revision.Action.RESTORED
    return Revision(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        action=action,
        user=current_user(),
        via=actor.via,
        data=data,
        diff=diff or {},
        labels=labels or {},
        note=(note or actor.note)[:300],
    )


def record(obj: Model, **kwargs: Any) -> Revision:
    revision = build(obj, **kwargs)
    revision.save()
    return revision


def record_many(revisions: Iterable[Revision]) -> int:
    return len(Revision.objects.bulk_create(list(revisions), batch_size=2000))
