"""schemathesis hooks for scripts/fuzz-api.sh: keep valid (positive) examples to the
dependencies between parameters that the schema states in words (apps/api/schema.py,
DEPENDENCIES and the bbox description), since no schema keyword can. Invalid (negative)
examples are left alone: the API must refuse them whatever they hold."""

import csv
import sys
from datetime import date
from pathlib import Path

import schemathesis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from apps.territory.periods import MAX_SERIES_STEPS, series_length  # noqa: E402  (pure)

# The fuzzed servers hold the reference dataset: its theater's days are the defaults of
# control-series' `from` and `to`.
with (ROOT / "data" / "reference" / "theaters.csv").open(encoding="utf-8") as handle:
    THEATER = next(csv.DictReader(handle))
START, END = date.fromisoformat(THEATER["start"]), date.fromisoformat(THEATER["end"])


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _breaks_a_dependency(path: str, query: dict) -> bool:
    first, last = _day(query.get("from")), _day(query.get("to"))
    if first and last and first > last:
        return True
    if path.endswith("/stats/control-series/"):
        last = last or END
        first = first or min(START, last)
        interval = query.get("interval", "month")
        try:
            if series_length(first, last, interval) > MAX_SERIES_STEPS:
                return True
        except ValueError:
            return False
    if path.endswith("/stats/area-series/"):  # defaults: the layers' first and last days
        last = last or date.today()  # at the latest
        first = first or min(START, last)  # at the earliest
        try:
            if series_length(first, last, query.get("interval", "month")) > MAX_SERIES_STEPS:
                return True
        except ValueError:
            return False
    if path.endswith("/api/v1/areas/") and "zoom" in query and "tolerance" in query:
        return True
    bbox = query.get("bbox")
    if isinstance(bbox, str):
        try:
            west, south, east, north = (float(n) for n in bbox.split(","))
        except ValueError:
            return False
        return west > east or south > north
    return False


@schemathesis.hook
def filter_case(ctx, case):
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if not (positive and isinstance(case.query, dict)):
        return True
    return not _breaks_a_dependency(case.operation.path, case.query)
