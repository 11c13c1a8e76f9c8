"""Validation rules shared by every write path (services, and through them admin, API, imports).

Each ``check_*`` function collects *all* problems and raises one ``ValidationError`` keyed by
field name, so a form or an API response can show each message next to its field.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from .models import ArmedGroup, ControlChange, Place, Source, Status, Theater
from .periods import State

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class Errors:
    """Collects messages per field; raises them together."""

    def __init__(self) -> None:
        self._by_field: dict[str, list[str]] = defaultdict(list)

    def add(self, field_name: str, message: str) -> None:
        self._by_field[field_name].append(message)

    def has(self, field_name: str) -> bool:
        return field_name in self._by_field

    def add_field_errors(self, obj: Model, *, exclude: Iterable[str]) -> None:
        """Django's own field checks (required, length, type, range), converting values.

        Runs first so that the rules below see clean, typed values; a field that fails here
        is not checked again.
        """
        try:
            obj.clean_fields(exclude=list(exclude))
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                for message in messages:
                    self.add(field_name, message)

    def raise_if_any(self) -> None:
        if self._by_field:
            self.raise_all()

    def raise_all(self) -> NoReturn:
        """Raise what was collected (call it once something was)."""
        raise ValidationError(dict(self._by_field))


def _fmt(day: date) -> str:
    return day.isoformat()


# --- Control changes -----------------------------------------------------------------------


@dataclass
class ChangeProposal:
    """The full proposed content of a change, as it would be after the write."""

    place: Place
    date: date
    status: str
    controller: ArmedGroup | None = None
    challengers: list[ArmedGroup] = field(default_factory=list)
    supported_by: list[ArmedGroup] = field(default_factory=list)
    date_precision: str = ControlChange.DatePrecision.DAY
    confidence: str = ControlChange.Confidence.CONFIRMED
    review_state: str = ControlChange.ReviewState.DRAFT
    sources: list[Source] = field(default_factory=list)
    summary: str = ""

    @property
    def state(self) -> State:
        return State(
            status=self.status,
            controller_id=self.controller.pk if self.controller else None,
            challenger_ids=frozenset(g.pk for g in self.challengers),
        )


@dataclass(frozen=True)
class Neighbour:
    """Another change of the same place, as the neighbour rules need it."""

    pk: int | None
    date: date
    review_state: str
    state: State
    controller: ArmedGroup | None

    @classmethod
    def of(cls, change: ControlChange) -> Neighbour:
        return cls(change.pk, change.date, change.review_state, change.state, change.controller)


def neighbours_of(place: Place, *, excluding: ControlChange | None = None) -> list[Neighbour]:
    """The place's stored changes (all review states), in date order."""
    others = (
        ControlChange.objects.filter(place=place)
        .select_related("controller")
        .prefetch_related("challengers")
        .order_by("date")
    )
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    return [Neighbour.of(change) for change in others]


def check_change(
    proposal: ChangeProposal,
    *,
    existing: ControlChange | None = None,
    reshapes: bool = True,
    others: list[Neighbour] | None = None,
) -> None:
    """Validate a proposed change; ``existing`` is the change being edited, if any.

    ``reshapes`` says whether the write sets what the change says about the place (its date,
    place, status, controller, challengers, or publishes it). Only such writes are checked
    for changing nothing: fixing a typo in a summary must never be refused because a
    neighbouring change was removed meanwhile. ``others`` are the place's other changes in
    date order, when the caller already holds them (bulk imports); by default they are read.
    """
    check_change_types(proposal)
    errors = Errors()
    check_change_content(errors, proposal)
    if others is None:
        others = neighbours_of(proposal.place, excluding=existing)
    check_change_neighbours(errors, proposal, others, reshapes=reshapes)
    errors.raise_if_any()


