"""Derived territory zones as GeoJSON: an estimate from the point record, labelled so."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.territory import zones

from .. import params
from ..shapes import group_ref


class ZonesView(APIView):
    """For a day, the area each group is estimated to control (see ``method`` in the answer:
    derived from the places' control, never observed), with ``area_km2``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("theater", str, required=True, description="Theater id or slug."),
            OpenApiParameter(
                "radius_km",
                float,
                description="Distance a place's zone may reach (1–200 km, default 25).",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, 501: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        q = request.query_params
        on = params.parse_date(q, "date", required=True)
        theater = params.parse_theater(q, required=True)
        try:
            radius = float(q.get("radius_km", 25))
        except ValueError:
            raise ValidationError({"radius_km": ["Give a number of kilometres."]}) from None
        if not 1 <= radius <= 200:
            raise ValidationError({"radius_km": ["Give 1 to 200 kilometres."]})
        try:
            found = zones.zones_on(theater=theater, on=on, radius_km=radius)
        except zones.ZonesUnavailable as error:
            return Response({"detail": str(error)}, status=501)
        return Response({
            "type": "FeatureCollection",
            "date": on, "theater": theater.slug, "radius_km": radius, "derived": True,
            "method": zones.METHOD.format(radius=radius),
            "features": [
                {"type": "Feature", "id": zone.group.pk, "geometry": zone.geometry,
                 "properties": {"group": group_ref(zone.group), "area_km2": zone.area_km2,
                                "derived": True}}
                for zone in found
            ],
        })  # fmt: skip
