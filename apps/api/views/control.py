"""Read endpoints of the time engine: control on a day, differences, history, series, timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.territory import params, selectors
from apps.territory.models import ArmedGroup, Place
from apps.zones import compute as zones_compute
from apps.zones import selectors as zone_selectors

from .. import feature_heads, openapi
from ..cached import CachedAnswerView, Streamed
from ..renderers import CSVRenderer, GeoJSONRenderer, ORJSONRenderer, dumps
from ..shapes import control_feature_chunks, group_ref, lon_lat, state_properties

DATE = OpenApiTypes.DATE
BBOX = OpenApiParameter(
    "bbox", str, description="minLon,minLat,maxLon,maxLat (degrees, EPSG:4326)."
)
THEATER = OpenApiParameter("theater", str, description="Theater id or slug.")
ONE_THEATER = OpenApiParameter(
    "theater",
    str,
    required=True,
    description="Theater id or slug (may be left out while the record holds one theater).",
)
# timeline/'s layout (docs/api.md). 2: places and change ids as running sums (place_delta,
# id_delta) where 1 (which had no "format") listed them whole (place, id).
TIMELINE_FORMAT = 2


def _wants_csv(request) -> bool:
    return getattr(request.accepted_renderer, "format", None) == "csv"


class ControlView(CachedAnswerView):
    """Every place with its state on one day, as GeoJSON (``?format=csv`` for a table)."""

    renderer_classes = [GeoJSONRenderer, ORJSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("date", DATE, required=True),
            THEATER,
            BBOX,
            OpenApiParameter("group", int, many=True, description="Controller or challenger."),
            OpenApiParameter("kind", str, many=True, enum=Place.Kind.values),
        ],
        responses={200: openapi.CONTROL},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        on = params.parse_date(q, "date", required=True)
        bbox, groups, kinds = params.parse_bbox(q), params.parse_groups(q), params.parse_kinds(q)
        if self.theater is not None and bbox is None and not kinds and not _wants_csv(request):
            # a whole theater's map: the places' kept parts, their state joined on
            heads = feature_heads.heads_of(self.theater)
            found = selectors.periods_on(on=on, theater=self.theater)
            wanted = selectors.group_ids(groups)
            return Streamed(feature_heads.feature_collection(on, heads, found, wanted))
        snapshot = selectors.control_snapshot(
            on=on, theater=self.theater, bbox=bbox, groups=groups or None, kinds=kinds or None
        )
        if _wants_csv(request):
            return Response(_control_csv(snapshot), headers=_attachment(f"control-{on}.csv"))
        return Streamed(feature_collection(on, snapshot))


def feature_collection(
    on: date, snapshot: selectors.Snapshot, size: int = 5_000
) -> Iterator[bytes]:
    """The GeoJSON of ``control/`` in pieces: each chunk of Features is serialized and let
    go before the next is built. The bytes are those of one ``dumps`` of the whole."""
    yield dumps({"type": "FeatureCollection", "date": on})[:-1] + b',"features":['
    separator = b""
    for chunk in control_feature_chunks(snapshot, size):
        yield separator + dumps(chunk)[1:-1]
        separator = b","
    yield b"]}"


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _control_csv(snapshot: selectors.Snapshot) -> dict:
    columns = ["place_id", "place", "kind", "lon", "lat", "status", "controller", "challengers"]
    columns += ["since", "change"]
    slug = {pk: g.slug for pk, g in snapshot.groups.items()}
    rows = [
        [
            place.place_id,
            place.name,
            place.kind,
            place.lon,
            place.lat,
            period.status,
            slug.get(period.controller_id, "") if period.controller_id else "",
            "|".join(slug[g] for g in period.challenger_ids),
            period.since or "",
            period.change_id or "",
        ]
        for place, period in snapshot.rows()
    ]
    return {"csv_columns": columns, "csv_rows": rows}


class ControlDiffView(CachedAnswerView):
    """Places whose state differs between two days, with the state before and after."""

    renderer_classes = [ORJSONRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", DATE, required=True),
            OpenApiParameter("to", DATE, required=True),
            THEATER,
            BBOX,
            OpenApiParameter("kind", str, many=True, enum=Place.Kind.values),
        ],
        responses={200: openapi.DIFF},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        first = params.parse_date(q, "from", required=True)
        last = params.parse_date(q, "to", required=True)
        diffs = selectors.control_diff(
            from_date=first,
            to_date=last,
            theater=self.theater,
            bbox=params.parse_bbox(q),
            kinds=params.parse_kinds(q) or None,
        )
        items: list[dict[str, Any]] = [
            {
                "place": {"id": d.place.pk, "name": d.place.name, "kind": d.place.kind},
                "coordinates": lon_lat(d.place),
                "before": state_properties(d.before),
                "after": state_properties(d.after),
            }
            for d in diffs
        ]
        if request.accepted_renderer.format == "geojson":
            return Response(
                {
                    "type": "FeatureCollection",
                    "from": first,
                    "to": last,
                    "features": [
                        {
                            "type": "Feature",
                            "id": item["place"]["id"],
                            "geometry": {"type": "Point", "coordinates": item["coordinates"]},
                            "properties": {
                                **item["place"],
                                "before": item["before"],
                                "after": item["after"],
                            },
                        }
                        for item in items
                    ],
                }
            )
        return Response({"from": first, "to": last, "count": len(items), "results": items})


class PlaceHistoryView(APIView):
    """A place's control periods in order; the last one is open (``end`` null)."""

    @extend_schema(responses={200: openapi.HISTORY})
    def get(self, request, pk: int):
        place = get_object_or_404(Place.objects.only("pk", "name"), pk=pk)
        periods = selectors.place_history(place=place)
        return Response(
            {
                "place": {"id": place.pk, "name": place.name},
                "periods": [
                    {
                        "start": p.start,
                        "end": p.end,
                        "status": p.status,
                        "controller": group_ref(p.controller),
                        "challengers": [group_ref(g) for g in p.challengers.all()],
                        "change": p.change_id,
                    }
                    for p in periods
                ],
            }
        )


