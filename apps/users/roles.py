"""Roles as Django groups with model permissions; every interface asks the functions below.

- ``Editors`` enter the record: they view, add and change theaters, groups, places, sources
  and control changes, but only draft changes: publishing, unpublishing, editing a published
  change and deleting anything need a reviewer. Nor may they edit a theater, group, place or
  source that a published change rests on (``check_record_edit``): the public would see the
  edit at once, unreviewed.
- ``Reviewers`` may also publish and unpublish changes (``territory.publish_controlchange``)
  and delete records; in the admin they see login lockouts and lift them (django-axes).

Superusers may do everything. Both groups also see the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q

from .models import User

# Who acts: an account, the anonymous visitor, or None (a management command or the shell).
AnyUser = User | AnonymousUser | None

EDITORS = "Editors"
REVIEWERS = "Reviewers"
RECORD_MODELS = ["theater", "armedgroup", "place", "source", "controlchange"]
PUBLISH = "territory.publish_controlchange"


def ensure_roles(**kwargs: Any) -> None:
    """Create the role groups with their permissions (idempotent; runs after every migrate)."""
    editing = Q(content_type__app_label="territory", content_type__model__in=RECORD_MODELS) & Q(
        codename__regex=r"^(view|add|change)_"
    )
    audit = Q(content_type__app_label="history", codename="view_revision")
    deleting = Q(content_type__app_label="territory", content_type__model__in=RECORD_MODELS) & Q(
        codename__startswith="delete_"
    )
    publishing = Q(content_type__app_label="territory", codename="publish_controlchange")
    # login lockouts (django-axes): reviewers see them and lift one by deleting its attempt
    lockouts = Q(content_type__app_label="axes", content_type__model="accessattempt") & Q(
        codename__regex=r"^(view|delete)_"
    ) | Q(content_type__app_label="axes", codename="view_accesslog")
    # area layers: editors see them and edit a layer; reviewers delete layers and versions
    areas = Q(content_type__app_label="areas") & (
        Q(codename__startswith="view_") | Q(codename__in=["add_arealayer", "change_arealayer"])
    )
    deleting |= Q(content_type__app_label="areas", codename__startswith="delete_area")
    editing |= areas
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(Permission.objects.filter(editing | audit))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set(
        Permission.objects.filter(editing | audit | deleting | publishing | lockouts)
    )


def is_editor(user: AnyUser) -> TypeGuard[User]:
    """May write the record (drafts at least)."""
    return bool(user and user.is_authenticated and user.has_perm("territory.add_controlchange"))


def is_reviewer(user: AnyUser) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.has_perm(PUBLISH))


def can_delete(user: AnyUser, model_name: str) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.has_perm(f"territory.delete_{model_name}"))


def check_change_write(user: AnyUser, *, current_state: str | None, new_state: str) -> None:
    """PermissionDenied unless `user` may save a change that was `current_state` (None: new)
    as `new_state`. Editors work on drafts; a published change is a reviewer's business."""
    if not is_editor(user):
        raise PermissionDenied("Only editors may change the record.")
    published = "published"
    if published in (current_state, new_state) and not is_reviewer(user):
        if current_state == published and new_state == published:
            raise PermissionDenied("This change is published: only a reviewer may edit it.")
        raise PermissionDenied("Only a reviewer may publish or unpublish a change.")


def check_record_edit(
    user: AnyUser, *, record: Model, public_use: Callable[[], str | None]
) -> None:
    """PermissionDenied unless `user` may edit `record` (a theater, group, place or source).

    ``public_use()`` says what published makes the record public ("cited by 2 published
    changes"), None if nothing does; it is asked only of a user who is no reviewer. An Editor
    may edit a record only while nothing published rests on it: the public sees the record
    through its published changes, and must not see an edit no reviewer has made. The write
    services call this with the acting user; None (no account: a management command or the
    shell) is the operator, who may do anything.
    """
    if user is None or is_reviewer(user):
        return
    use = public_use()
    if use:
        name = record._meta.verbose_name
        raise PermissionDenied(
            f"The {name} “{record}” is {use}, so the public sees it: only a reviewer "
            f"may edit it. Ask a reviewer to make this edit."
        )
