"""OGC API – Features (Part 1: Core, GeoJSON) at ``/ogc/``, so QGIS and GDAL read Frontline
without an export: ``ogrinfo OAPIF:http://host/ogc/``.

Collections: ``places`` (every place), ``control`` (every place with its state on the day
given by ``datetime``, today by default), ``periods`` (control periods, those in force at
``datetime`` or overlapping a ``datetime`` interval), ``zones`` (the derived territory
zones on ``datetime``: an estimate, labelled so; PostGIS only), ``areas`` (observed area
versions in force on ``datetime`` or overlapping an interval) and ``frontline`` (per theater,
the front line of its areas on ``datetime``). Items take ``bbox``,
``datetime``, ``limit`` and ``offset``, with ``next``/``prev`` links. Coordinates are WGS 84
longitude, latitude (CRS84).
"""

from __future__ import annotations

import json

from django.contrib.gis.geos import GEOSGeometry, Point
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.areas import frontline
from apps.areas import selectors as area_selectors
from apps.areas.models import AreaVersion
from apps.ops import answers
from apps.territory import features, params, revisions, selectors
from apps.territory.models import ControlPeriod, Place, Theater
from apps.zones import selectors as zone_selectors
from apps.zones.features import zone_properties

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
MAX_OFFSET = 10**12  # beyond any collection; larger values overflow SQL integers
COLLECTIONS = {
    "places": ("Places", "Every place: towns, border crossings, oil fields, bases…"),
    "control": (
        "Control on a day",
        "Every place with its state on the day given by "
        "`datetime` (default: today): status, controller, challengers, since.",
    ),
    "periods": (
        "Control periods",
        "Periods during which a place stayed in one state; "
        "`datetime` selects those in force on a day or overlapping an interval.",
    ),
    "zones": (
        "Derived zones (estimate)",
        "Per group, the area it is estimated to hold on the "
        "day given by `datetime` (default: today): derived from the places' control, "
        "never observed. PostGIS only.",
    ),
    "areas": (
        "Observed areas",
        "Versions of the area layers (an assessor's picture of one group's ground): those in "
        "force on the day `datetime` gives (default: today), or overlapping an interval.",
    ),
    "frontline": (
        "Front line",
        "Per theater, the line where the layers' ground meets the other side's on the day "
        "`datetime` gives (default: today), with its length in km.",
    ),
}


def _json(body, *, status=200, geo=False) -> JsonResponse:
    content_type = "application/geo+json" if geo else "application/json"
    return JsonResponse(
        body, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )


def _url(request, name: str, *args, **query) -> str:
    url = request.build_absolute_uri(reverse(f"ogc:{name}", args=args))
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode({k: v for k, v in query.items() if v is not None})
    return url


def _error(status: int, code: str, description: str) -> JsonResponse:
    return _json({"code": code, "description": description}, status=status)


@require_GET
def landing(request):
    return _json(
        {
            "title": "Frontline",
            "description": "Territorial control in armed conflicts: places, control on a day, "
            "control periods and derived zones, from a sourced record.",
            "links": [
                {
                    "href": _url(request, "landing"),
                    "rel": "self",
                    "type": "application/json",
                    "title": "This document",
                },
                {
                    "href": request.build_absolute_uri("/api/schema/"),
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "title": "The REST API",
                },
                {
                    "href": _url(request, "conformance"),
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "Conformance classes",
                },
                {
                    "href": _url(request, "collections"),
                    "rel": "data",
                    "type": "application/json",
                    "title": "Collections",
                },
            ],
        }
    )


@require_GET
def conformance(request):
    return _json({"conformsTo": [CORE, GEOJSON]})


def _extent() -> dict:
    theaters = list(Theater.objects.all())
    boxes = [list(t.bounds.extent) for t in theaters] or [[-180, -90, 180, 90]]
    start = min((t.start_date for t in theaters), default=None)
    ends = [t.end_date for t in theaters]
    dated = [e for e in ends if e is not None]
    end = max(dated) if ends and len(dated) == len(ends) else None
    box = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    return {
        "spatial": {"bbox": [box], "crs": CRS84},
        "temporal": {
            "interval": [
                [f"{start}T00:00:00Z" if start else None, f"{end}T00:00:00Z" if end else None]
            ]
        },
    }


def _collection(request, name: str, extent: dict) -> dict:
    title, description = COLLECTIONS[name]
    return {
        "id": name,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            {"href": _url(request, "collection", name), "rel": "self", "type": "application/json"},
            {
                "href": _url(request, "items", name),
                "rel": "items",
                "type": "application/geo+json",
                "title": title,
            },
        ],
    }


@require_GET
def collections(request):
    extent = _extent()
    return _json(
        {
            "links": [
                {"href": _url(request, "collections"), "rel": "self", "type": "application/json"}
            ],
            "collections": [_collection(request, name, extent) for name in COLLECTIONS],
        }
    )


