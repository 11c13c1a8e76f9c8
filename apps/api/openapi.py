"""OpenAPI schemas of the responses that are built as plain dicts (the fast read endpoints).

The CRUD endpoints are described by their serializers; these are written out by hand so that
client generators get exact types and schemathesis checks every response against them.
"""

from __future__ import annotations

from apps.territory.models import Place, Status

STATUSES = [*Status.values, "unknown"]


def _obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


INT = {"type": "integer"}
STR = {"type": "string"}
NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}

GROUP_REF = _obj(
    {"id": INT, "slug": STR, "name": STR, "color": {**STR, "pattern": "^#[0-9a-f]{6}$"}},
    description="An armed group, in short.",
)
POINT = _obj(
    {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": _array(NUMBER, minItems=2, maxItems=2, description="[lon, lat]"),
    }
)
STATE = _obj(
    {
        "status": {"type": "string", "enum": STATUSES},
        "controller": _nullable(GROUP_REF),
        "challengers": _array(GROUP_REF),
        "since": _nullable({**DATE, "description": "First day of the period in force."}),
        "until": _nullable(
            {**DATE, "description": "Day the period ends (exclusive); null = open."}
        ),
        "change": _nullable({**INT, "description": "The change that began the period."}),
    }
)
PLACE_BRIEF = _obj({"id": INT, "name": STR, "kind": {"type": "string", "enum": Place.Kind.values}})

PLACE_PROPERTIES = _obj(
    {
        "id": {**INT, "readOnly": True},
        "slug": {**STR, "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 100},
        "name": {**STR, "maxLength": 200},
        "aliases": _array({**STR, "maxLength": 200}),
        "kind": {"type": "string", "enum": Place.Kind.values},
        "country": {**STR, "maxLength": 2, "description": "ISO 3166-1 alpha-2."},
        "population": _nullable({**INT, "minimum": 0}),
        "importance": {**INT, "minimum": 1, "maximum": 5},
        "theater": INT,
    },
    required=[],
    description="Required to create: slug, name, kind, country, theater.",
)
GEOMETRY = _nullable(
    _obj(
        {
            "type": {"type": "string", "enum": ["Point", "Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array", "items": {}},
        },
        description="GeoJSON geometry (EPSG:4326): the point location, or with "
        "`?geometry=area` the area (null when it has none).",
    )
)


def point_feature(properties: dict, **extra) -> dict:
    """A GeoJSON Feature at a point, with an integer id."""
    return _obj(
        {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": INT,
            "geometry": POINT,
            "properties": properties,
        },
        **extra,
    )


CONTROL_FEATURE = point_feature(
    _obj(
        {
            "place_id": INT,
            "name": STR,
            "kind": {"type": "string", "enum": Place.Kind.values},
            "importance": INT,
            **STATE["properties"],
        }
    )
)
CONTROL = _obj(
    {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "date": DATE,
        "features": _array(CONTROL_FEATURE),
    },
    description="One Feature per place with its state on `date` (`?format=csv` for a table).",
)

DIFF_ITEM = _obj(
    {
        "place": PLACE_BRIEF,
        "coordinates": _array(NUMBER, minItems=2, maxItems=2),
        "before": STATE,
        "after": STATE,
    }
)
DIFF_FEATURE = point_feature(_obj({**PLACE_BRIEF["properties"], "before": STATE, "after": STATE}))
DIFF = {
    "oneOf": [
        _obj({"from": DATE, "to": DATE, "count": INT, "results": _array(DIFF_ITEM)}),
        _obj(
            {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "from": DATE,
                "to": DATE,
                "features": _array(DIFF_FEATURE),
            }
        ),
    ],
    "description": "JSON by default; a FeatureCollection with `?format=geojson`.",
}

HISTORY = _obj(
    {
        "place": _obj({"id": INT, "name": STR}),
        "periods": _array(
            _obj(
                {
                    "start": DATE,
                    "end": _nullable({**DATE, "description": "Exclusive; null = still open."}),
                    "status": {"type": "string", "enum": Status.values},
                    "controller": _nullable(GROUP_REF),
                    "challengers": _array(GROUP_REF),
                    "change": INT,
                }
            )
        ),
    }
)

SERIES = _obj(
    {
        "theater": INT,
        "interval": {"type": "string", "enum": ["day", "week", "month"]},
        "dates": _array(DATE),
        "groups": _array(
            _obj(
                {
                    "group": GROUP_REF,
                    "places": _array(INT, description="Places held at each date."),
                    "population": _array(INT, description="Population held at each date."),
                    "area_km2": _nullable(
                        _array(
                            _nullable(NUMBER),
                            description="Area of the group's derived zone at each date (an "
                            "estimate, see zones/); null where not computed yet (see "
                            "`area_pending`). Null as a whole where zones are unavailable "
                            "(SpatiaLite).",
                        )
                    ),
                }
            )
        ),
        "area_pending": {
            **INT,
            "description": "Zone days not computed yet; their areas are null. A worker fills "
            "them: ask again later.",
        },
    }
)

INTS = _array(INT)
TIMELINE = _obj(
    {
        "format": {**INT, "description": "The layout's version: 2 (docs/api.md)."},
        "theater": _obj(
            {
                "id": INT,
                "slug": STR,
                "name": STR,
                "start": DATE,
                "end": _nullable(DATE),
                "bounds": _array(NUMBER, minItems=4, maxItems=4),
            }
        ),
        "epoch": {**DATE, "description": "Day 0 of `changes.day_delta`."},
        "status_codes": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": Status.values},
            "description": "Code → status.",
        },
        "groups": _array(
            _obj(
                {
                    "id": INT,
                    "slug": STR,
                    "name": STR,
                    "short_name": STR,
                    "color": STR,
                    "aliases": _array(STR),
                }
            )
        ),
        "places": _obj(
            {
                "id": INTS,
                "slug": _array(STR),
                "name": _array(STR),
                "kind": _array(STR),
                "importance": INTS,
                "population": _array(_nullable(INT)),
                "lon": _array(NUMBER),
                "lat": _array(NUMBER),
            },
            description="Parallel arrays, one entry per place.",
        ),
        "changes": _obj(
            {
                "count": INT,
                "day_delta": _array(INT, description="Days since the previous change (or epoch)."),
                "place_delta": _array(INT, description="The place's id, less the previous one's."),
                "status": _array(INT, description="A key of `status_codes`."),
                "controller": _array(_nullable(INT)),
                "challengers": _array(INTS),
                "id_delta": _array(INT, description="The change's id, less the previous one's."),
                "doubt": _array(
                    INT,
                    description="Bits: 1 its date known only to the month or year; 2 its"
                    " confidence likely, claimed or disputed.",
                ),
            },
            description=(
                "Parallel arrays, one entry per published change, in order of date, place and"
                " id. The *_delta columns are running sums (the first from epoch, 0 and 0)."
            ),
        ),
    },
    description="Everything a client needs to replay a theater; see docs/api.md.",
)

DELETED = _obj(
    {
        "since": DATETIME,
        "next": _nullable({**URI, "description": "The following page; null on the last."}),
        "results": _array(_obj({"id": INT, "place": _nullable(INT), "deleted_at": DATETIME})),
    }
)

CSV = {"type": "string", "description": "CSV with a header row."}


def change_feature(properties: dict) -> dict:
    return point_feature(
        properties, description="A change at its place's point (`?format=geojson`)."
    )


def feature_page(feature: dict) -> dict:
    return _obj(
        {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "count": INT,
            "next": _nullable(URI),
            "previous": _nullable(URI),
            "features": _array(feature),
        }
    )
