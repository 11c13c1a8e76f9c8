"""The map page (the home page) and its server-rendered companion, the "control on day T"
table, which works without JavaScript and is what the map links to for screen readers."""

from collections import Counter

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from apps.areas.models import AreaLayer
from apps.territory import params
from apps.territory.models import Theater
from apps.territory.palette import SAFE_PALETTE
from apps.territory.selectors import control_at
from apps.zones.compute import available as zones_available


def home(request):
    """The replay map: everything it shows is computed in the browser from the timeline (and
    the area timeline, where the theater has area layers).

    The page names both URLs in preload links, so the browser fetches them while the scripts
    load instead of after they have run."""
    theaters = list(Theater.objects.order_by("start_date", "name"))
    theater = next((t for t in theaters if t.slug == request.GET.get("theater")), None)
    theater = theater or (theaters[0] if theaters else None)
    timeline = f"{reverse('api:timeline')}?theater={theater.pk}" if theater else None
    # the observed area layers' timeline, fetched beside the places' (none: no such layers)
    area_timeline = None
    if theater is not None and AreaLayer.objects.filter(theater=theater).exists():
        area_timeline = f"{reverse('api:area-timeline')}?theater={theater.pk}"
    config = {
        "api": "/api/v1/",
        "theater": theater.slug if theater else None,
        "timeline": timeline,
        "areaTimeline": area_timeline,
        "theaters": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in theaters],
        "tiles": {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
        "palette": SAFE_PALETTE,
        "zones": zones_available(),  # derived zones need PostGIS
        "basemap": {
            "land": static("basemap/land.geojson"),
            "countries": static("basemap/countries.geojson"),
        },
    }
    context = {
        "config": config,
        "theaters": theaters,
        "theater": theater,
        "timeline": timeline,
        "area_timeline": area_timeline,
    }
    return render(request, "atlas/map.html", context)


def table(request):
    theaters = list(Theater.objects.all())
    theater = next((t for t in theaters if t.slug == request.GET.get("theater")), None)
    theater = theater or (theaters[0] if theaters else None)

    default_day = (
        min(theater.end_date, timezone.localdate())
        if theater and theater.end_date
        else timezone.localdate()
    )
    error = None
    try:
        given = request.GET.get("date")
        on = params.parse_date(request.GET, "date", required=True) if given else default_day
    except params.ParameterError as bad:
        on, error = default_day, bad.message

    states = control_at(on=on, theater=theater) if theater else []
    held = Counter(s.controller for s in states if s.controller is not None)
    context = {
        "theaters": theaters,
        "theater": theater,
        "on": on,
        "error": error,
        "states": sorted(states, key=lambda s: (-s.place.importance, s.place.name)),
        "held": held.most_common(),
    }
    return render(request, "atlas/table.html", context, status=400 if error else 200)
