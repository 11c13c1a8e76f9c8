"""Area layers in the admin: a layer with its versions (dates, km², gained, lost), each
version with its ground drawn (an inline SVG: no script, no tiles). Layers are written
through the services; versions come from imports (``manage.py import_areas``) and may be
deleted (the one before then lasts)."""

from __future__ import annotations

import math

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, OuterRef, Subquery
from django.utils.html import format_html

from apps.territory.admin import ServiceAdmin
from apps.users import roles

from . import derive, services
from . import geometry as geo
from .models import AreaLayer, AreaSnapshot, AreaVersion


def svg_of(ground, width: int = 640) -> str:
    """A MultiPolygon as an inline SVG (lon/lat, longitudes shrunk by the cosine of the
    middle latitude), holes left open by the even-odd rule."""
    xmin, ymin, xmax, ymax = ground.extent
    squeeze = math.cos(math.radians((ymin + ymax) / 2))
    scale = width / max((xmax - xmin) * squeeze, 1e-9)
    height = max(1, round((ymax - ymin) * scale))

    def ring(coords) -> str:
        points = " ".join(
            f"{(x - xmin) * squeeze * scale:.1f},{(ymax - y) * scale:.1f}" for x, y in coords
        )
        return f"M{points}Z"

    path = " ".join(ring(r.coords) for polygon in ground for r in polygon)
    return format_html(
        '<svg width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="the ground">'
        '<path d="{}" fill="#c0392b" fill-opacity="0.35" stroke="#c0392b" stroke-width="1" '
        'fill-rule="evenodd"/></svg>',
        width,
        height,
        width,
        height,
        path,
    )


class VersionInline(admin.TabularInline):
    model = AreaVersion
    fields = ("start", "end", "area_km2", "gained_km2", "lost_km2", "vertices", "source")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False
    ordering = ("-start",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("geometry", "gained", "lost")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AreaLayer)
class AreaLayerAdmin(ServiceAdmin):
    list_display = ["slug", "name", "theater", "group", "assessor", "versions", "first", "last"]
    list_filter = ["theater", "assessor"]
    search_fields = ["slug", "name", "assessor"]
    fields = (
        "theater",
        "slug",
        "name",
        "group",
        "status",
        "assessor",
        "complement",
        "description",
    )
    inlines = [VersionInline]
    delete_service = staticmethod(lambda layer: services.layer_delete(layer=layer))
    actions = ["derive_drafts"]

    @admin.action(description="Derive place control from these layers (drafts)")
    def derive_drafts(self, request, queryset):
        if not request.user.has_perm("territory.add_controlchange"):
            self.message_user(request, "Only editors may write changes.", messages.ERROR)
            return
        for layer in queryset:
            try:
                report = derive.derive_changes(layer=layer)
            except ValidationError as error:
                self.message_user(request, f"{layer}: {'; '.join(error.messages)}", messages.ERROR)
                continue
            lines = report.lines()
            more = f" (and {len(lines) - 4} more lines: manage.py derive_changes lists them)"
            text = " ".join(lines[:4]) + (more if len(lines) > 4 else "")
            self.message_user(request, f"{layer}: {text}", messages.SUCCESS)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                version_count=Count("versions"),
                first_day=Min("versions__start"),
                # a subquery: joining the snapshots too would count each version once a day
                last_day=Subquery(
                    AreaSnapshot.objects.filter(layer=OuterRef("pk"))
                    .order_by("-day")
                    .values("day")[:1]
                ),
            )
        )

    @admin.display(description="versions", ordering="version_count")
    def versions(self, layer):
        return layer.version_count

    @admin.display(description="from", ordering="first_day")
    def first(self, layer):
        return layer.first_day

    @admin.display(description="last snapshot", ordering="last_day")
    def last(self, layer):
        return layer.last_day

    def get_readonly_fields(self, request, obj=None):
        return ("theater",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data}
        if change:
            data.pop("theater", None)
            saved = services.layer_update(layer=obj, **data)
        else:
            saved = services.layer_create(**data)
        obj.pk = saved.pk


@admin.register(AreaVersion)
class AreaVersionAdmin(ServiceAdmin):
    list_display = ["layer", "start", "end", "area_km2", "gained_km2", "lost_km2", "vertices"]
    list_filter = ["layer__theater", "layer"]
    date_hierarchy = "start"
    fields = (
        "layer",
        "start",
        "end",
        "area_km2",
        "gained_km2",
        "lost_km2",
        "vertices",
        "source",
        "ground",
    )
    readonly_fields = fields
    delete_service = staticmethod(lambda version: services.version_delete(version=version))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("layer").defer("gained", "lost")

    @admin.display(description="ground")
    def ground(self, version):
        """The version's ground drawn as an SVG (read-only, no script: versions change only
        by snapshots)."""
        return svg_of(geo.simplified(version.geometry, geo.tolerance_at_zoom(8)))

    def has_add_permission(self, request):
        return False  # versions come from snapshots: manage.py import_areas

    def has_change_permission(self, request, obj=None):
        return False  # shown (with its map), never edited by hand

    def may_restore(self, request, obj) -> bool:
        return roles.is_reviewer(request.user)  # published ground: ``restore``'s rule
