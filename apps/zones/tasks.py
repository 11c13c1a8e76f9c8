"""Zone tasks: computing zones is pure derivation, so re-running is harmless (acks late)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="zones.fill_missing",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def fill_missing_zones(theater_id: int) -> int:
    """Compute every missing zone day of one theater (queued by the writes that invalidate)."""
    from apps.territory.models import Theater

    from . import compute
    from . import services as zone_services

    if not compute.available() or not Theater.objects.filter(pk=theater_id).exists():
        return 0
    return zone_services.fill_missing(theater_id).computed


@shared_task(name="zones.fill_all_missing")
def fill_all_missing() -> int:
    """Beat, every ten minutes: queue the theaters whose task was lost (Redis down at commit),
    and drop zones cached for a radius that is no longer configured."""
    from django.conf import settings

    from apps.territory.models import Theater

    from . import compute
    from . import selectors as zone_selectors
    from .models import ZoneSet

    if not settings.ZONES_PRECOMPUTE or not compute.available():
        return 0
    ZoneSet.objects.exclude(radius_km=zone_selectors.default_radius()).delete()
    queued = 0
    for theater_id in Theater.objects.values_list("pk", flat=True):
        days = zone_selectors.zone_days(theater_id)
        rows = ZoneSet.objects.filter(theater_id=theater_id)
        rows.exclude(day__in=days).delete()  # days no longer zone days (never read; tidied)
        if rows.filter(day__in=days).count() < len(days):
            fill_missing_zones.delay(theater_id)
            queued += 1
    return queued
