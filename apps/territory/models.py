"""The domain: theaters, armed groups, places, sources, control changes and derived periods.

Models hold data and database-level integrity only. Reads live in ``selectors.py``, writes in
``services.py``, validation rules in ``rules.py`` and the time semantics in ``periods.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from .db import PostgresExclusionConstraint
from .periods import State

HEX_COLOR_REGEX = r"^#[0-9a-f]{6}$"


class Theater(models.Model):
    """One conflict area, e.g. "Syria and Iraq, 2014–2019"."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    bounds = models.PolygonField(srid=4326, help_text="Places of this theater must lie inside.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while ongoing.")
    reference_km2 = models.FloatField(
        null=True,
        blank=True,
        help_text="The area that shares of ground are of, e.g. Ukraine's 603,550 km².",
    )
    reference_name = models.CharField(
        max_length=200, blank=True, help_text="What that area is, e.g. Ukraine (1991 borders)."
    )

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="theater_end_after_start",
                violation_error_message="The end date must not be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DataRevision(models.Model):
    """How far a theater's data has moved: one step per write that can change a read of it.

    Moved by ``apps.territory.revisions.advance`` inside each write's transaction (so it
    commits with the data, and two writers queue on the row instead of losing a step).
    ``token`` is drawn when the row is made: a recreated database never repeats a
    (token, value) pair, so a cache that outlives the database cannot serve its old answers.
    Kept apart from ``Theater`` so that saving a theater never writes a stale value back.
    ``places_value`` steps with ``value`` when a write changes one of the theater's places
    themselves (not their changes): what is derived from the places alone is kept under it.
    """

    theater = models.OneToOneField(
        Theater, on_delete=models.CASCADE, primary_key=True, related_name="data_revision"
    )
    token = models.CharField(max_length=16)
    value = models.BigIntegerField()
    places_value = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.theater_id}.{self.token}.{self.value}"


class ArmedGroup(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "State armed forces"
        REGIONAL = "regional", "Regional government forces"
        PARAMILITARY = "paramilitary", "Paramilitary / militia"
        NON_STATE = "non_state", "Non-state armed group"
        COALITION = "coalition", "International coalition"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. ISIS, Daesh.")
    color = models.CharField(max_length=7, help_text="Map colour as #rrggbb.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NON_STATE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    founded = models.DateField(null=True, blank=True)
    dissolved = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(color__regex=HEX_COLOR_REGEX),
                name="armedgroup_color_hex",
                violation_error_message="Colour must be #rrggbb (six lowercase hex digits).",
            ),
            models.CheckConstraint(
                condition=Q(founded__isnull=True)
                | Q(dissolved__isnull=True)
                | Q(dissolved__gte=models.F("founded")),
                name="armedgroup_dissolved_after_founded",
                violation_error_message="A group cannot be dissolved before it was founded.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="armedgroup_not_own_parent",
                violation_error_message="A group cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", "City"
        TOWN = "town", "Town"
        VILLAGE = "village", "Village"
        BORDER_CROSSING = "border_crossing", "Border crossing"
        OIL_FIELD = "oil_field", "Oil field"
        GAS_FIELD = "gas_field", "Gas field"
        MILITARY_BASE = "military_base", "Military base"
        AIRPORT = "airport", "Airport"
        DAM = "dam", "Dam"
        REGION = "region", "Region"
        OTHER = "other", "Other"

    theater = models.ForeignKey(Theater, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Spelling variants.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    location = models.PointField(srid=4326)
    area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. SY, IQ.")
    population = models.PositiveIntegerField(null=True, blank=True)
    importance = models.PositiveSmallIntegerField(default=3, help_text="1 (minor) to 5 (major).")
    search_text = models.TextField(
        blank=True, editable=False, help_text="Folded name and aliases, for search (derived)."
    )

    class Meta:
        # Django orders by any expression; django-stubs allows only names and OrderBy here.
        ordering = [Lower("name")]  # type: ignore[list-item]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__gte=1) & Q(importance__lte=5),
                name="place_importance_1_to_5",
                violation_error_message="Importance must be between 1 and 5.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    key = models.SlugField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable short id used by CSV imports, e.g. ap-2017-11-03-deir-qaim.",
    )
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    archive_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["-published", "title"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}" if self.publisher else self.title


class Status(models.TextChoices):
    CONTROLLED = "controlled", "Controlled"
    CONTESTED = "contested", "Contested"
    BESIEGED = "besieged", "Besieged"


class ControlChange(models.Model):
    """What editors enter: from ``date`` on, ``place`` is in this state."""

    class DatePrecision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        LIKELY = "likely", "Likely"
        CLAIMED = "claimed", "Claimed"
        DISPUTED = "disputed", "Disputed"

    class ReviewState(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(help_text="The day the new state takes effect.")
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    controller = models.ForeignKey(
        ArmedGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes_controlled",
        help_text="The holding group. Empty only when contested with no holder.",
    )
    challengers: models.ManyToManyField[ArmedGroup, ChangeChallenger] = models.ManyToManyField(
        ArmedGroup, blank=True, related_name="changes_challenged", through="ChangeChallenger"
    )
    supported_by = models.ManyToManyField(ArmedGroup, blank=True, related_name="changes_supported")
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="changes")
    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="control_changes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking counter.")

    class Meta:
        ordering = ["place_id", "date"]  # by id: no join, no sort by name
        permissions = [("publish_controlchange", "Can publish and unpublish control changes")]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "date"],
                name="controlchange_unique_place_date",
                violation_error_message="This place already has a change on this date.",
            ),
            models.CheckConstraint(
                condition=Q(controller__isnull=False) | Q(status=Status.CONTESTED),
                name="controlchange_controller_unless_contested",
                violation_error_message="A controller is required unless the place is contested.",
            ),
        ]
        indexes = [
            models.Index(fields=["review_state", "place", "date"], name="change_review_place_date"),
            models.Index(fields=["date"], name="change_date"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.date:%Y-%m-%d}: {self.status}"

    @property
    def state(self) -> State:
        """Status, controller and challengers: what decides whether anything changed."""
        return State(
            self.status, self.controller_id, frozenset(g.pk for g in self.challengers.all())
        )


class ChangeChallenger(models.Model):
    """A group contesting or besieging the place in a change.

    A database trigger (migration 0002) rejects a challenger equal to the change's controller.
    """

    change = models.ForeignKey(ControlChange, on_delete=models.CASCADE)
    group = models.ForeignKey(ArmedGroup, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "group"], name="changechallenger_unique"),
        ]


