"""The whole audit trail, read-only, searchable; a revision of any record (a deleted one too)
can be restored from here ("Restore this revision")."""

import json
from typing import Any

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import Revision


def abridged(value: Any) -> Any:
    """`value` with every GeoJSON geometry of more than a point replaced by its type and
    number of vertices."""
    if isinstance(value, dict):
        kind, coordinates = value.get("type"), value.get("coordinates")
        if isinstance(kind, str) and isinstance(coordinates, list) and kind != "Point":
            return f"<{kind}, {_count(coordinates):,} vertices>"
        return {k: abridged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [abridged(v) for v in value]
    return value


def _count(coordinates: list[Any]) -> int:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return 1
    return sum(_count(c) for c in coordinates)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["at", "object_repr", "content_type", "action", "user", "via", "changed"]
    list_filter = ["action", "via", "content_type", "user"]
    search_fields = ["object_repr", "note", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["content_type", "user"]
    actions = ["restore"]
    readonly_fields = (
        "at",
        "content_type",
        "object_id",
        "object_repr",
        "action",
        "user",
        "via",
        "note",
        "changes",
        "state",
        "labels",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Fields changed")
    def changed(self, revision):
        return ", ".join(revision.diff) or "—"

    @admin.display(description="Changes")
    def changes(self, revision):
        if not revision.diff:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>: {} → {}</li>",
                ((k, before, after) for k, (before, after) in revision.diff.items()),
            ),
        )

    @admin.display(description="Data")
    def state(self, revision):
        """The recorded state, each geometry told by its type and size: a version's ground
        (thousands of coordinates) is kept to be restored, not read here."""
        return format_html("<pre>{}</pre>", json.dumps(abridged(revision.data), indent=2))

    @admin.action(description="Restore the selected revision (one)")
    def restore(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one revision to restore.", messages.ERROR)
            return None
        revision = queryset.get()
        url = reverse("admin:territory_restore", args=[revision.pk])
        return self._post_to(request, url)

    @staticmethod
    def _post_to(request, url):
        """Hand over to the restore view (which checks the user's rights on that record)."""
        from django.urls import resolve

        match = resolve(url)
        return match.func(request, *match.args, **match.kwargs)
