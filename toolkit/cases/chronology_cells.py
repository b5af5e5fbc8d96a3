"""The cell syntax of a chronology spreadsheet: reading one cell, and writing one back.

A sheet has one row per event and the columns of a review's ``chronology`` entries
(CASE_FORMAT.md §3). Lists and nested entries go in one cell each, in a small syntax:

========  ===========================================  =========================================
column    cell                                         example
========  ===========================================  =========================================
id        event id, ``[a-z0-9-]``                      ``ev4``
date      ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``       ``2022-03-14`` (or a date cell in XLSX)
agency    agency id                                    ``school``
event     what happened, free text                     ``Child B arrived hungry``
known_by  agency ids, ``;``-separated                  ``school; health-visiting``
shared    ``TO@DATE [METHOD] [recorded|unrecorded]``,  ``csc@2022-03-16 phone recorded;``
          one entry per share, ``;``-separated         ``police@2022-03-17T10:15 email``
missed    ``TO [by DATE] [T…] [S…]``,                  ``health-visiting by 2022-03-14 T6 T10 S2``
          one entry per missed share, ``;``-separated
========  ===========================================  =========================================

A new line inside a cell separates entries as ``;`` does. In ``shared`` a date with a time
is written ``2022-03-16T09:30`` (no space, so the entry stays one word); ``recorded`` /
``unrecorded`` set whether the share was written down, and any other single word is the
method (a method given with spaces in YAML is written with hyphens). A parser notes every
fault in its cell and carries on, so one pass over a sheet finds them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.cases.model import Missed, ReviewEvent, Shared
from toolkit.guidance import vocabulary

Cell = str | int | float | dt.date | dt.datetime | dt.time | None
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$")
_ENTRIES = re.compile(r"[;\n\r]+")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_RULE = "ids use lower-case letters, digits and hyphens"
RECORDED_WORDS = {"recorded": True, "unrecorded": False, "not-recorded": False}

# A parser appends messages about its cell to ``faults`` and carries on.
Faults = list[str]


# --- reading ---------------------------------------------------------------------------------


def cell_text(cell: Cell) -> str:
    """A cell as stripped text: numbers typed into a text column come back as their digits."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).strip()


