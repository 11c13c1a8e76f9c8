"""The zones cache listens to the domain's writes (``apps.territory.signals``), inside each
write's transaction: rows of the days whose controllers changed are dropped and the theater's
epoch moves before the write commits (see :mod:`apps.zones.services`)."""

from __future__ import annotations

from typing import Any

from apps.territory import signals
from apps.territory.periods import DayRange

from . import compute
from . import services as zone_services


def controllers_changed(
    sender: object, *, theater_id: int, ranges: list[DayRange], **kwargs: Any
) -> None:
    zone_services.invalidate(theater_id, ranges)


def theater_reshaped(sender: object, *, theater_id: int, **kwargs: Any) -> None:
    zone_services.invalidate_all(theater_id)


def connect() -> None:
    """Listen when zones can exist: on SpatiaLite there are none to drop, and with no
    receiver the writes do not even compute which days changed."""
    if not compute.available():
        return
    signals.controllers_changed.connect(controllers_changed, dispatch_uid="zones.invalidate")
    signals.theater_reshaped.connect(theater_reshaped, dispatch_uid="zones.invalidate_all")
