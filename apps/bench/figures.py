"""How the benchmarks print their figures."""

from __future__ import annotations

import statistics


def summary(values: list[float]) -> str:
    """``median … p95 … max …`` of a list of timings."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):6.2f}  p95 {p95:6.2f}  max {ordered[-1]:6.2f}"