def parse_when(text: str) -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` (a date) or ``YYYY-MM-DD[T ]HH:MM[:SS]`` (a local date and time).

    Raises ValueError with a message fit for a reviewer. Only these two shapes are taken:
    a spreadsheet's locale can turn 03/04 into either March or April, and a wrong guess
    would silently reorder the chronology.
    """
    if not _DATE.match(text):
        raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD or YYYY-MM-DD HH:MM")
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def _when_cell(cell: Cell, faults: Faults) -> dt.date | dt.datetime | None:
    if isinstance(cell, dt.datetime | dt.date):
        return cell
    text = cell_text(cell)
    if isinstance(cell, int | float) or isinstance(cell, dt.time):
        faults.append(f"'{text}' is not a date; format the cell as a date or write YYYY-MM-DD")
        return None
    if not text:
        faults.append("a date is required")
        return None
    try:
        return parse_when(text)
    except ValueError as exc:
        faults.append(str(exc))
        return None


@dataclass(frozen=True)
class Context:
    """What a cell may refer to: the review's agencies (when known) and the vocabulary."""

    agencies: frozenset[str] | None
    themes: frozenset[str] = field(default_factory=lambda: frozenset(vocabulary().themes))
    steps: frozenset[str] = field(default_factory=lambda: frozenset(vocabulary().steps))

    def agency(self, value: str, faults: Faults) -> str:
        if not _ID.match(value):
            faults.append(f"'{value}' is not an agency id; {ID_RULE} (e.g. health-visiting)")
        elif self.agencies is not None and value not in self.agencies:
            listed = ", ".join(sorted(self.agencies))
            faults.append(f"unknown agency '{value}' (expected one of: {listed})")
        return value


def _entries(cell: Cell) -> list[str]:
    return [part.strip() for part in _ENTRIES.split(cell_text(cell)) if part.strip()]


def _agency_list(cell: Cell, ctx: Context, faults: Faults) -> list[str]:
    return [ctx.agency(word, faults) for entry in _entries(cell) for word in entry.split()]


def _share(entry: str, ctx: Context, faults: Faults) -> dict[str, Any] | None:
    head, *words = entry.split()
    to, at, when = head.partition("@")
    if not at or not to:
        faults.append(f"'{entry}': a share starts TO@DATE, e.g. csc@2022-03-16")
        return None
    share: dict[str, Any] = {"to": ctx.agency(to, faults)}
    try:
        share["date"] = parse_when(when)
    except ValueError as exc:
        faults.append(f"'{entry}': {exc}")
        return None
    for word in words:
        if word.lower() in RECORDED_WORDS:
            share["recorded"] = RECORDED_WORDS[word.lower()]
        elif "method" not in share:
            share["method"] = word
        else:
            faults.append(f"'{entry}': more than one method ('{share['method']}', '{word}')")
    return share


def _miss(entry: str, ctx: Context, faults: Faults) -> dict[str, Any]:
    head, *words = entry.split()
    miss: dict[str, Any] = {"to": ctx.agency(head, faults), "themes": [], "steps": []}
    words_left = iter(words)
    for word in words_left:
        if word.lower() == "by":
            when = next(words_left, "")
            try:
                miss["by"] = parse_when(when)
            except ValueError as exc:
                faults.append(f"'{entry}': by {exc}")
        elif word in ctx.themes:
            miss["themes"].append(word)
        elif word in ctx.steps:
            miss["steps"].append(word)
        else:
            faults.append(
                f"'{entry}': unexpected '{word}' (write TO [by DATE] then themes T1–T20 "
                "and steps S1–S10)"
            )
    return miss


def _shared_cell(cell: Cell, ctx: Context, faults: Faults) -> list[dict[str, Any]]:
    shares = (_share(entry, ctx, faults) for entry in _entries(cell))
    return [share for share in shares if share is not None]


def _missed_cell(cell: Cell, ctx: Context, faults: Faults) -> list[dict[str, Any]]:
    return [_miss(entry, ctx, faults) for entry in _entries(cell)]


def _agency_cell(cell: Cell, ctx: Context, faults: Faults) -> str:
    text = cell_text(cell)
    return ctx.agency(text, faults) if text else ""


def _id_cell(cell: Cell, ctx: Context, faults: Faults) -> str:
    text = cell_text(cell)
    if text and not _ID.match(text):
        faults.append(f"'{text}' is not an event id; {ID_RULE} (e.g. ev4)")
    return text


CellParser = Callable[[Cell, Context, Faults], Any]
PARSERS: dict[str, CellParser] = {
    "id": _id_cell,
    "date": lambda cell, ctx, faults: _when_cell(cell, faults),
    "agency": _agency_cell,
    "event": lambda cell, ctx, faults: cell_text(cell),
    "known_by": _agency_list,
    "shared": _shared_cell,
    "missed": _missed_cell,
}


# --- writing ---------------------------------------------------------------------------------


def when_text(value: dt.date | dt.datetime, sep: str = " ") -> str:
    """A date as YYYY-MM-DD; a date-time to the minute (or second, if it has any), joined by
    ``sep`` (``T`` keeps it one word). Fractions of a second are not kept."""
    if isinstance(value, dt.datetime):
        timespec = "seconds" if value.second else "minutes"
        return value.isoformat(sep=sep, timespec=timespec)
    return value.isoformat()


def format_shared(shares: Sequence[Shared]) -> str:
    """The ``shared`` cell for a list of shares (the inverse of the reader's syntax)."""
    parts = []
    for share in shares:
        words = [f"{share.to}@{when_text(share.date, 'T')}"]
        if share.method:
            words.append(re.sub(r"\s+", "-", share.method.strip()))
        if share.recorded is not None:
            words.append("recorded" if share.recorded else "unrecorded")
        parts.append(" ".join(words))
    return "; ".join(parts)


def format_missed(misses: Sequence[Missed]) -> str:
    """The ``missed`` cell for a list of missed shares."""
    parts = []
    for miss in misses:
        words = [miss.to]
        if miss.by is not None:
            words += ["by", when_text(miss.by, "T")]
        parts.append(" ".join([*words, *miss.themes, *miss.steps]))
    return "; ".join(parts)


def chronology_rows(events: Iterable[ReviewEvent]) -> list[list[Cell]]:
    """One list of cells per event, in CHRONOLOGY_COLUMNS order (dates kept as dates)."""
    return [
        [
            event.id,
            event.date,
            event.agency,
            event.event,
            "; ".join(event.known_by),
            format_shared(event.shared),
            format_missed(event.missed),
        ]
        for event in events
    ]
