"""Input parsing and output shapes for the CRUD endpoints. Writes go through the services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.geos import Polygon
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source, Theater
from apps.territory.selectors import DIGITS
from apps.users import roles

from . import openapi
from .fields import (
    OptionalURLField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    geojson_geometry,
)
from .shapes import lon_lat


class VersionRequired(Exception):
    """An update without the version the client read: refused with 409 like a stale one."""

    def __init__(self, change: ControlChange) -> None:
        self.change = change
        super().__init__(
            f"Send the version you read with every update; change #{change.pk} is at version "
            f"{change.version}."
        )


class BBoxField(serializers.ListField):
    """A theater's bounds as ``[minLon, minLat, maxLon, maxLat]``."""

    def __init__(self, **kwargs):
        kwargs.update(source="*")
        super().__init__(child=StrictFloatField(min_value=-180, max_value=180), **kwargs)

    def to_representation(self, theater):
        return [round(v, DIGITS) for v in theater.bounds.extent]

    def to_internal_value(self, data):
        numbers = super().to_internal_value(data)
        if len(numbers) != 4:
            raise serializers.ValidationError(
                "Give four numbers: [minLon, minLat, maxLon, maxLat]."
            )
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (min_lon < max_lon and min_lat < max_lat and min_lat >= -90 and max_lat <= 90):
            raise serializers.ValidationError(
                "Give minLon < maxLon and -90 <= minLat < maxLat <= 90."
            )
        return {"bounds": Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))}


class TheaterSerializer(StrictModelSerializer):
    bbox = BBoxField(help_text="[minLon, minLat, maxLon, maxLat]")

    class Meta:
        model = Theater
        fields = ["id", "slug", "name", "description", "start_date", "end_date", "bbox"]
        extra_kwargs: dict[str, dict[str, Any]] = {"slug": {"validators": []}}

    def create(self, validated_data):
        return services.theater_create(**validated_data)

    def update(self, instance, validated_data):
        return services.theater_update(theater=instance, **validated_data)


class GroupSerializer(StrictModelSerializer):
    # A field named "parent": drf-stubs takes it for Field.parent (the enclosing serializer).
    parent = StrictPrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=ArmedGroup.objects.all(), allow_null=True, required=False
    )
    aliases = serializers.ListField(
        child=StrictCharField(max_length=200), required=False, max_length=100
    )

    class Meta:
        model = ArmedGroup
        fields = [
            "id",
            "slug",
            "name",
            "short_name",
            "aliases",
            "color",
            "kind",
            "parent",
            "founded",
            "dissolved",
            "description",
        ]
        extra_kwargs = {
            "slug": {"validators": []},  # uniqueness: the service says it clearly
            "color": {
                "required": False,
                "help_text": "Map colour as #rrggbb; when omitted on creation, the first "
                "colour-blind-safe palette colour no group uses yet.",
            },
        }

    def create(self, validated_data):
        return services.group_create(**validated_data)

    def update(self, instance, validated_data):
        return services.group_update(group=instance, **validated_data)


class SourceSerializer(StrictModelSerializer):
    url = OptionalURLField()
    archive_url = OptionalURLField()

    class Meta:
        model = Source
        fields = ["id", "key", "url", "title", "publisher", "published", "archive_url"]

    def create(self, validated_data):
        return services.source_create(**validated_data)

    def update(self, instance, validated_data):
        return services.source_update(source=instance, **validated_data)


@extend_schema_field(openapi.GEOMETRY)
class GeometryField(serializers.JSONField):
    pass


@extend_schema_field(openapi.PLACE_PROPERTIES)
class PlacePropertiesField(serializers.DictField):
    pass


