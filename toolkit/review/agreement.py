"""Inter-rater agreement: do two reviewers, coding events independently, see the same themes?

For each theme T the question is binary — *does this reviewer code this event with T?* —
asked of every event **both** reviewers coded (a coding with no themes is a coded "no" to
all). Cohen's kappa corrects the share of events they agree on for the agreement their own
base rates would produce by chance::

    a = both yes, b = first only, c = second only, d = neither, n = a + b + c + d
    p_o = (a + d) / n
    p_e = (a + b)/n · (a + c)/n  +  (c + d)/n · (b + d)/n
    kappa = (p_o − p_e) / (1 − p_e)        (NaN when p_e = 1: no variation to agree on)

**Overall** kappa is *pooled*: the 2×2 tables of every theme either reviewer used on those
events are added cell by cell and kappa is taken once. Unlike the mean of per-theme kappas
it is defined even when some theme has no variation, and it weights themes by use. Themes
neither reviewer used are left out: they would only pad the "neither" cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from toolkit.cases.model import Coding, Review
from toolkit.review.chronology import natural

OVERALL = "overall"
CELLS = ("both", "first_only", "second_only", "neither")
# (first says yes, second says yes) → the 2×2 cell it falls in
CELL_OF = {
    (True, True): "both",
    (True, False): "first_only",
    (False, True): "second_only",
    (False, False): "neither",
}
AGREEMENT_COLUMNS = (
    "events",
    "both",
    "first_only",
    "second_only",
    "neither",
    "observed",
    "expected",
    "kappa",
)


def _codings(codings: Review | Iterable[Coding]) -> list[Coding]:
    return list(codings.codings if isinstance(codings, Review) else codings)


def reviewers(codings: Review | Iterable[Coding]) -> list[str]:
    """The reviewers who coded, in the order they first appear."""
    return list(dict.fromkeys(coding.reviewer for coding in _codings(codings)))


def _pair(codings: list[Coding], pair: Sequence[str] | None) -> tuple[str, str]:
    if pair is None:
        found = reviewers(codings)
        if len(found) != 2:
            raise ValueError(f"kappa compares two reviewers; name two of {found}")
        return found[0], found[1]
    if len(pair) != 2 or pair[0] == pair[1]:
        raise ValueError(f"name two different reviewers, not {list(pair)}")
    return pair[0], pair[1]


def _coded(codings: list[Coding], reviewer: str) -> dict[str, set[str]]:
    coded: dict[str, set[str]] = {}
    for coding in codings:
        if coding.reviewer == reviewer:
            coded.setdefault(coding.event, set()).update(coding.themes)
    return coded


def cohen_kappa(both: int, first_only: int, second_only: int, neither: int) -> dict[str, float]:
    """Observed agreement, chance agreement and kappa of one 2×2 table (see module note)."""
    n = both + first_only + second_only + neither
    if n == 0:
        return {"observed": float("nan"), "expected": float("nan"), "kappa": float("nan")}
    observed = (both + neither) / n
    first_yes, second_yes = (both + first_only) / n, (both + second_only) / n
    expected = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    kappa = float("nan") if expected == 1 else (observed - expected) / (1 - expected)
    return {"observed": observed, "expected": expected, "kappa": kappa}


def _cells(first: dict[str, set[str]], second: dict[str, set[str]], theme: str) -> dict:
    events = set(first) & set(second)
    cells = {"events": len(events)} | dict.fromkeys(CELLS, 0)
    for event in events:
        cells[CELL_OF[(theme in first[event], theme in second[event])]] += 1
    return cells


def agreement_table(
    codings: Review | Iterable[Coding],
    pair: Sequence[str] | None = None,
    themes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per theme (rows, then ``overall``): AGREEMENT_COLUMNS for two reviewers.

    ``pair`` names the two reviewers (needed only when more than two coded); ``themes``
    defaults to every theme either used on the events both coded. ``overall`` is pooled.
    """
    items = _codings(codings)
    first_name, second_name = _pair(items, pair)
    first, second = _coded(items, first_name), _coded(items, second_name)
    if themes is None:
        shared = set(first) & set(second)
        themes = {t for event in shared for t in first[event] | second[event]}
    rows = {theme: _cells(first, second, theme) for theme in sorted(themes, key=natural)}
    pooled = {cell: sum(row[cell] for row in rows.values()) for cell in CELLS}
    rows[OVERALL] = {"events": len(set(first) & set(second)), **pooled}
    for row in rows.values():
        row.update(cohen_kappa(row["both"], row["first_only"], row["second_only"], row["neither"]))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(AGREEMENT_COLUMNS))
    table.index.name = "theme"
    table.attrs["reviewers"] = (first_name, second_name)
    return table


def kappa(
    codings: Review | Iterable[Coding],
    theme: str | None = None,
    pair: Sequence[str] | None = None,
) -> float:
    """Cohen's kappa between two reviewers for one theme, or pooled over all (``theme=None``).

    NaN when it is undefined: no events coded by both, or no variation to agree on.
    """
    if theme is None:
        return float(agreement_table(codings, pair).at[OVERALL, "kappa"])
    return float(agreement_table(codings, pair, themes=[theme]).at[theme, "kappa"])