@require_GET
def collection(request, name: str):
    if name not in COLLECTIONS:
        return _error(404, "NotFound", f"No collection {name!r}.")
    return _json(_collection(request, name, _extent()))


# --- Items -----------------------------------------------------------------------------------


def _checked(request, allowed: tuple[str, ...]):
    """The query, once no parameter is unknown: OGC refuses a parameter it does not define
    (/req/core/query-param-unknown). ``f`` picks the format, and GeoJSON is the only one."""
    q = request.GET
    unknown = sorted(set(q) - {*allowed, "f"})
    if unknown:
        raise params.ParameterError(unknown[0], f"Unknown parameter; use {', '.join(allowed)}.")
    if q.get("f", "json").lower() not in ("json", "geojson"):
        raise params.ParameterError("f", "The only format is GeoJSON (f=json).")
    return q


def _invalid(error: params.ParameterError) -> JsonResponse:
    return _error(400, "InvalidParameterValue", str(error))


# Each collection answers (number matched, rows) for a window (offset, limit) of its items
# in id order, or for all of them (window None); the database pages wherever it can.


def _paged(items, window, row):
    """``items``: a queryset (counted and sliced in SQL) or a list; ``row(item)`` -> a row."""
    if window is None:
        return None, [row(item) for item in items]
    offset, limit = window
    matched = len(items) if isinstance(items, list) else items.count()
    return matched, [row(item) for item in items[offset : offset + limit]]


def _place_features(request, bbox, _when, pk=None, window=None):
    places = Place.objects.select_related("theater").defer("area").order_by("pk")
    if pk is not None:
        places = places.filter(pk=pk)
    if bbox:
        places = places.filter(location__intersects=selectors.bbox_polygon(bbox))
    return _paged(places, window, _place_row)


def _place_row(place):
    return place.pk, place.location, features.place_properties(place)


def _control_features(request, bbox, when, pk=None, window=None):
    """Every place has a state on every day (unknown before its first change), so the page is
    a page of places, and only its states are looked up."""
    day = (when and (when[1] or when[0])) or timezone.localdate()
    places = Place.objects.defer("area").order_by("pk")
    if pk is not None:
        places = places.filter(pk=pk)
    if bbox:
        places = places.filter(location__intersects=selectors.bbox_polygon(bbox))
    matched, page = _paged(places, window, lambda place: place)
    states = selectors.place_states_on(places=page, on=day)
    return matched, [
        (state.place.pk, state.place.location, features.control_properties(state, day))
        for state in states
    ]


def _period_features(request, bbox, when, pk=None, window=None):
    periods = (
        ControlPeriod.objects.select_related("place", "controller")
        .prefetch_related("challengers")
        .order_by("pk")
    )
    if pk is not None:
        periods = periods.filter(pk=pk)
    if bbox:
        periods = periods.filter(place__location__intersects=selectors.bbox_polygon(bbox))
    if when:
        first, last = when
        periods = selectors.periods_overlapping(first, last, queryset=periods)
    return _paged(
        periods,
        window,
        lambda period: (period.pk, period.place.location, features.period_properties(period)),
    )


def _zone_features(request, bbox, when, pk=None, window=None):
    """One feature per group and theater (id: theater id × 100000 + group id); few enough to
    build before paging."""
    day = (when and (when[1] or when[0])) or timezone.localdate()
    box = selectors.bbox_polygon(bbox) if bbox else None
    rows = []
    for theater in Theater.objects.order_by("pk"):
        try:
            found = zone_selectors.zones_on(theater=theater, on=day)
        except zone_selectors.ZonesUnavailable:
            break
        for shape in found.shapes:
            fid = theater.pk * 100_000 + shape.group_id
            geometry = GEOSGeometry(json.dumps(shape.geometry), srid=4326)
            if (pk is not None and fid != pk) or (box is not None and not geometry.intersects(box)):
                continue
            rows.append((fid, geometry, zone_properties(found, shape)))
    return _paged(rows, window, lambda row: row)


def _area_features(request, bbox, when, pk=None, window=None):
    versions = AreaVersion.objects.select_related(
        "layer__group", "layer__complement", "layer__theater", "source"
    ).defer("gained", "lost")
    if pk is not None:
        versions = versions.filter(pk=pk)
    if bbox:
        versions = versions.filter(geometry__intersects=selectors.bbox_polygon(bbox))
    if when and when[0] is not None and when[0] == when[1]:
        versions = selectors.in_force_on(versions, when[0])
    elif when:
        versions = selectors.in_force_during(versions, when[0], when[1])
    elif pk is None:
        versions = selectors.in_force_on(versions, timezone.localdate())
    return _paged(versions.order_by("pk"), window, _area_row)


