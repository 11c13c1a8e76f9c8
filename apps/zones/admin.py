"""Derived zones in the admin: per theater, how many zone days are cached and how many are
still to compute (a worker fills them after writes), with a button to queue them now."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path

from apps.territory.models import Theater

from . import compute
from . import selectors as zone_selectors
from .models import ZoneSet


@admin.register(ZoneSet)
class ZoneSetAdmin(admin.ModelAdmin):
    list_display = ["theater", "day", "radius_km", "groups", "computed_at"]
    list_filter = ["theater", "radius_km"]
    date_hierarchy = "day"
    fields = ("theater", "day", "radius_km", "areas", "computed_at")
    readonly_fields = fields
    change_list_template = "admin/zones/zoneset/change_list.html"

    @admin.display(description="groups")
    def groups(self, row):
        return len(row.areas)

    def has_add_permission(self, request):
        return False  # derived: computed, never entered

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        fill = self.admin_site.admin_view(self.fill_view)
        return [path("fill/", fill, name="zones_zoneset_fill"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        coverage = []
        if compute.available():
            for theater in Theater.objects.order_by("name"):
                days = zone_selectors.zone_days(theater.pk)
                have = ZoneSet.objects.filter(
                    theater=theater, radius_km=zone_selectors.default_radius(), day__in=days
                ).count()
                coverage.append(
                    {
                        "theater": theater,
                        "days": len(days),
                        "cached": have,
                        "pending": len(days) - have,
                    }
                )
        extra = {
            "coverage": coverage,
            "available": compute.available(),
            "radius": zone_selectors.default_radius(),
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def fill_view(self, request):
        if request.method != "POST" or not self.has_view_permission(request):
            return redirect("admin:zones_zoneset_changelist")
        from .tasks import fill_missing_zones

        try:
            for theater_id in Theater.objects.values_list("pk", flat=True):
                fill_missing_zones.delay(theater_id)
        except Exception as error:  # the broker is away: say so, nothing is lost
            messages.error(request, f"Could not queue the work ({error}); beat will retry.")
        else:
            messages.success(request, "Queued: the missing zone days of every theater.")
        return redirect("admin:zones_zoneset_changelist")
