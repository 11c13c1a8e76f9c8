"""The JSON parser of every API body: DRF's, plus a limit on how deeply arrays and objects nest.

Python's JSON decoder recurses once per level: a body of a few thousand ``[`` raises
``RecursionError`` (a 500), and a body nested "only" a thousand levels deep still reaches code
that recurses over it (serializers, ``json.dumps``, GDAL). No body the API accepts needs more
than a handful of levels (a MultiPolygon inside a Feature is 6), so anything deeper than
``MAX_DEPTH`` is refused with 400 before it is decoded.
"""

from __future__ import annotations

import codecs
import json
import operator
import re
from itertools import accumulate, count

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

MAX_DEPTH = 64

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEPS = str.maketrans("[{]}", "\x02\x02\x00\x00")  # one level up, one level down, plus 1


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (JSON), found without recursion and in
    C loops: strings dropped, only the brackets kept, and the running depth's maximum taken
    (the running sum of 2 per opening and 0 per closing bracket, less one per bracket)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    if not brackets:
        return 0
    steps = brackets.translate(_STEPS).encode("latin-1")
    return max(map(operator.sub, accumulate(steps), count(1)))


def too_deep_message(limit: int = MAX_DEPTH) -> str:
    return f"JSON parse error - nested too deeply: more than {limit} levels of arrays and objects."


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser (same errors, NaN and Infinity refused) with the nesting limit, and
    ``RecursionError`` answered as the same 400 should anything slip past the check."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # undecodable bytes
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(too_deep_message())
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(too_deep_message()) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
