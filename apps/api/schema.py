"""OpenAPI post-processing: the error responses and anonymous reads every operation shares,
and the shapes of the non-JSON formats."""

from django.conf import settings

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
    "404": "No such object or page, or an unsupported `format`.",
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
