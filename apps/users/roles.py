"""Roles as Django groups. ``Editors`` may write the record through the API and the admin."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
EDITOR_MODELS = ["theater", "armedgroup", "place", "source", "controlchange"]


def ensure_roles(**kwargs) -> None:
    """Create the role groups with their permissions (idempotent; runs after every migrate)."""
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    perms = Permission.objects.filter(
        content_type__app_label="territory", content_type__model__in=EDITOR_MODELS
    )
    editors.permissions.add(*perms)


def is_editor(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=EDITORS).exists())
    )
