"""CRUD endpoints for the record: theaters, groups, sources, places, changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.territory import csv_tables, params, services
from apps.territory.models import (
    ArmedGroup,
    ControlChange,
    DeletedControlChange,
    Place,
    Source,
    Theater,
)
from apps.territory.search import fold
from apps.users.models import User
from apps.users.roles import is_editor

from .. import openapi, serializers
from ..pagination import GeoJSONPagination, keyset_page
from ..renderers import CSVRenderer, GeoJSONRenderer, ORJSONRenderer

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class RecordViewSet(viewsets.ModelViewSet):
    """PATCH for updates (partial by nature); PUT is not offered."""

    http_method_names = WRITE_METHODS
    delete_service: Callable[[Any], None] | None = None

    def perform_destroy(self, instance):
        delete = type(self).delete_service
        assert delete is not None
        delete(instance)


class TheaterViewSet(RecordViewSet):
    queryset = Theater.objects.all()
    serializer_class = serializers.TheaterSerializer
    delete_service = staticmethod(lambda obj: services.theater_delete(theater=obj))


class GroupViewSet(RecordViewSet):
    queryset = ArmedGroup.objects.order_by("name")
    serializer_class = serializers.GroupSerializer
    delete_service = staticmethod(lambda obj: services.group_delete(group=obj))


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value is an error, not silently ignored."""

    allow_empty: tuple[str, ...] = ()

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "" and name not in self.allow_empty:
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


class RecordFilter(django_filters.CharFilter):
    """A record by id (``params.parse_record``): a malformed id is a 400, an id of nothing a
    404. ``by(queryset, record)`` filters by it; by default ``field_name=record``."""

    def __init__(self, *, model, by=None, **kwargs):
        self.record_model, self.by = model, by  # `model` is the FilterSet's, set by it
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        record = params.parse_record({self.field_name: value}, self.field_name, self.record_model)
        return self.by(qs, record) if self.by else qs.filter(**{self.field_name: record})


def _cited_for(queryset, place):
    cited = ControlChange.objects.filter(
        place=place, review_state=ControlChange.ReviewState.PUBLISHED
    ).values("sources")
    return queryset.filter(pk__in=cited)


class SourceFilter(StrictFilterSet):
    place = RecordFilter(
        model=Place, by=_cited_for, help_text="Sources cited by the place's published changes."
    )

    class Meta:
        model = Source
        fields = ["place"]


class SourceViewSet(RecordViewSet):
    queryset = Source.objects.order_by("-published", "title", "pk")
    serializer_class = serializers.SourceSerializer
    filterset_class = SourceFilter
    delete_service = staticmethod(lambda obj: services.source_delete(source=obj))


# --- Places ---------------------------------------------------------------------------------


class TheaterFilter(django_filters.CharFilter):
    """A theater by id or slug, as everywhere in the API (``params.parse_theater``)."""

    def __init__(self, *, field_name: str = "theater", **kwargs):
        kwargs.setdefault("help_text", "Theater id or slug.")
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        theater = params.parse_theater({"theater": value})  # 404 for none
        return qs.filter(**{self.field_name: theater})


class PlaceFilter(StrictFilterSet):
    allow_empty = ("q",)

    theater = TheaterFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Place.Kind.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    q = django_filters.CharFilter(method="search", help_text="Name or alias, any spelling.")

    class Meta:
        model = Place
        fields = ["theater", "kind", "country", "q"]

    def search(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(search_text__contains=folded) if folded else queryset


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="minLon,minLat,maxLon,maxLat"),
            OpenApiParameter("geometry", str, enum=["point", "area"]),
        ]
    ),
    retrieve=extend_schema(parameters=[OpenApiParameter("geometry", str, enum=["point", "area"])]),
)
class PlaceViewSet(RecordViewSet):
    """Places as GeoJSON Features (the point location, or the area with ``?geometry=area``)."""

    queryset = Place.objects.select_related("theater").order_by("pk")
    serializer_class = serializers.PlaceFeatureSerializer
    filterset_class = PlaceFilter
    pagination_class = GeoJSONPagination
    renderer_classes = [GeoJSONRenderer, ORJSONRenderer]
    delete_service = staticmethod(lambda obj: services.place_delete(place=obj))

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            bbox = params.parse_bbox(self.request.query_params)
            if bbox:
                from apps.territory.selectors import bbox_polygon

                queryset = queryset.filter(location__contained=bbox_polygon(bbox))
        if self.geometry() != "area":
            queryset = queryset.defer("area")
        return queryset

    def geometry(self) -> str:
        return params.parse_choice(
            self.request.query_params, "geometry", ["point", "area"], "point"
        )

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.serializer_class(*args, geometry=self.geometry(), **kwargs)