def check_change_content(errors: Errors, p: ChangeProposal) -> None:
    """The rules that need nothing but the proposal itself (and its groups' dates)."""
    _check_choice(errors, "status", p.status, Status.values)
    _check_choice(errors, "date_precision", p.date_precision, ControlChange.DatePrecision.values)
    _check_choice(errors, "confidence", p.confidence, ControlChange.Confidence.values)
    _check_choice(errors, "review_state", p.review_state, ControlChange.ReviewState.values)

    today = timezone.localdate()
    if p.date > today:
        errors.add("date", f"The date {_fmt(p.date)} is in the future (today is {_fmt(today)}).")
    if p.date_precision == ControlChange.DatePrecision.MONTH and p.date.day != 1:
        errors.add("date", "With month precision, give the first day of the month.")
    if p.date_precision == ControlChange.DatePrecision.YEAR and (p.date.month, p.date.day) != (
        1,
        1,
    ):
        errors.add("date", "With year precision, give the first of January.")

    challenger_ids = [g.pk for g in p.challengers]
    if len(set(challenger_ids)) != len(challenger_ids):
        errors.add("challengers", "A group is listed twice.")
    if p.status in (Status.CONTROLLED, Status.BESIEGED) and p.controller is None:
        errors.add("controller", f"A {p.status} place needs a controller (the holding group).")
    if p.status in (Status.CONTESTED, Status.BESIEGED) and not p.challengers:
        verb = "contesting" if p.status == Status.CONTESTED else "besieging"
        errors.add("challengers", f"Name at least one group {verb} the place.")
    if p.status == Status.CONTROLLED and p.challengers:
        errors.add(
            "challengers",
            "A controlled place has no challengers; use 'contested' or 'besieged' instead.",
        )
    if p.controller is not None and p.controller.pk in challenger_ids:
        errors.add("challengers", f"{p.controller} cannot be both controller and challenger.")
    supporter_ids = {g.pk for g in p.supported_by}
    if p.controller is not None and p.controller.pk in supporter_ids:
        errors.add("supported_by", f"{p.controller} is the controller, not a supporter.")
    if supporter_ids & set(challenger_ids):
        errors.add("supported_by", "A group cannot both support the controller and challenge it.")

    roles = [("controller", [p.controller] if p.controller else [])]
    roles += [("challengers", p.challengers), ("supported_by", p.supported_by)]
    for field_name, groups in roles:
        for group in groups:
            problem = group_inactive_reason(group, p.date)
            if problem:
                errors.add(field_name, problem)

    if p.review_state == ControlChange.ReviewState.PUBLISHED and not p.sources:
        errors.add("sources", "A published change needs at least one source.")


def check_change_neighbours(
    errors: Errors, p: ChangeProposal, others: list[Neighbour], *, reshapes: bool = True
) -> None:
    """One change per place and day; a change must change something (see below)."""
    clash = next((n for n in others if n.date == p.date), None)
    if clash is not None:
        which = f"change #{clash.pk}" if clash.pk else "another row of this import"
        errors.add(
            "date",
            f"{p.place} already has a change on {_fmt(p.date)} ({which}); edit that one instead.",
        )
    if reshapes:
        _check_changes_something(errors, p, others)


def _saved(obj: object, model: type[Model]) -> bool:
    return isinstance(obj, model) and obj.pk is not None


def check_change_types(p: ChangeProposal) -> None:
    """Wrong kinds of values are refused before any rule compares them."""
    errors = Errors()
    if not _saved(p.place, Place):
        errors.add("place", "Give an existing place.")
    if not isinstance(p.date, date) or isinstance(p.date, datetime):
        errors.add("date", f"Give a date (YYYY-MM-DD), not {p.date!r}.")
    if p.controller is not None and not _saved(p.controller, ArmedGroup):
        errors.add("controller", "Give an existing armed group, or none when contested.")
    for field_name, groups in (("challengers", p.challengers), ("supported_by", p.supported_by)):
        if not all(_saved(g, ArmedGroup) for g in groups):
            errors.add(field_name, "Give existing armed groups.")
    if not all(_saved(source, Source) for source in p.sources):
        errors.add("sources", "Give existing sources.")
    if not isinstance(p.summary, str):
        errors.add("summary", "The summary must be text.")
    errors.raise_if_any()


