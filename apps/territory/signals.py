"""What the domain announces about its writes.

Derived views (the zones cache today; caches of whole answers later) subscribe in their
``AppConfig.ready()``, so the domain never imports what is derived from it. Every signal is
sent synchronously *inside* the writer's transaction: a receiver's own writes (dropping
cached rows, moving an epoch) commit or roll back with the write that caused them.
"""

from __future__ import annotations

from django.dispatch import Signal

from .periods import DayRange

# The controller of some place of a theater differs, before and after the write, on the days
# of these half-open ranges. Keyword arguments: ``theater_id: int`` and
# ``ranges: list[tuple[date, date | None]]`` (``None``: open end; unsorted, may overlap).
# A change of status alone (held → contested by the same controller) is not announced.
controllers_changed = Signal()

# Something of a theater other than its control changed what every derived view shows (its
# bounds). Keyword argument: ``theater_id: int``.
theater_reshaped = Signal()


def announce_controllers_changed(theater_id: int, ranges: list[DayRange]) -> None:
    """Send :data:`controllers_changed` unless ``ranges`` is empty."""
    if ranges:
        controllers_changed.send(sender=None, theater_id=theater_id, ranges=ranges)


def announce_theater_reshaped(theater_id: int) -> None:
    theater_reshaped.send(sender=None, theater_id=theater_id)


def controllers_watched() -> bool:
    """Whether a receiver waits for :data:`controllers_changed`: when none does (no zones
    on SpatiaLite), a large import spares itself computing the day ranges."""
    return controllers_changed.has_listeners()
