"""schemathesis hooks for scripts/fuzz-api.sh: keep valid (positive) examples to the
dependencies between parameters that the schema states in words (apps/api/schema.py,
DEPENDENCIES and the bbox description), since no schema keyword can. Invalid (negative)
examples are left alone: the API must refuse them whatever they hold."""

import schemathesis


def _breaks_a_dependency(query: dict) -> bool:
    first, last = query.get("from"), query.get("to")
    if isinstance(first, str) and isinstance(last, str) and first > last:  # YYYY-MM-DD
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
    return not (positive and isinstance(case.query, dict) and _breaks_a_dependency(case.query))
