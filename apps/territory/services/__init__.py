"""The one write path for the domain.

Admin, API, imports and commands call these functions; none of them writes models directly.
Every change write validates with ``rules``, then rebuilds the affected place's derived
periods in the same transaction, so the stored history is always consistent with the
published changes, and announces what changed (``territory.signals``). The modules:

- ``records``: theaters, groups, places and sources;
- ``changes``: control changes, one at a time, and the place locks every change write takes;
- ``bulk``: many changes at once (imports, generated theaters), through the same steps;
- ``periods``: the derived control periods;
- ``review``: what the public sees of a record, and who may edit it then;
- ``audit`` and ``restore``: the revisions every write records, and putting one back.
"""

from .bulk import control_changes_bulk_create, control_changes_bulk_delete
from .changes import (
    StaleVersionError,
    control_change_create,
    control_change_delete,
    control_change_publish,
    control_change_unpublish,
    control_change_update,
    lock_places,
)
from .periods import place_periods_rebuild, place_periods_rebuild_many
from .records import (
    InUseError,
    group_create,
    group_delete,
    group_update,
    place_create,
    place_delete,
    place_update,
    places_bulk_create,
    places_bulk_delete,
    source_create,
    source_delete,
    source_update,
    theater_create,
    theater_delete,
    theater_update,
)
from .restore import Restorer, restore_allowed, revision_restore
from .review import published_use

__all__ = [
    "InUseError",
    "Restorer",
    "StaleVersionError",
    "control_change_create",
    "control_change_delete",
    "control_change_publish",
    "control_change_unpublish",
    "control_change_update",
    "control_changes_bulk_create",
    "control_changes_bulk_delete",
    "group_create",
    "group_delete",
    "group_update",
    "lock_places",
    "place_create",
    "place_delete",
    "place_periods_rebuild",
    "place_periods_rebuild_many",
    "place_update",
    "places_bulk_create",
    "places_bulk_delete",
    "published_use",
    "restore_allowed",
    "revision_restore",
    "source_create",
    "source_delete",
    "source_update",
    "theater_create",
    "theater_delete",
    "theater_update",
]