# --- Changes --------------------------------------------------------------------------------


class DayField(forms.Field):
    """A day as every parameter of the API takes one (``params.parse_date``: YYYY-MM-DD only,
    not Django's other input formats such as 11/03/2017)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return params.parse_date({"day": value}, "day")
        except params.ParameterError as error:
            raise forms.ValidationError(error.message) from None


@extend_schema_field(OpenApiTypes.DATE)
class DayFilter(django_filters.Filter):
    field_class = DayField


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC: PostgreSQL refuses the odd offsets (say
    -20:07) that Python parses."""

    def filter(self, qs, value):
        return super().filter(qs, None if value is None else params.in_utc(value))


class ChangeFilter(StrictFilterSet):
    place = RecordFilter(model=Place)
    theater = TheaterFilter(field_name="place__theater")
    group = RecordFilter(
        model=ArmedGroup,
        by=lambda qs, group: qs.filter(Q(controller=group) | Q(challengers=group)).distinct(),
        help_text="Controller or challenger.",
    )
    date_after = DayFilter(field_name="date", lookup_expr="gte")
    date_before = DayFilter(field_name="date", lookup_expr="lte")
    review_state = django_filters.ChoiceFilter(choices=ControlChange.ReviewState.choices)
    updated_since = UTCDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ControlChange
        fields = ["place", "theater", "group", "date_after", "date_before", "review_state"]


class ChangeViewSet(RecordViewSet):
    """Control changes. Drafts are visible to editors only. Updates need the ``version`` read."""

    serializer_class = serializers.ChangeSerializer
    filterset_class = ChangeFilter
    renderer_classes = [ORJSONRenderer, GeoJSONRenderer, CSVRenderer]

    def get_queryset(self):
        queryset = ControlChange.objects.prefetch_related(
            "challengers", "supported_by", "sources"
        ).order_by("date", "place_id", "pk")
        if _format(self.request) == "geojson":
            queryset = queryset.select_related("place").defer("place__area")
        if not is_editor(self.request.user):
            queryset = queryset.filter(review_state=ControlChange.ReviewState.PUBLISHED)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("version", int, description="Refuse if stale.")])
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        raw = self.request.query_params.get("version")
        if raw is not None and not (raw.isdigit() and len(raw) < 10):
            from django.core.exceptions import ValidationError

            raise ValidationError({"version": ["Give the version you read (a whole number)."]})
        user = self.request.user
        services.control_change_delete(
            change=instance,
            version=int(raw) if raw else None,
            user=user if isinstance(user, User) else None,
        )

    def list(self, request, *args, **kwargs):
        if _format(request) == "csv":  # every match, streamed (no pages: re-importable)
            changes = self.filter_queryset(self.get_queryset()).select_related(
                "place", "controller"
            )
            return csv_tables.changes_csv_stream(changes)
        response = super().list(request, *args, **kwargs)
        if _format(request) == "geojson":
            page = response.data
            features = page.pop("results")
            response.data = {"type": "FeatureCollection", **page, "features": features}
        return response

    def get_serializer(self, *args, **kwargs):
        if _format(self.request) == "geojson" and self.action in ("list", "retrieve"):
            kwargs.setdefault("context", self.get_serializer_context())
            return serializers.ChangeFeatureSerializer(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)


def _format(request) -> str | None:
    return getattr(getattr(request, "accepted_renderer", None), "format", None)


DELETED_PAGE = 10_000


class DeletedChangesView(APIView):
    """Ids and deletion times of deleted changes, so a mirror can stay in sync.

    Only changes that were published at some time (even if unpublished before their
    deletion) are listed, except to editors, who see drafts in ``changes/`` too. Oldest first,
    at most ``DELETED_PAGE`` at a time; ``next`` (keyset: ``since`` plus the ``after``
    tombstone id) fetches the following page, null on the last one.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter(
                "after",
                int,
                description="Tombstone id from `next`: skip the ones deleted at "
                "`since` up to this one.",
            ),
        ],
        responses={200: openapi.DELETED},
    )
    def get(self, request):
        since = params.parse_moment(request.query_params, "since")
        after = params.parse_count(request.query_params, "after", default=0, maximum=params.ID_MAX)
        rows = DeletedControlChange.objects.filter(deleted_at__gte=since)
        if not is_editor(request.user):
            rows = rows.filter(was_public=True)
        found, following = keyset_page(
            request, rows, moment="deleted_at", since=since, after=after, size=DELETED_PAGE
        )
        return Response(
            {
                "since": since,
                "next": following,
                "results": [
                    {"id": r.change_id, "place": r.place_id, "deleted_at": r.deleted_at}
                    for r in found
                ],
            }
        )
