"""Strict JSON types: a string where the schema says string, a number where it says number.

DRF coerces (0 → "0", "5" → 5); the schema (and schemathesis) promise the types, so input of
the wrong JSON type is refused with 400 instead of being silently converted.

GeoJSON geometries are parsed here too (``geojson_geometry``): in EPSG:4326, and a ``crs``
member naming anything else is refused before GDAL sees it.
"""

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import SuspiciousOperation
from django.core.validators import URLValidator
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def _refuse(field, data, expected: str):
    raise serializers.ValidationError(f"Expected a {expected}, got {type(data).__name__}.")


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            _refuse(self, data, "string")
        # The schema's maxLength counts the text as sent, before whitespace is trimmed.
        if self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {self.max_length} characters."
            )
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField, StrictCharField):
    pass


class StrictURLField(serializers.URLField, StrictCharField):
    pass


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            _refuse(self, data, "string")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            _refuse(self, data, "whole number")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            _refuse(self, data, "number")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            _refuse(self, data, "id (whole number)")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated fields refuse values of the wrong JSON type."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
    }
    serializer_choice_field = StrictChoiceField
    serializer_related_field = StrictPrimaryKeyRelatedField


@extend_schema_field({"type": "string", "maxLength": 500, "description": "A URL, or empty."})
class OptionalURLField(StrictCharField):
    """A URL or the empty string (sources without a known address)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            URLValidator(message="Enter a valid URL, or leave it empty.")(value)
        return value


# --- GeoJSON geometries ----------------------------------------------------------------------

# ``crs`` names that mean longitude/latitude on WGS 84, the only coordinates Frontline takes.
WGS84_CRS_NAMES = frozenset(
    {
        "epsg:4326",
        "urn:ogc:def:crs:epsg::4326",
        "crs84",
        "ogc:crs84",
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
    }
)
CRS_REFUSED = (
    "Give coordinates in EPSG:4326 (RFC 7946 GeoJSON has no crs member); a crs may only be "
    '{"type": "name", "properties": {"name": "EPSG:4326"}} (or CRS84).'
)


def _member_name(key: str) -> str:
    """A member name as GDAL reads it: case-insensitively, up to a NUL."""
    return key.split("\0", 1)[0].lower()


def _names_wgs84(crs) -> bool:
    if not isinstance(crs, dict):
        return False
    types = [value for key, value in crs.items() if _member_name(key) == "type"]
    properties = [value for key, value in crs.items() if _member_name(key) == "properties"]
    if len(types) != 1 or not isinstance(types[0], str) or types[0].lower() != "name":
        return False
    if len(properties) != 1 or not isinstance(properties[0], dict):
        return False
    names = [value for key, value in properties[0].items() if _member_name(key) == "name"]
    return bool(names) and all(
        isinstance(name, str) and name.strip().lower() in WGS84_CRS_NAMES for name in names
    )


def crs_problem(geometry: dict) -> str | None:
    """Why the ``crs`` members of a geometry (and of its collection members) are refused, or
    None. GDAL would honour them, and one naming a URL or a file makes it read that."""
    pending = [geometry]
    while pending:
        for key, value in pending.pop().items():
            name = _member_name(key)
            if name == "crs" and value is not None and not _names_wgs84(value):
                return CRS_REFUSED
            if name == "geometries" and isinstance(value, list):
                pending.extend(member for member in value if isinstance(member, dict))
            elif name == "geometry" and isinstance(value, dict):
                pending.append(value)
    return None


def geojson_geometry(value) -> GEOSGeometry:
    """A GeoJSON geometry (already decoded) as a GEOS geometry in EPSG:4326, or a
    ValidationError saying what is wrong with it."""
    if isinstance(value, dict) and (problem := crs_problem(value)):
        raise serializers.ValidationError(problem)
    try:
        return GEOSGeometry(json.dumps(value), srid=4326)
    except SuspiciousOperation:  # Django's own guard against external CRSs; never reached
        raise serializers.ValidationError(CRS_REFUSED) from None
    except RecursionError:
        raise serializers.ValidationError("Not a GeoJSON geometry: nested too deeply.") from None
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise serializers.ValidationError(f"Not a GeoJSON geometry: {exc}") from None
