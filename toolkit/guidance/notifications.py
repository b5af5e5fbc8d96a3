"""England's serious incident notifications by year (dossier §6.1), for context charts.

The figures live in ``data/sin_notifications.csv``; ``data/sin_notifications.md`` explains
their provenance (2014–15 derived, 2017–18 missing). Read with the standard library only, so
the guidance layer needs no pandas.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

COUNTS = ("total", "child_death", "serious_harm", "other")

Row = dict[str, str | int | None]


def _count(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def _rows() -> tuple[Row, ...]:
    """Parsed once; never handed out directly, so the cached dicts stay unchanged."""
    path = resources.files("toolkit.guidance").joinpath("data", "sin_notifications.csv")
    with path.open("r", encoding="utf-8", newline="") as handle:
        return tuple(
            {key: _count(value) if key in COUNTS else value for key, value in raw.items()}
            for raw in csv.DictReader(handle)
        )


def serious_incident_notifications() -> list[Row]:
    """One dict per reporting year (April–March), oldest first.

    Keys: ``year`` ("2020-21"), ``total``, ``child_death``, ``serious_harm``, ``other`` (int, or
    None where no source gave the figure), ``note`` and ``source`` (a short title from
    sources.yaml, or "" where none). A fresh list each call, so callers may change it freely.
    """
    return [dict(row) for row in _rows()]
