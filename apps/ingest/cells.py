"""The cells of Frontline's CSV format, read one way by both of its readers (imports and the
reference loader): dates, numbers and ``|``-separated lists. A cell that cannot be read
raises ``CellError`` naming its column; each reader reports it in its own way."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal, overload


class CellError(ValueError):
    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def split_cell(value: str | None) -> list[str]:
    """A cell holding several values separated by | (the CSV format's lists)."""
    return [item.strip() for item in (value or "").split("|") if item.strip()]


@overload
def date_cell(value: str, column: str, *, required: Literal[True]) -> date: ...
@overload
def date_cell(value: str, column: str, *, required: bool = False) -> date | None: ...
def date_cell(value: str, column: str, *, required: bool = False) -> date | None:
    """YYYY-MM-DD; an empty cell is None (or refused, when ``required``)."""
    if not value:
        _missing(column, required)
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(column, f"{value!r} is not a date (YYYY-MM-DD).") from None


@overload
def whole_number_cell(value: str, column: str, *, required: Literal[True]) -> int: ...
@overload
def whole_number_cell(value: str, column: str, *, required: bool = False) -> int | None: ...
def whole_number_cell(value: str, column: str, *, required: bool = False) -> int | None:
    """A whole number, thousands separated by commas or underscores or not (25,000)."""
    if not value:
        _missing(column, required)
        return None
    try:
        return int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise CellError(column, f"{value!r} is not a whole number.") from None


@overload
def number_cell(value: str, column: str, *, required: Literal[True]) -> float: ...
@overload
def number_cell(value: str, column: str, *, required: bool = False) -> float | None: ...
def number_cell(value: str, column: str, *, required: bool = False) -> float | None:
    """A finite decimal number (coordinates)."""
    if not value:
        _missing(column, required)
        return None
    try:
        number = float(value)
    except ValueError:
        raise CellError(column, f"{value!r} is not a number.") from None
    if not math.isfinite(number):
        raise CellError(column, f"{value!r} is not a finite number.")
    return number


def _missing(column: str, required: bool) -> None:
    """An empty cell: refused when ``required``."""
    if required:
        raise CellError(column, "This column is required.")