class ControlSeriesView(CachedAnswerView):
    """Per group: places, population and derived zone area (km²) held at each step."""

    theater_required = True

    @extend_schema(
        parameters=[
            ONE_THEATER,
            OpenApiParameter("from", DATE),
            OpenApiParameter("to", DATE),
            OpenApiParameter("interval", str, enum=["day", "week", "month"]),
            OpenApiParameter(
                "area",
                str,
                enum=["true", "false"],
                description="Include `area_km2` (derived zones; default true). `false` skips "
                "the zones and answers `area_km2: null`.",
            ),
        ],
        responses={200: openapi.SERIES},
    )
    def get(self, request):
        return self.answer(request)

    def keep(self, response):
        # zone days still being computed: the next request may answer more
        return response.data["area_pending"] == 0

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None  # required
        first, last = params.parse_date_range(q)
        # from: the theater's first day, or `to` when that is earlier (a series of one step)
        first = first or (min(theater.start_date, last) if last else theater.start_date)
        last = last or theater.end_date or first
        interval = params.parse_choice(q, "interval", ["day", "week", "month"], "month")
        series = selectors.control_series(
            theater=theater, from_date=first, to_date=last, interval=interval
        )
        areas, pending = None, 0
        with_area = params.parse_choice(q, "area", ["true", "false"], "true") == "true"
        if with_area and zones_compute.available():
            found = zone_selectors.area_series(
                theater=theater, steps=series.dates, group_ids=[s.group.pk for s in series.groups]
            )
            areas, pending = found.by_group, found.pending
        return Response(
            {
                "theater": theater.pk,
                "interval": interval,
                "dates": series.dates,
                "groups": [
                    {
                        "group": group_ref(s.group),
                        "places": s.places,
                        "population": s.population,
                        "area_km2": None if areas is None else areas[s.group.pk],
                    }
                    for s in series.groups
                ],
                "area_pending": pending,
            }
        )


class TimelineView(CachedAnswerView):
    """Everything a client needs to replay a theater without further requests.

    Compact, columnar form (see ``docs/api.md``): places as parallel arrays; published changes
    in date order as parallel arrays, with days counted from ``epoch`` and stored as
    differences from the previous change, status as a code, and groups by id.
    """

    theater_required = True
    # a new layout is never a kept old one ("b": format 2 with population and doubt added)
    cache_name = f"TimelineView-{TIMELINE_FORMAT}b"

    @extend_schema(
        parameters=[
            ONE_THEATER,
            OpenApiParameter("from", DATE),
            OpenApiParameter("to", DATE),
            BBOX,
        ],
        responses={200: openapi.TIMELINE},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None  # required
        first, last = params.parse_date_range(q)
        epoch = theater.start_date
        columns = selectors.timeline(
            theater=theater, epoch=epoch, from_date=first, to_date=last, bbox=params.parse_bbox(q)
        )
        groups = ArmedGroup.objects.order_by("name")
        head = {
            "format": TIMELINE_FORMAT,
            "theater": {
                "id": theater.pk,
                "slug": theater.slug,
                "name": theater.name,
                "start": theater.start_date,
                "end": theater.end_date,
                "bounds": list(theater.bounds.extent),
            },
            "epoch": epoch,
            "status_codes": {
                code: status for status, code in selectors.TIMELINE_STATUS_CODES.items()
            },
            "groups": [
                {
                    "id": g.pk,
                    "slug": g.slug,
                    "name": g.name,
                    "short_name": g.short_name,
                    "color": g.color,
                    "aliases": g.aliases,
                }
                for g in groups
            ],
        }
        return Streamed(_timeline_body(head, columns))


def _timeline_body(head: dict, columns: selectors.TimelineColumns) -> Iterator[bytes]:
    """The timeline's JSON: its head, then each column as the bytes it was built as (the
    columns are never copied into one document)."""
    yield dumps(head)[:-1] + b',"places":{'
    for i, (name, text) in enumerate(columns.places.items()):
        yield b'%s"%s":%s' % (b"," if i else b"", name.encode(), text)
    yield b'},"changes":{"count":%d' % columns.count
    for name, text in columns.changes.items():
        yield b',"%s":%s' % (name.encode(), text)
    yield b"}}"
