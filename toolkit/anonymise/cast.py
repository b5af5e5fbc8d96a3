"""A case file's cast: the people labels and agency names it may use, read from its YAML.

The lint must not depend on the case loader (a broken file still has to be linted), so it
reads only the top-level ``people`` and ``agencies`` blocks, each on its own: a syntax fault
elsewhere in the file does not cost the cast, and a fault inside one block costs only that
block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

CAST_SECTIONS = ("people", "agencies")
CAST_FIELDS = ("label", "name")

_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cast_of(text: str) -> tuple[str, ...]:
    """The ``label``/``name`` strings of the top-level ``people`` and ``agencies`` entries."""
    found: list[str] = []
    for block in _blocks(text, CAST_SECTIONS):
        try:
            data = yaml.load(block, Loader=_Loader)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            for entries in data.values():
                found.extend(_labels(entries))
    return tuple(found)


def _labels(entries: Any) -> Iterator[str]:
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict):
            yield from (str(entry[key]) for key in CAST_FIELDS if entry.get(key) is not None)


def _blocks(text: str, keys: tuple[str, ...]) -> Iterator[str]:
    """Each top-level ``key:`` block for ``keys``: its line and the indented lines under it."""
    block: list[str] | None = None
    for line in text.splitlines():
        top = _TOP_KEY.match(line)
        if top or line.startswith(("---", "...")):
            if block:
                yield "\n".join(block)
            block = [line] if top and top[1] in keys else None
        elif block is not None:
            block.append(line)
    if block:
        yield "\n".join(block)
