"""Strict JSON types: a string where the schema says string, a number where it says number.

DRF coerces (0 → "0", "5" → 5); the schema (and schemathesis) promise the types, so input of
the wrong JSON type is refused with 400 instead of being silently converted.
"""

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
