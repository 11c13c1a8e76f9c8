"""Roles as Django groups with model permissions; every interface asks the functions below.

- ``Editors`` enter the record: they view, add and change theaters, groups, places, sources
  and control changes, but only draft changes: publishing, unpublishing, editing a published
  change and deleting anything need a reviewer.
- ``Reviewers`` may also publish and unpublish changes (``territory.publish_controlchange``)
  and delete records.

Superusers may do everything. Both groups also see the audit trail.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q

EDITORS = "Editors"
REVIEWERS = "Reviewers"
RECORD_MODELS = ["theater", "armedgroup", "place", "source", "controlchange"]
PUBLISH = "territory.publish_controlchange"


def ensure_roles(**kwargs) -> None:
    """Create the role groups with their permissions (idempotent; runs after every migrate)."""
    editing = Q(content_type__app_label="territory", content_type__model__in=RECORD_MODELS) & Q(
        codename__regex=r"^(view|add|change)_"
    )
    audit = Q(content_type__app_label="history", codename="view_revision")
    deleting = Q(content_type__app_label="territory", content_type__model__in=RECORD_MODELS) & Q(
        codename__startswith="delete_"
    )
    publishing = Q(content_type__app_label="territory", codename="publish_controlchange")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(Permission.objects.filter(editing | audit))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set(Permission.objects.filter(editing | audit | deleting | publishing))


def is_editor(user) -> bool:
    """May write the record (drafts at least)."""
    return bool(user and user.is_authenticated and user.has_perm("territory.add_controlchange"))


def is_reviewer(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PUBLISH))


def can_delete(user, model_name: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(f"territory.delete_{model_name}"))


def check_change_write(user, *, current_state: str | None, new_state: str) -> None:
    """PermissionDenied unless `user` may save a change that was `current_state` (None: new)
    as `new_state`. Editors work on drafts; a published change is a reviewer's business."""
    if not is_editor(user):
        raise PermissionDenied("Only editors may change the record.")
    published = "published"
    if published in (current_state, new_state) and not is_reviewer(user):
        if current_state == published and new_state == published:
            raise PermissionDenied("This change is published: only a reviewer may edit it.")
        raise PermissionDenied("Only a reviewer may publish or unpublish a change.")
