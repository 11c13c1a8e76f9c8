"""Derived territory zones as GeoJSON: an estimate from the point record, labelled so."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.territory import params
from apps.zones import selectors as zone_selectors
from apps.zones.compute import METHOD

from ..shapes import group_ref


class ZonesView(APIView):
    """For a day, the area each group is estimated to control (see ``method`` in the answer:
    derived from the places' control, never observed), with ``area_km2``. The same zones hold
    from ``valid_from`` until the day before ``valid_until`` (null: still in force)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("theater", str, required=True, description="Theater id or slug."),
            OpenApiParameter(
                "radius_km",
                float,
                description="Distance a place's zone may reach (1–200 km; default the "
                "configured ZONES_RADIUS_KM, which is cached; any other value is computed).",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, 501: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        q = request.query_params
        on = params.parse_date(q, "date", required=True)
        theater = params.parse_theater(q, required=True)
        radius = params.parse_float(q, "radius_km", minimum=1, maximum=200)
        try:
            found = zone_selectors.zones_on(theater=theater, on=on, radius_km=radius)
        except zone_selectors.ZonesUnavailable as error:
            return Response({"detail": str(error)}, status=501)
        return Response(
            {
                "type": "FeatureCollection",
                "date": on,
                "theater": theater.slug,
                "radius_km": found.radius_km,
                "derived": True,
                "valid_from": found.valid_from,
                "valid_until": found.valid_until,
                "method": METHOD.format(radius=found.radius_km),
                "features": [
                    {
                        "type": "Feature",
                        "id": shape.group_id,
                        "geometry": shape.geometry,
                        "properties": {
                            "group": group_ref(found.groups[shape.group_id]),
                            "area_km2": shape.area_km2,
                            "derived": True,
                        },
                    }
                    for shape in found.shapes
                ],
            }
        )
