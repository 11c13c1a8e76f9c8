"""CSV cells that a spreadsheet cannot run as formulas (OWASP, "CSV Injection").

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` leaks other cells,
``=cmd|...`` once ran programs). Every CSV Frontline writes goes through ``safe_cell``, which
puts a single quote in front of such text: spreadsheets show the text, not its result.

Imports undo it with ``original_cell``, so re-importing an export gives back the original
text. The two are exact inverses because text that already begins with quotes followed by a
trigger (``'=x``) gets one more quote too. Numbers (``-3.5``, ``+1``, ``-1e3``) are left
alone: a spreadsheet's number is harmless, and the coordinates stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    bare = text.lstrip(QUOTE)
    return bare.startswith(TRIGGERS) and not _NUMBER.fullmatch(bare)


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV cell: text a spreadsheet would run gets a leading quote;
    everything else (numbers, dates, None, harmless text) is returned unchanged."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def original_cell(text: str) -> str:
    """What ``safe_cell`` was given, from what it wrote (imports read every cell with it)."""
    if text.startswith(QUOTE) and _needs_quote(text):
        return text[1:]
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose rows go through ``safe_cell`` (every CSV writer uses it)."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
