"""The record as flat GeoJSON feature properties for GIS tools: one shape shared by the OGC
API (``/ogc/``) and the GIS exports, so a layer reads the same from either. Lists are joined
with ``|`` (GeoPackage and shapefile columns hold text), dates are ISO strings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.gis.geos import Point

from .models import ArmedGroup, ControlPeriod, Place
from .selectors import DIGITS, PlaceState


def point_geometry(point: Point) -> dict[str, Any]:
    """A GeoJSON Point at the coordinates' one precision (``selectors.DIGITS`` decimals, as
    every read of the API gives them)."""
    return {"type": "Point", "coordinates": [round(point.x, DIGITS), round(point.y, DIGITS)]}


def _slugs(groups: Iterable[ArmedGroup]) -> str:
    return "|".join(g.slug for g in groups)


def place_properties(place: Place) -> dict[str, Any]:
    return {
        "slug": place.slug,
        "name": place.name,
        "aliases": "|".join(place.aliases),
        "kind": place.kind,
        "country": place.country,
        "population": place.population,
        "importance": place.importance,
        "theater": place.theater.slug,
    }


def control_properties(state: PlaceState, on: date) -> dict[str, Any]:
    """A place's state on day ``on`` (a selectors.PlaceState)."""
    place, controller = state.place, state.controller
    return {
        "slug": place.slug,
        "name": place.name,
        "kind": place.kind,
        "importance": place.importance,
        "date": on.isoformat(),
        "status": state.status,
        "controller": controller.slug if controller else None,
        "controller_name": controller.name if controller else None,
        "challengers": _slugs(state.challengers),
        "since": state.since.isoformat() if state.since else None,
        "until": state.until.isoformat() if state.until else None,
    }


def period_properties(period: ControlPeriod) -> dict[str, Any]:
    return {
        "place": period.place.slug,
        "place_name": period.place.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat() if period.end else None,
        "status": period.status,
        "controller": period.controller.slug if period.controller else None,
        "challengers": _slugs(period.challengers.all()),
    }
