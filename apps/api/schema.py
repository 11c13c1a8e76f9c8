"""OpenAPI post-processing: the error responses and anonymous reads every operation shares,
and the shapes of the non-JSON formats."""

from typing import Any

from django.conf import settings

from apps.territory import params
from apps.territory.periods import MAX_SERIES_STEPS
from apps.territory.rules import SLUG

from . import openapi

ERROR_SCHEMA = {
    "type": "object",
    "description": "Problems keyed by field (or `detail` for the request as a whole).",
    "additionalProperties": True,
}
COMMON_ERRORS = {
    "400": "Bad input: the body names each field and its problem.",
    "401": "Authentication needed (writes, or reads when API_READS_REQUIRE_TOKEN).",
    "403": "Authenticated, but not an editor.",
    "404": "No such object or page, an unsupported `format`, or a query parameter naming a "
    "record that does not exist (a well-formed id or slug; the body names the parameter).",
    "405": "Method not allowed on this endpoint.",
    "406": "No acceptable representation for the Accept header.",
    "409": "Stale or missing `version`, or the object is still in use.",
    "413": "Request body over 1 MB.",
    "414": "Request line too long (answered by the HTTP server).",
    "415": "Request body is not JSON.",
    "429": "Too many requests.",
}
WRITE_ONLY = {"401", "403", "409", "413", "415"}

CHANGE = {"$ref": "#/components/schemas/Change"}
# Shapes drf-spectacular derives from the JSON serializer for every renderer alike; these
# endpoints answer differently in the other formats.
MEDIA_SCHEMAS = {
    ("/api/v1/changes/", "application/geo+json"): openapi.feature_page(
        openapi.change_feature(CHANGE)
    ),
    ("/api/v1/changes/{id}/", "application/geo+json"): openapi.change_feature(CHANGE),
}


ID = {"type": "integer", "minimum": 1, "maximum": params.ID_MAX}
# What the API enforces on a query parameter, by name (the API names a parameter alike
# everywhere). The patterns are the parsers' own (apps/territory/params.py).
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "theater": {
        "type": "string",
        "pattern": f"^(?:{params.ID.pattern}|{SLUG.pattern.strip('^$')})$",
        "description": "Theater id or slug.",
    },
    "bbox": {
        "type": "string",
        "pattern": f"^{params.BBOX.pattern}$",
        "description": "minLon,minLat,maxLon,maxLat in degrees (EPSG:4326), plain decimals; "
        "each minimum must not exceed its maximum (a 400 otherwise).",
    },
    "place": ID,
    "group": ID,
    "version": ID,
    "page": ID,
    "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
    "after": {"type": "integer", "minimum": 0, "maximum": params.ID_MAX},
    "country": {"type": "string", "minLength": 1},
    "radius_km": {"type": "number", "minimum": 1, "maximum": 200},
    "layer": {"type": "string", "pattern": SLUG.pattern, "maxLength": 120},
    "zoom": {"type": "number", "minimum": 0, "maximum": 22},
    "tolerance": {"type": "number", "minimum": 0, "maximum": 1},
}
# Dependencies between parameters, which no schema keyword states (the fuzzer's hooks,
# scripts/fuzz_hooks.py, keep its valid examples to them).
DEPENDENCIES = {
    "/api/v1/control/diff/": "`from` must not be after `to` (a 400 otherwise).",
    "/api/v1/timeline/": "`from` must not be after `to` (a 400 otherwise).",
    "/api/v1/stats/control-series/": "`from` must not be after `to`, and the series from "
    f"`from` to `to` at `interval` must not exceed {MAX_SERIES_STEPS:,} steps (a 400 otherwise). "
    "`from` defaults to the theater's first day, or to `to` when that is earlier; `to` to its "
    "last day.",
    "/api/v1/stats/area-series/": "`from` must not be after `to`, and the series from `from` to "
    f"`to` at `interval` must not exceed {MAX_SERIES_STEPS:,} steps (a 400 otherwise). `from` "
    "defaults to the layers' first day (or the theater's), or to `to` when that is earlier; "
    "`to` to their last snapshot, or `from` when that is later.",
    "/api/v1/areas/diff/": "`from` must not be after `to` (a 400 otherwise).",
    "/api/v1/areas/": "Give `zoom` or `tolerance`, not both (a 400 otherwise).",
}


# No query parameter may hold a NUL character (apps/api/middleware.py answers 400): free text
# says so with this pattern.
NO_NUL = "^[^\x00]*$"


def _free_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not ({"pattern", "format", "enum"} & schema.keys())


def constrain_parameters(result, generator, request, public):
    """State on every query parameter what the API enforces on it, and on every operation
    the dependencies between its parameters."""
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter.setdefault("schema", {})
                target = schema["items"] if schema.get("type") == "array" else schema
                known = PARAMETER_SCHEMAS.get(parameter["name"])
                if known is None:
                    if _free_text(target):
                        target["pattern"] = NO_NUL
                    continue
                description = known.get("description")
                target.update({k: v for k, v in known.items() if k != "description"})
                if _free_text(target):
                    target["pattern"] = NO_NUL
                if description:
                    parameter["description"] = description
            if path in DEPENDENCIES:
                operation["description"] = (
                    operation.get("description", "") + "\n\n" + DEPENDENCIES[path]
                ).strip()
    return result


def add_error_responses(result, generator, request, public):
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            if method == "get":
                for media_type, content in responses.get("200", {}).get("content", {}).items():
                    if media_type == "text/csv":
                        content["schema"] = openapi.CSV
                    elif (path, media_type) in MEDIA_SCHEMAS:
                        content["schema"] = MEDIA_SCHEMAS[path, media_type]
            for code, description in COMMON_ERRORS.items():
                if code in WRITE_ONLY and method == "get" and code not in ("401", "403"):
                    continue
                content = {"application/json": {"schema": ERROR_SCHEMA}}
                if code == "414":  # written by the HTTP server (gunicorn) before Django runs
                    content = {"text/html": {"schema": {"type": "string"}}}
                responses.setdefault(code, {"description": description, "content": content})
            if method == "get" and not settings.API_READS_REQUIRE_TOKEN:
                security = operation.setdefault("security", [])
                if {} not in security:
                    security.append({})  # reads are public
    return result
