"""Accent-, case- and punctuation-insensitive matching of names and aliases, on any database.

"Dayr az-Zawr", "Deir el-Zour" and "DEIR EZ ZOR" all fold to plain lowercase words, so a
substring match on the folded text finds a place by any spelling variant it lists.
"""

import re
import unicodedata
from typing import Any

APOSTROPHES = re.compile(r"['’ʿʾ`´]")
NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return NON_WORD.sub(" ", APOSTROPHES.sub("", plain)).strip()


def search_text(name: str, aliases: Any) -> str:
    """What place search matches against: the folded name and aliases, separated by '|'."""
    names = [name, *(aliases if isinstance(aliases, list) else [])]
    return "|" + "|".join(fold(str(n)) for n in names) + "|"