def _check_changes_something(errors: Errors, p: ChangeProposal, others: list[Neighbour]) -> None:
    """A change must differ from the state it replaces.

    A published change replaces the published state before it. A draft is compared with the
    change before it whatever its review state, so a capture and its recapture can both be
    drafted before either is published.
    """
    published = ControlChange.ReviewState.PUBLISHED
    only_published = p.review_state == published
    earlier = [
        n for n in others if n.date < p.date and (not only_published or n.review_state == published)
    ]
    previous = max(earlier, key=lambda n: n.date, default=None)
    if previous is None or previous.state != p.state:
        return
    if previous.state.status == "controlled":
        state = f"controlled by {previous.controller}"
    else:
        holder = f", held by {previous.controller}," if previous.controller else ""
        state = f"{previous.state.status}{holder} with the same challengers"
    if previous.review_state == ControlChange.ReviewState.PUBLISHED:
        where = f"{p.place} is already {state} since {_fmt(previous.date)}."
    else:
        which = f"the draft change #{previous.pk}" if previous.pk else "the draft row"
        where = f"{which} of {_fmt(previous.date)} already has {p.place} {state}."
    errors.add(
        "status",
        f"This change changes nothing: {where} "
        "Change the status, controller or challengers, or add the source to that change.",
    )


def group_inactive_reason(group: ArmedGroup, day: date) -> str | None:
    if group.founded and day < group.founded:
        return f"{group} was founded on {_fmt(group.founded)}, after {_fmt(day)}."
    if group.dissolved and day > group.dissolved:
        return f"{group} was dissolved on {_fmt(group.dissolved)}, before {_fmt(day)}."
    return None


