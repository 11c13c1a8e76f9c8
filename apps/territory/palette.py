"""Colours for armed groups that were given none, and the map's colour-blind-safe palette.

Okabe & Ito's eight colours stay distinct under the common colour-vision deficiencies
(deuteranopia, protanopia, tritanopia); Paul Tol's "muted" scheme extends them when a theater
has more groups, at the cost of some pairs being close for some readers (the map draws shapes
as well as colours: rings for contested places, dashes for sieges).
"""

from __future__ import annotations

from collections.abc import Iterable

OKABE_ITO = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"]
TOL_MUTED = [
    "#cc6677",
    "#332288",
    "#ddcc77",
    "#117733",
    "#88ccee",
    "#882255",
    "#44aa99",
    "#999933",
    "#aa4499",
]
SAFE_PALETTE = OKABE_ITO + TOL_MUTED


def default_color(used: Iterable[str]) -> str:
    """The first palette colour no group uses yet; when all are taken, the least used one."""
    counts = dict.fromkeys(SAFE_PALETTE, 0)
    for color in used:
        if color in counts:
            counts[color] += 1
    return min(SAFE_PALETTE, key=lambda color: (counts[color], SAFE_PALETTE.index(color)))
