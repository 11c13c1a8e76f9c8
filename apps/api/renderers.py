"""Fast JSON (orjson) and the export formats."""

import io

import orjson
from rest_framework.renderers import BaseRenderer

from apps.territory.spreadsheet import SafeWriter

ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(data) -> bytes:
    return orjson.dumps(data, option=ORJSON_OPTIONS, default=str)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else dumps(data)


class GeoJSONRenderer(ORJSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class CSVRenderer(BaseRenderer):
    """Renders ``{"csv_columns": [...], "csv_rows": [[...], ...]}`` prepared by the view as
    CSV, each cell made safe for spreadsheets. (The long list, ``changes/?format=csv``, is
    streamed by its view instead.)

    Errors (a dict with other keys) are rendered as JSON-ish text lines, never as a 500.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = SafeWriter(buffer)
        if isinstance(data, dict) and "csv_columns" in data:
            writer.writerow(data["csv_columns"])
            writer.writerows(data["csv_rows"])
        else:
            writer.writerow(["error"])
            writer.writerow([orjson.dumps(data, default=str).decode()])
        return buffer.getvalue().encode("utf-8")