class DeletedControlChange(models.Model):
    """A tombstone per deleted change, so mirrors can sync deletions incrementally.

    ``was_public``: the change was published at some time before its deletion (so the public
    may hold a copy); only such tombstones are listed to those who never saw drafts.
    """

    change_id = models.BigIntegerField(db_index=True)
    was_public = models.BooleanField(
        help_text="Published at some time before its deletion (now, or per its revisions)."
    )
    place = models.ForeignKey(Place, null=True, on_delete=models.SET_NULL, related_name="+")
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deleted_at"]


class ControlPeriod(models.Model):
    """Derived: the half-open range ``[start, end)`` during which a place was in one state.

    Rebuilt from the place's published changes by ``services.place_periods_rebuild`` in the
    same transaction as every write. Never edited by hand. ``end`` is NULL for the open,
    current period. On PostgreSQL an exclusion constraint forbids overlapping periods.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    controller = models.ForeignKey(
        ArmedGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    challengers: models.ManyToManyField[ArmedGroup, PeriodChallenger] = models.ManyToManyField(
        ArmedGroup, blank=True, related_name="+", through="PeriodChallenger"
    )
    change = models.ForeignKey(
        ControlChange,
        on_delete=models.CASCADE,
        related_name="periods",
        help_text="The published change that began this period.",
    )

    class Meta:
        ordering = ["place_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["place", "start"], name="period_unique_place_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="period_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(controller__isnull=False) | Q(status=Status.CONTESTED),
                name="period_controller_unless_contested",
            ),
            PostgresExclusionConstraint.no_overlap(name="period_no_overlap"),
        ]
        indexes = [
            models.Index(fields=["start", "end"], name="period_start_end"),
            models.Index(fields=["controller", "start"], name="period_controller_start"),
        ]

    def __str__(self) -> str:
        end = f"{self.end:%Y-%m-%d}" if self.end else "…"
        return f"{self.place} [{self.start:%Y-%m-%d}, {end}): {self.status}"

    @property
    def state(self) -> State:
        return State(
            self.status, self.controller_id, frozenset(g.pk for g in self.challengers.all())
        )


class PeriodChallenger(models.Model):
    period = models.ForeignKey(ControlPeriod, on_delete=models.CASCADE)
    group = models.ForeignKey(ArmedGroup, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "group"], name="periodchallenger_unique"),
        ]