def _area_row(version: AreaVersion):
    layer = version.layer
    return (
        version.pk,
        version.geometry,
        {
            "theater": layer.theater.slug,
            "layer": layer.slug,
            "layer_name": layer.name,
            "group": layer.group.slug,
            "complement": layer.complement.slug if layer.complement else None,
            "status": layer.status,
            "assessor": layer.assessor,
            "valid_from": str(version.start),
            "valid_until": str(version.end) if version.end else None,
            "area_km2": version.area_km2,
            "gained_km2": version.gained_km2,
            "lost_km2": version.lost_km2,
            "front_km": version.front_km,
            "source": version.source.title if version.source else None,
        },
    )


def _frontline_features(request, bbox, when, pk=None, window=None):
    """One feature per theater with areas on the day (id: the theater's)."""
    day = (when and (when[1] or when[0])) or timezone.localdate()
    box = selectors.bbox_polygon(bbox) if bbox else None
    rows = []
    for theater in Theater.objects.order_by("pk"):
        if pk is not None and theater.pk != pk:
            continue
        versions = area_selectors.versions_on(theater=theater, on=day)
        if not versions:
            continue
        line = frontline.front_between([v.geometry for v in versions], theater.bounds)
        if box is not None and not line.intersects(box):
            continue
        properties = {
            "theater": theater.slug,
            "date": str(day),
            "length_km": round(frontline.length_km(line), 1),
            "layers": ",".join(v.layer.slug for v in versions),
        }
        rows.append((theater.pk, line, properties))
    return _paged(rows, window, lambda row: row)


FEATURES = {
    "places": _place_features,
    "control": _control_features,
    "periods": _period_features,
    "zones": _zone_features,
    "areas": _area_features,
    "frontline": _frontline_features,
}


def _feature(fid, geometry, properties) -> dict:
    if isinstance(geometry, Point):
        shape = features.point_geometry(geometry)
    else:
        shape = json.loads(geometry.geojson)
    return {"type": "Feature", "id": fid, "geometry": shape, "properties": properties}


@require_GET
def items(request, name: str):
    if name not in FEATURES:
        return _error(404, "NotFound", f"No collection {name!r}.")
    try:
        q = _checked(request, ("bbox", "datetime", "limit", "offset"))
        bbox = params.parse_bbox(q, "bbox", allow_3d=True)
        when = params.parse_interval(q, "datetime")
        limit = params.parse_count(q, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=10**30)
        limit = min(limit, MAX_LIMIT)  # a larger limit is clamped, as OGC allows
        offset = params.parse_count(q, "offset", default=0, maximum=MAX_OFFSET)
    except params.ParameterError as error:
        return _invalid(error)

    def build() -> answers.Built:
        response = _items(request, name, bbox, when, offset, limit)
        return answers.Built(response, keep=name in KEPT)

    asked = [(k, v) for k, values in request.GET.lists() for v in values]
    # links name the host; without datetime, control is of today
    asked += [("at", request.build_absolute_uri("/")), ("today", str(timezone.localdate()))]
    key = answers.key_of(f"ogc-items-{name}", asked, "geojson")
    return answers.answer(request, key=key, stamp=revisions.stamp_of_every_theater(), build=build)


# Collections whose items are kept per data revision; derived zones are filled on read.
KEPT = {"places", "control", "periods", "areas", "frontline"}


def _items(request, name: str, bbox, when, offset: int, limit: int) -> JsonResponse:
    matched, page = FEATURES[name](request, bbox, when, window=(offset, limit))
    keep = {k: request.GET[k] for k in ("bbox", "datetime") if request.GET.get(k)}

    def link(rel: str, at: int) -> dict:
        href = _url(request, "items", name, limit=limit, offset=at, **keep)
        return {"href": href, "rel": rel, "type": "application/geo+json"}

    links = [link("self", offset)]
    if offset + limit < matched:
        links.append(link("next", offset + limit))
    if offset:
        links.append(link("prev", max(0, offset - limit)))
    return _json(
        {
            "type": "FeatureCollection",
            "features": [_feature(*row) for row in page],
            "numberMatched": matched,
            "numberReturned": len(page),
            "timeStamp": timezone.now().isoformat(timespec="seconds"),
            "links": links,
        },
        geo=True,
    )


@require_GET
def item(request, name: str, fid: int):
    if name not in FEATURES:
        return _error(404, "NotFound", f"No collection {name!r}.")
    try:
        when = params.parse_interval(_checked(request, ("datetime",)), "datetime")
    except params.ParameterError as error:
        return _invalid(error)
    for row in FEATURES[name](request, None, when, pk=fid)[1]:
        feature = _feature(*row)
        feature["links"] = [
            {"href": request.build_absolute_uri(), "rel": "self", "type": "application/geo+json"},
            {
                "href": _url(request, "collection", name),
                "rel": "collection",
                "type": "application/json",
            },
        ]
        return _json(feature, geo=True)
    return _error(404, "NotFound", f"No feature {fid} in {name!r}.")