class PlaceFeatureSerializer(serializers.Serializer):
    """A place as a GeoJSON Feature; geometry is the point (or the area with ``geometry=area``)."""

    PROPERTIES = ["slug", "name", "aliases", "kind", "country", "population", "importance"]

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField(read_only=True)
    geometry = GeometryField()
    properties = PlacePropertiesField()

    def __init__(self, *args, geometry: str = "point", **kwargs):
        self.geometry_field = "area" if geometry == "area" else "location"
        super().__init__(*args, **kwargs)

    def to_representation(self, place: Place) -> dict:
        geometry = getattr(place, self.geometry_field)
        if geometry is None:
            shape = None
        elif self.geometry_field == "location":
            shape = {"type": "Point", "coordinates": lon_lat(place)}
        else:
            shape = json.loads(geometry.json)
        return {
            "type": "Feature",
            "id": place.pk,
            "geometry": shape,
            "properties": {
                "id": place.pk,
                **{name: getattr(place, name) for name in self.PROPERTIES},
                "theater": place.theater_id,
            },
        }

    def validate_geometry(self, value):
        if value is None and self.geometry_field == "area":
            return None
        return geojson_geometry(value)

    def validate_properties(self, value):
        allowed = {*self.PROPERTIES, "theater", "id"}
        unknown = set(value) - allowed
        if unknown:
            raise serializers.ValidationError(f"Unknown properties: {', '.join(sorted(unknown))}.")
        if "theater" in value:
            theater = (
                Theater.objects.filter(pk=value["theater"]).first()
                if isinstance(value["theater"], int)
                else None
            )
            if theater is None:
                raise serializers.ValidationError(
                    {"theater": f"Unknown theater {value['theater']!r}."}
                )
            value = {**value, "theater": theater}
        value.pop("id", None)
        return value

    def _fields(self, validated_data) -> dict:
        fields = dict(validated_data.get("properties", {}))
        if "geometry" in validated_data:
            fields[self.geometry_field] = validated_data["geometry"]
        return fields

    def create(self, validated_data):
        fields = self._fields(validated_data)
        missing = {"slug", "name", "kind", "country", "theater"} - set(fields)
        if missing or "location" not in fields:
            raise serializers.ValidationError(
                {"properties": [f"Required: {', '.join(sorted(missing))}."]}
                if missing
                else {"geometry": ["A new place needs its point location as the geometry."]}
            )
        return services.place_create(**fields)

    def update(self, instance, validated_data):
        return services.place_update(place=instance, **self._fields(validated_data))


class ChangeSerializer(StrictModelSerializer):
    place = StrictPrimaryKeyRelatedField(queryset=Place.objects.all())
    controller = StrictPrimaryKeyRelatedField(
        queryset=ArmedGroup.objects.all(), allow_null=True, required=False
    )
    challengers = StrictPrimaryKeyRelatedField(
        queryset=ArmedGroup.objects.all(), many=True, required=False
    )
    supported_by = StrictPrimaryKeyRelatedField(
        queryset=ArmedGroup.objects.all(), many=True, required=False
    )
    sources = StrictPrimaryKeyRelatedField(queryset=Source.objects.all(), many=True, required=False)
    version = StrictIntegerField(
        required=False, min_value=1, help_text="Required on update: the version you read."
    )

    class Meta:
        model = ControlChange
        fields = [
            "id",
            "place",
            "date",
            "date_precision",
            "status",
            "controller",
            "challengers",
            "supported_by",
            "confidence",
            "summary",
            "sources",
            "review_state",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # (place, date) uniqueness: the service names the clash

    def create(self, validated_data):
        validated_data.pop("version", None)
        user = getattr(self.context.get("request"), "user", None)
        new_state = validated_data.get("review_state", ControlChange.ReviewState.DRAFT)
        roles.check_change_write(user, current_state=None, new_state=new_state)
        return services.control_change_create(author=user, **validated_data)

    def update(self, instance, validated_data):
        version = validated_data.pop("version", None)
        if version is None:
            raise VersionRequired(instance)
        user = getattr(self.context.get("request"), "user", None)
        new_state = validated_data.get("review_state", instance.review_state)
        roles.check_change_write(user, current_state=instance.review_state, new_state=new_state)
        return services.control_change_update(change=instance, version=version, **validated_data)


class ChangeFeatureSerializer(serializers.BaseSerializer):
    """A change as a GeoJSON Feature (``?format=geojson``): its place's point, the change's
    fields as properties. Read-only."""

    def to_representation(self, change: ControlChange) -> dict:
        return {
            "type": "Feature",
            "id": change.pk,
            "geometry": {"type": "Point", "coordinates": lon_lat(change.place)},
            "properties": ChangeSerializer(change, context=self.context).data,
        }
