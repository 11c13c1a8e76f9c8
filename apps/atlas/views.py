"""The home page. Until the map lands, a server-rendered "control on day T" table."""

from collections import Counter
from datetime import date

from django.shortcuts import render
from django.utils import timezone

from apps.territory.models import Theater
from apps.territory.selectors import control_at


def home(request):
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
        on = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else default_day
    except ValueError:
        on, error = default_day, f"{request.GET['date']!r} is not a date (YYYY-MM-DD)."

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
    return render(request, "atlas/home.html", context, status=400 if error else 200)
