"""Derived zones: the land they are clipped to, and their cache.

Nothing here is ever observed data. ``ZoneSet`` rows are rebuilt from the control periods
(see ``cache``) and may be deleted at any time without loss.
"""

from django.contrib.gis.db import models

from apps.territory.models import Theater


class Land(models.Model):
    """Land polygons zones are clipped to (so no group is credited with the sea). Loaded from
    the bundled Natural Earth land by a migration; ``manage.py load_land FILE`` replaces them."""

    geom = models.PolygonField(srid=4326)

    class Meta:
        verbose_name_plural = "land"


class ZoneSet(models.Model):
    """Cached zones of a theater from ``day`` (a date on which some place's controller
    changes) until the next such date, for one radius.

    ``features``: ``[{"group": id, "area_km2": float, "geometry": GeoJSON MultiPolygon}]``;
    ``areas``: ``{group id: area_km2}`` on its own, so the area series never reads geometry.
    """

    theater = models.ForeignKey(Theater, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    radius_km = models.FloatField()
    features = models.JSONField()
    areas = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["theater", "day", "radius_km"], name="zoneset_unique_theater_day_radius"
            )
        ]

    def __str__(self) -> str:
        return f"zones of {self.theater_id} on {self.day} ({self.radius_km:g} km)"


class ZoneEpoch(models.Model):
    """Replaced (by a random number) by every write that invalidates a theater's zones. A zone
    computation stores its result only if the epoch did not move meanwhile, so a slow read
    never caches stale zones; the theater's zone days are cached under it."""

    theater = models.OneToOneField(
        Theater, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    generation = models.BigIntegerField(default=0)
