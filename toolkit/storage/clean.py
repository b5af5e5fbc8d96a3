"""Free text made storable on every backend: the one normaliser for text the store keeps.

PostgreSQL cannot hold a NUL character in a text column or a JSON string (SQLite can), and
no backend can hold half of a UTF-16 surrogate pair, which a browser may send. Learners paste
anything, so a rationale with a NUL made "the database is busy… press Submit again" for
ever. The store passes every free-text value through ``clean_text`` (JSON documents through
``clean_json``); the learner app does so before scoring, so that what is scored is what is
stored and evidence spans still quote the stored text.

Kept: tab and line feed, and every printable character in any script. Carriage returns
become line feeds; other control characters (C0, DEL, C1) are dropped; a lone surrogate
becomes U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any

_NEWLINES = re.compile(r"\r\n?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` without the characters a database cannot store (see the module docstring)."""
    value = _NEWLINES.sub("\n", value)
    value = _CONTROLS.sub("", value)
    return _SURROGATES.sub("\ufffd", value)


def clean_json(value: Any) -> Any:
    """A JSON document with ``clean_text`` applied to every string in it, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def clean_optional(value: str | None) -> str | None:
    return None if value is None else clean_text(value)