def _check_choice(errors: Errors, field_name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        errors.add(field_name, f"{value!r} is not one of: {', '.join(allowed)}.")


# --- Groups, places, theaters ---------------------------------------------------------------


def _check_unique_slug(errors: Errors, obj: Theater | ArmedGroup | Place) -> None:
    model = type(obj)
    if model.objects.filter(slug=obj.slug).exclude(pk=obj.pk).exists():
        noun = model._meta.verbose_name
        errors.add("slug", f"The slug {obj.slug!r} is already used by another {noun}.")


def normalize_color(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def check_group(group: ArmedGroup) -> None:
    errors = Errors()
    errors.add_field_errors(group, exclude=["parent", "color", "slug"])
    if not isinstance(group.color, str) or not HEX_COLOR.match(group.color):
        errors.add("color", f"Colour must be #rrggbb, e.g. #1f77b4; got {group.color!r}.")
    _check_slug(errors, group, example="islamic-state")
    if not errors.has("founded") and not errors.has("dissolved"):
        if group.founded and group.dissolved and group.dissolved < group.founded:
            errors.add("dissolved", "A group cannot be dissolved before it was founded.")
        if group.pk is not None:
            _check_group_dates_cover_changes(errors, group)
    _check_names(errors, group.aliases)
    if group.parent is not None and group.parent.pk is None:
        errors.add("parent", "The parent group must be saved first.")
    else:
        _check_parent(errors, group)
    errors.raise_if_any()


def _check_slug(errors: Errors, obj: Theater | ArmedGroup | Place, *, example: str) -> None:
    if not isinstance(obj.slug, str) or not SLUG.match(obj.slug) or len(obj.slug) > 100:
        errors.add("slug", f"Use up to 100 lowercase letters, digits and hyphens, e.g. {example}.")
    else:
        _check_unique_slug(errors, obj)


def _check_names(errors: Errors, aliases: Any) -> None:
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        errors.add("aliases", "Aliases must be a list of non-empty names.")


def _check_parent(errors: Errors, group: ArmedGroup) -> None:
    seen = {group.pk} if group.pk else set()
    parent = group.parent
    while parent is not None:
        if parent.pk in seen:
            errors.add("parent", "A group cannot be its own parent or ancestor.")
            return
        seen.add(parent.pk)
        parent = parent.parent


def _check_group_dates_cover_changes(errors: Errors, group: ArmedGroup) -> None:
    """Editing founded/dissolved must not strand changes that already name the group."""
    from django.db.models import Q

    named = ControlChange.objects.filter(
        Q(controller=group) | Q(challengers=group) | Q(supported_by=group)
    ).distinct()
    if group.founded:
        early = named.filter(date__lt=group.founded).order_by("date").first()
        if early:
            errors.add(
                "founded",
                f"{group} is named by a change on {_fmt(early.date)} ({early.place}), "
                "before this founding date.",
            )
    if group.dissolved:
        late = named.filter(date__gt=group.dissolved).order_by("-date").first()
        if late:
            errors.add(
                "dissolved",
                f"{group} is named by a change on {_fmt(late.date)} ({late.place}), "
                "after this dissolution date.",
            )


def geometry_problem(
    geometry: GEOSGeometry | None, *, expected: tuple[type[GEOSGeometry], ...]
) -> str | None:
    if geometry is None:
        return None
    if not isinstance(geometry, expected):
        names = " or ".join(t.__name__ for t in expected)
        got = getattr(geometry, "geom_type", type(geometry).__name__)
        return f"Expected a {names}, got a {got}."
    if geometry.srid not in (None, 4326):
        return (
            f"Coordinates must be WGS 84 longitude/latitude (EPSG:4326), not SRID {geometry.srid}."
        )
    if geometry.empty:
        return "The geometry is empty."
    if geometry.hasz:
        return "Give two-dimensional coordinates (longitude, latitude) only."
    if not geometry.valid:
        return f"Invalid geometry: {geometry.valid_reason}."
    lon_lat_ok = all(-180 <= xy[0] <= 180 and -90 <= xy[1] <= 90 for xy in _coords(geometry))
    if not lon_lat_ok:
        return "Coordinates must be longitude in [-180, 180] and latitude in [-90, 90]."
    return None


def _coords(geometry: GEOSGeometry) -> Iterable[tuple[float, ...]]:
    # Every kind of GEOS geometry has coords; django-stubs declares them kind by kind only.
    return _flatten(geometry.coords)  # type: ignore[attr-defined]


def _flatten(coords: Any) -> Iterable[tuple[float, ...]]:
    if coords and isinstance(coords[0], (int, float)):
        yield coords
        return
    for item in coords:
        yield from _flatten(item)


def check_place(place: Place, *, location: Point | None, area: GEOSGeometry | None) -> None:
    """The geometries are checked apart from ``place``: they may not fit its fields yet."""
    errors = Errors()
    errors.add_field_errors(place, exclude=["theater", "location", "area", "slug"])
    _check_slug(errors, place, example="deir-ez-zor")
    if not errors.has("country") and not COUNTRY.match(place.country):
        errors.add("country", "Use an ISO 3166-1 alpha-2 code in capitals, e.g. SY or IQ.")
    if not errors.has("importance") and not 1 <= place.importance <= 5:
        errors.add("importance", "Importance must be between 1 and 5.")
    _check_names(errors, place.aliases)

    location_problem = (
        "A place needs a point location."
        if location is None
        else geometry_problem(location, expected=(Point,))
    )
    if location_problem:
        errors.add("location", location_problem)
    area_problem = geometry_problem(area, expected=(MultiPolygon, Polygon))
    if area_problem:
        errors.add("area", area_problem)

    theater: Theater | None = place.theater if place.theater_id else None
    if theater is None:
        errors.add("theater", "A place belongs to a theater.")
        errors.raise_all()
    if location is not None and not location_problem and not theater.bounds.covers(location):
        lon, lat = location.x, location.y
        xmin, ymin, xmax, ymax = theater.bounds.extent
        errors.add(
            "location",
            f"({lon:.4f}, {lat:.4f}) lies outside the bounds of {theater} "
            f"({xmin}, {ymin}, {xmax}, {ymax}); check for swapped longitude and latitude.",
        )
    if area is not None and not area_problem:
        if not theater.bounds.covers(area):
            errors.add("area", f"The area reaches outside the bounds of {theater}.")
        if location is not None and not location_problem and not area.covers(location):
            errors.add("area", "The area must contain the place's point location.")
    errors.raise_if_any()


def check_theater(theater: Theater) -> None:
    errors = Errors()
    errors.add_field_errors(theater, exclude=["bounds", "slug"])
    _check_slug(errors, theater, example="syria-iraq-2014-2019")
    problem = (
        "A theater needs bounds."
        if theater.bounds is None
        else geometry_problem(theater.bounds, expected=(Polygon,))
    )
    if problem:
        errors.add("bounds", problem)
    dates_clean = not errors.has("start_date") and not errors.has("end_date")
    if dates_clean and theater.end_date and theater.end_date < theater.start_date:
        errors.add("end_date", "The end date must not be before the start date.")
    reference = theater.reference_km2
    if not errors.has("reference_km2") and reference is not None and not reference > 0:
        errors.add("reference_km2", "The reference area is a positive number of km².")
    errors.raise_if_any()
