"""Who may import what: the one statement of it, for the API, the admin, the jobs and the
importer (which also runs for commands)."""

from __future__ import annotations

from apps.users import roles

EDITORS_ONLY = "Only editors may import."
REVIEWERS_PUBLISH = "Only a reviewer may import published changes."


def import_refusal(user: roles.AnyUser, *, publish: bool) -> str | None:
    """Why ``user`` may not start an import (``publish``: of published changes), or None."""
    if not roles.is_editor(user):
        return EDITORS_ONLY
    return publish_refusal(user, publish=publish)


def publish_refusal(user: roles.AnyUser, *, publish: bool) -> str | None:
    if publish and not roles.is_reviewer(user):
        return REVIEWERS_PUBLISH
    return None
