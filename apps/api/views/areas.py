"""Observed areas of control: the layers' ground on a day, what changed between two days,
and the series of km² held, gained and lost (``apps.areas``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas import frontline, selectors, timeline
from apps.areas import geometry as geo
from apps.areas.models import AreaLayer, AreaVersion, DeletedAreaVersion
from apps.territory import params

from ..cached import CachedAnswerView
from ..pagination import keyset_page
from ..renderers import GeoJSONRenderer, ORJSONRenderer
from ..shapes import group_ref

THEATER = OpenApiParameter("theater", str, required=True, description="Theater id or slug.")
LAYER = OpenApiParameter("layer", str, many=True, description="Layer slug(s); default all.")
MAX_TOLERANCE = 1.0  # degrees


def _layers(q, theater) -> list[str]:
    """The ``layer`` slugs asked for, each a layer of the theater (404 otherwise)."""
    slugs = params.parse_slugs(q, "layer")
    known = set(
        AreaLayer.objects.filter(theater=theater, slug__in=slugs).values_list("slug", flat=True)
    )
    unknown = sorted(set(slugs) - known)
    if unknown:
        raise params.UnknownReference(
            "layer", f"{theater.slug} has no area layer {', '.join(map(repr, unknown))}."
        )
    return slugs


def _round(km2: float | None) -> float | None:
    return None if km2 is None else round(km2, 3)


def layer_ref(layer: AreaLayer) -> dict[str, Any]:
    return {
        "id": layer.pk,
        "slug": layer.slug,
        "name": layer.name,
        "status": layer.status,
        "assessor": layer.assessor,
        "group": group_ref(layer.group),
        "complement": group_ref(layer.complement),
    }


def source_ref(version: AreaVersion) -> dict[str, Any] | None:
    source = version.source
    if source is None:
        return None
    return {
        "id": source.pk,
        "title": source.title,
        "publisher": source.publisher,
        "published": source.published,
        "url": source.url,
    }


class AreasView(CachedAnswerView):
    """For a day, each layer's ground in force (one Feature per layer), simplified for a map
    at ``zoom`` (or within ``tolerance`` degrees) without parts crossing; ``area_km2`` is the
    stored ground's, never the simplified one's."""

    theater_required = True
    renderer_classes = [GeoJSONRenderer, ORJSONRenderer]

    @extend_schema(
        parameters=[
            THEATER,
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            LAYER,
            OpenApiParameter("group", int, many=True, description="The layers' group(s)."),
            OpenApiParameter("bbox", str, description="minLon,minLat,maxLon,maxLat."),
            OpenApiParameter("zoom", float, description="Web map zoom (0-22) to simplify for."),
            OpenApiParameter("tolerance", float, description="Or: degrees to simplify within."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None  # required
        on = params.parse_date(q, "date", required=True)
        zoom = params.parse_float(q, "zoom", minimum=0, maximum=22)
        tolerance = params.parse_float(q, "tolerance", minimum=0, maximum=MAX_TOLERANCE)
        if zoom is not None and tolerance is not None:
            raise params.ParameterError("tolerance", "Give zoom or tolerance, not both.")
        if zoom is not None:
            tolerance = geo.tolerance_at_zoom(zoom)
        versions = selectors.versions_on(
            theater=theater,
            on=on,
            layers=_layers(q, theater),
            group_ids=[g.pk for g in params.parse_groups(q)],
            bbox=params.parse_bbox(q),
        )
        features = []
        for version in versions:
            shape = geo.simplified(version.geometry, tolerance or 0)
            features.append(
                {
                    "type": "Feature",
                    "id": version.pk,
                    "geometry": geo.as_geojson(shape),
                    "properties": {
                        "layer": layer_ref(version.layer),
                        "valid_from": version.start,
                        "valid_until": version.end,
                        "area_km2": _round(version.area_km2),
                        "vertices": shape.num_coords,
                        "source": source_ref(version),
                    },
                }
            )
        return Response(
            {
                "type": "FeatureCollection",
                "date": on,
                "theater": theater.slug,
                "tolerance": tolerance or 0,
                "features": features,
            }
        )


class AreaDiffView(CachedAnswerView):
    """Per layer, the ground gained and lost between two days, as geometry and km²."""

    theater_required = True
    renderer_classes = [GeoJSONRenderer, ORJSONRenderer]

    @extend_schema(
        parameters=[
            THEATER,
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            LAYER,
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None
        first = params.parse_date(q, "from", required=True)
        last = params.parse_date(q, "to", required=True)
        if last < first:
            raise params.ParameterError("to", f"'to' ({last}) must not be before 'from' ({first}).")
        diffs = selectors.area_diff(
            theater=theater, from_date=first, to_date=last, layers=_layers(q, theater)
        )
        features = []
        for d in diffs:
            before = d.before.area_km2 if d.before else 0.0
            after = d.after.area_km2 if d.after else 0.0
            for change, shape, km2 in (
                ("gained", d.gained, d.gained_km2),
                ("lost", d.lost, d.lost_km2),
            ):
                features.append(
                    {
                        "type": "Feature",
                        "id": f"{d.layer.slug}-{change}",
                        "geometry": geo.as_geojson(shape),
                        "properties": {
                            "layer": layer_ref(d.layer),
                            "change": change,
                            "km2": _round(km2),
                            "held_before_km2": _round(before),
                            "held_after_km2": _round(after),
                            "net_km2": _round(d.gained_km2 - d.lost_km2),
                        },
                    }
                )
        return Response(
            {"type": "FeatureCollection", "from": first, "to": last, "features": features}
        )


class AreaSeriesView(CachedAnswerView):
    """Per layer and step: km² held on the step's first day, and gained, lost and net from
    then to the next step's first day (the last step: to ``to``), from the stored deltas;
    with the share of the theater's reference area, where it names one."""

    theater_required = True

    @extend_schema(
        parameters=[
            THEATER,
            LAYER,
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("interval", str, enum=["day", "week", "month"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None
        first, last = params.parse_date_range(q)
        layers = _layers(q, theater)
        # as control-series: from the layers' first day, or `to` when that is earlier; to
        # their last snapshot, or `from` when that is later
        earliest = selectors.first_day(theater, layers) or theater.start_date
        first = first or (min(earliest, last) if last else earliest)
        last = last or max(selectors.last_day(theater, layers) or first, first)
        interval = params.parse_choice(q, "interval", ["day", "week", "month"], "month")
        series = selectors.area_series(
            theater=theater, from_date=first, to_date=last, interval=interval, layers=layers
        )
        reference = series.reference_km2

        def share(km2: float | None) -> float | None:
            return None if km2 is None or not reference else round(100 * km2 / reference, 4)

        return Response(
            {
                "theater": theater.slug,
                "interval": interval,
                "from": first,
                "to": last,
                "reference": {"km2": reference, "name": theater.reference_name}
                if reference
                else None,
                "dates": series.dates,
                "layers": [
                    {
                        "layer": layer_ref(s.layer),
                        "held_km2": [_round(v) for v in s.held_km2],
                        "share_percent": [share(v) for v in s.held_km2],
                        "front_km": [_round(v) for v in s.front_km],
                        "gained_km2": [_round(v) for v in s.gained_km2],
                        "lost_km2": [_round(v) for v in s.lost_km2],
                        "net_km2": [
                            _round(g - lo) for g, lo in zip(s.gained_km2, s.lost_km2, strict=True)
                        ],
                    }
                    for s in series.layers
                ],
            }
        )


class FrontlineView(CachedAnswerView):
    """The front line on a day: where the layers' ground meets the other side's, as one
    MultiLineString with its geodesic length; coasts, international borders and the
    theater's bounds are left out (see ``apps.areas.frontline``)."""

    theater_required = True
    renderer_classes = [GeoJSONRenderer, ORJSONRenderer]

    @extend_schema(
        parameters=[THEATER, OpenApiParameter("date", OpenApiTypes.DATE, required=True), LAYER],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None
        on = params.parse_date(q, "date", required=True)
        versions = selectors.versions_on(theater=theater, on=on, layers=_layers(q, theater))
        line = frontline.front_between([v.geometry for v in versions], theater.bounds)
        return Response(
            {
                "type": "FeatureCollection",
                "date": on,
                "theater": theater.slug,
                "features": [
                    {
                        "type": "Feature",
                        "id": f"front-{on}",
                        "geometry": geo.as_geojson(line),
                        "properties": {
                            "length_km": round(frontline.length_km(line), 1),
                            "layers": [layer_ref(v.layer) for v in versions],
                            "versions": [v.pk for v in versions],
                            "border_km": settings.FRONTLINE_BORDER_KM,
                        },
                    }
                ],
            }
        )


class AreaTimelineView(CachedAnswerView):
    """Every version of the theater's area layers, for a map that replays them without
    further requests: per layer its versions' days and figures, and their rings, each
    version's written as edits of the one before (``apps.areas.timeline``, docs/api.md)."""

    theater_required = True
    cache_name = f"AreaTimelineView-{timeline.FORMAT}"

    @extend_schema(parameters=[THEATER, LAYER], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        theater = self.theater
        assert theater is not None
        epoch = theater.start_date
        found = selectors.layers_of(theater, layers=_layers(request.query_params, theater))

        def days(day):
            return None if day is None else (day - epoch).days

        last = selectors.last_days(found)
        layers = []
        for entry in map(timeline.layer_timeline, found):
            versions = entry.versions
            ref: dict[str, Any] = layer_ref(entry.layer)
            ref["last_published"] = last.get(entry.layer.pk)
            layers.append(
                {
                    "layer": ref,
                    "versions": {
                        "count": len(versions),
                        "id": [v.pk for v in versions],
                        "start": [days(v.start) for v in versions],
                        "end": [days(v.end) for v in versions],
                        "area_km2": [_round(v.area_km2) for v in versions],
                        "gained_km2": [_round(v.gained_km2) for v in versions],
                        "lost_km2": [_round(v.lost_km2) for v in versions],
                        "front_km": [
                            None if v.front_km is None else round(v.front_km, 1) for v in versions
                        ],
                        "source": [source_ref(v) for v in versions],
                    },
                    "rings": entry.rings,
                }
            )
        return Response(
            {
                "format": timeline.FORMAT,
                "theater": theater.slug,
                "epoch": epoch,
                "scale": timeline.SCALE,
                "border_km": settings.FRONTLINE_BORDER_KM,
                "layers": layers,
            }
        )


class AreaDisagreementView(CachedAnswerView):
    """Two layers on a day (two assessors of one group, or an assessment and a claim): the
    ground only the first shows, the ground only the second shows, their km² and the
    versions compared."""

    theater_required = True
    renderer_classes = [GeoJSONRenderer, ORJSONRenderer]

    @extend_schema(
        parameters=[
            THEATER,
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("a", str, required=True, description="The first layer's slug."),
            OpenApiParameter("b", str, required=True, description="The second layer's slug."),
            OpenApiParameter("zoom", float, description="Web map zoom (0-22) to simplify for."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return self.answer(request)

    def build(self, request):
        q = request.query_params
        theater = self.theater
        assert theater is not None
        on = params.parse_date(q, "date", required=True)
        zoom = params.parse_float(q, "zoom", minimum=0, maximum=22)
        tolerance = geo.tolerance_at_zoom(zoom) if zoom is not None else 0
        slugs = []
        for name in ("a", "b"):
            found = params.parse_slugs(q, name)
            if len(found) != 1:
                raise params.ParameterError(name, f"Give one layer slug as '{name}'.")
            slugs.append(found[0])
        if slugs[0] == slugs[1]:
            raise params.ParameterError("b", "Compare two different layers.")
        layers = {layer.slug: layer for layer in selectors.layers_of(theater, layers=slugs)}
        for name, slug in zip(("a", "b"), slugs, strict=True):
            if slug not in layers:
                raise params.UnknownReference(name, f"{theater.slug} has no area layer {slug!r}.")
        d = selectors.disagreement(
            theater=theater, on=on, first=layers[slugs[0]], second=layers[slugs[1]]
        )
        versions = {}
        for name, version in (("a", d.first), ("b", d.second)):
            versions[name] = (
                None
                if version is None
                else {
                    "id": version.pk,
                    "valid_from": version.start,
                    "valid_until": version.end,
                    "area_km2": _round(version.area_km2),
                    "source": source_ref(version),
                }
            )
        features = [
            {
                "type": "Feature",
                "id": f"only-{name}",
                "geometry": geo.as_geojson(geo.simplified(shape, tolerance)),
                "properties": {"only": name, "layer": layer_ref(layers[slug]), "km2": _round(km2)},
            }
            for name, slug, shape, km2 in (
                ("a", slugs[0], d.only_first, d.only_first_km2),
                ("b", slugs[1], d.only_second, d.only_second_km2),
            )
        ]
        return Response(
            {
                "type": "FeatureCollection",
                "date": on,
                "theater": theater.slug,
                "a": {"layer": layer_ref(layers[slugs[0]]), "version": versions["a"]},
                "b": {"layer": layer_ref(layers[slugs[1]]), "version": versions["b"]},
                "disagreement_km2": _round(d.only_first_km2 + d.only_second_km2),
                "features": features,
            }
        )


FEED_PAGE = 50  # versions a page (each may hold thousands of vertices)
DELETED_PAGE = 10_000


class AreaVersionsFeedView(APIView):
    """Area versions written since a moment, oldest first, whole (geometry included), so a
    mirror can stay in sync: ``next`` (keyset: ``updated_since`` plus the ``after`` id)
    fetches the following page, null on the last one."""

    @extend_schema(
        parameters=[
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("after", int, description="Version id from `next`."),
            OpenApiParameter("theater", str, description="Theater id or slug."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        q = request.query_params
        since = params.parse_moment(q, "updated_since")
        after = params.parse_count(q, "after", default=0, maximum=params.ID_MAX)
        theater = params.parse_theater(q, required=False)
        rows = AreaVersion.objects.filter(updated_at__gte=since).select_related(
            "layer__group", "layer__complement", "layer__theater", "source"
        )
        if theater is not None:
            rows = rows.filter(layer__theater=theater)
        found, following = keyset_page(
            request,
            rows,
            moment="updated_at",
            since=since,
            after=after,
            size=FEED_PAGE,
            since_param="updated_since",
            extra={"theater": theater.slug} if theater is not None else None,
        )
        return Response(
            {
                "updated_since": since,
                "next": following,
                "results": [
                    {
                        "id": v.pk,
                        "theater": v.layer.theater.slug,
                        "layer": layer_ref(v.layer),
                        "start": v.start,
                        "end": v.end,
                        "area_km2": v.area_km2,
                        "gained_km2": v.gained_km2,
                        "lost_km2": v.lost_km2,
                        "source": source_ref(v),
                        "updated_at": v.updated_at,
                        "geometry": geo.as_geojson(v.geometry, digits=6),
                    }
                    for v in found
                ],
            }
        )


class DeletedAreaVersionsView(APIView):
    """Ids and deletion times of deleted area versions (replaced, merged, or their layer
    deleted), oldest first, paged like ``changes/deleted/``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("after", int, description="Tombstone id from `next`."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        since = params.parse_moment(request.query_params, "since")
        after = params.parse_count(request.query_params, "after", default=0, maximum=params.ID_MAX)
        rows = DeletedAreaVersion.objects.filter(deleted_at__gte=since)
        found, following = keyset_page(
            request, rows, moment="deleted_at", since=since, after=after, size=DELETED_PAGE
        )
        return Response(
            {
                "since": since,
                "next": following,
                "results": [
                    {"id": r.version_id, "layer": r.layer_id, "deleted_at": r.deleted_at}
                    for r in found
                ],
            }
        )
