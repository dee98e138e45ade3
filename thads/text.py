"""Vietnamese text: NFC storage and an accent-insensitive search key.

`fold` is the one definition of "the same words" used for search everywhere:
tone marks and other diacritics dropped, đ→d, lower case, single spaces. Both
"Hiệp Hòa" and "Hiệp Hoà" (two accepted placements of the tone mark) fold to
"hiep hoa", and so does the user's "hiep hoa". The key (`search_key`) is
computed in Python and stored in a column, so it behaves the same on SQLite
and PostgreSQL; a search term matches at the start of a word only ("hiep"
finds "Hiệp Hòa", not "nghiệp").
"""

import re
import unicodedata
from typing import Any

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[^\W_]+")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def words(value: str) -> list[str]:
    """The folded words of `value`: runs of letters and digits, so punctuation
    ("(nghiệp vụ)", "CC-HIEPHOA", "01/KL") separates words like a space."""
    return _WORD.findall(fold(value))


def search_key(*values: str, limit: int = 1000) -> str:
    """The stored search key of `values`: every word preceded by one space
    (" cc hiephoa chi cuc ..."), so " term" occurs in it exactly where a word
    begins with term. Cut at `limit` characters."""
    return "".join(f" {word}" for value in values for word in words(value))[:limit]


def search_terms(query: str) -> list[str]:
    """The folded words of a search query; each must begin a word of the key."""
    return words(query)


def nfc_deep(data: Any) -> Any:
    """NFC-normalise every string inside parsed request data."""
    if isinstance(data, str):
        return nfc(data)
    if isinstance(data, dict):
        return {nfc(key) if isinstance(key, str) else key: nfc_deep(v) for key, v in data.items()}
    if isinstance(data, list):
        return [nfc_deep(item) for item in data]
    return data
