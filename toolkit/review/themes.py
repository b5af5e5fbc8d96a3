"""Failure themes (T1–T20) and guidance steps (S1–S10) counted across many reviews.

A review **labels** a theme or step through its missed entries and its findings. Counting
``reviews`` (the default) asks "in how many reviews does T4 appear?" — one review counts
once however often it repeats a theme; counting ``mentions`` adds up every missed entry and
finding that carries it. By ``sector``, a review counts under each of its ``sectors`` (or,
when it lists none, each sector of its agencies), so sector columns may sum to more than the
total. These are counts over the reviews you load, not national frequencies: no published
source gives those (see the dossier's counting caveat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import pandas as pd

from toolkit.cases.model import Review
from toolkit.guidance import vocabulary
from toolkit.guidance.notifications import COUNTS, serious_incident_notifications

Count = Literal["reviews", "mentions"]
ITEM_COLUMNS = ("review", "nation", "sectors", "source", "ref", "themes", "steps")


def review_sectors(review: Review) -> tuple[str, ...]:
    """The review's sectors, or its agencies' sectors (first-seen order) if it lists none."""
    sectors = review.sectors or [agency.sector for agency in review.agencies]
    return tuple(dict.fromkeys(sectors))


def labelled_items(reviews: Iterable[Review]) -> pd.DataFrame:
    """One row per missed entry and per finding (ITEM_COLUMNS), with its themes and steps.

    ``source`` is ``missed`` or ``finding``; ``ref`` is ``event→agency`` or the finding id.
    """
    rows = []
    for review in reviews:
        base = {"review": review.id, "nation": review.nation, "sectors": review_sectors(review)}
        for event in review.chronology:
            for miss in event.missed:
                rows.append(
                    base
                    | {"source": "missed", "ref": f"{event.id}→{miss.to}"}
                    | {"themes": tuple(miss.themes), "steps": tuple(miss.steps)}
                )
        for finding in review.findings:
            rows.append(
                base
                | {"source": "finding", "ref": finding.id}
                | {"themes": tuple(finding.themes), "steps": tuple(finding.steps)}
            )
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _label(record: object) -> str:
    """A theme's name, or a step's short title (its published heading if it has none)."""
    for attribute in ("name", "short", "heading"):
        if getattr(record, attribute, ""):
            return getattr(record, attribute)
    return ""


def _by_nation(items: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    return items.assign(group=items["nation"]), list(vocabulary().nations)


def _by_sector(items: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    exploded = items.assign(group=items["sectors"]).explode("group").dropna(subset=["group"])
    return exploded, list(vocabulary().sectors)


GROUPINGS: dict[str, Callable[[pd.DataFrame], tuple[pd.DataFrame, list[str]]]] = {
    "nation": _by_nation,
    "sector": _by_sector,
}


def _counts(labels: pd.DataFrame, columns: list[str], count: Count) -> pd.Series | pd.DataFrame:
    if count == "reviews":
        labels = labels.drop_duplicates(["review", *columns])
    if len(columns) == 1:
        return labels.groupby(columns[0]).size()
    return labels.groupby(columns).size().unstack(fill_value=0)


def _frequencies(
    reviews: Iterable[Review], key: str, ids: dict, by: str | None, count: Count
) -> pd.DataFrame:
    if count not in ("reviews", "mentions"):
        raise ValueError(f"count must be 'reviews' or 'mentions', not {count!r}")
    items = labelled_items(reviews).explode(key).dropna(subset=[key])
    labels = items.rename(columns={key: "label"})
    table = pd.DataFrame(index=pd.Index(list(ids), name=key.removesuffix("s")))
    table["name"] = [_label(record) for record in ids.values()]
    if by is not None:
        if by not in GROUPINGS:
            raise ValueError(f"by must be one of {sorted(GROUPINGS)} or None, not {by!r}")
        grouped, order = GROUPINGS[by](labels)
        wide = _counts(grouped, ["label", "group"], count)
        present = [g for g in order if g in wide.columns]
        present += sorted(set(wide.columns) - set(order))
        table = table.join(wide.reindex(columns=present))
    table["total"] = _counts(labels, ["label"], count)
    return table.fillna(0).astype({c: int for c in table.columns if c != "name"})


def theme_frequencies(
    reviews: Iterable[Review], by: str | None = "nation", count: Count = "reviews"
) -> pd.DataFrame:
    """Themes T1–T20 (rows, all of them) × ``name``, one column per nation or sector
    present (``by``; None for the total only), and ``total``. See the module note."""
    return _frequencies(reviews, "themes", vocabulary().themes, by, count)


def step_frequencies(
    reviews: Iterable[Review], by: str | None = "nation", count: Count = "reviews"
) -> pd.DataFrame:
    """Steps S1–S10 counted as ``theme_frequencies`` counts themes."""
    return _frequencies(reviews, "steps", vocabulary().steps, by, count)


def theme_step_matrix(reviews: Iterable[Review]) -> pd.DataFrame:
    """Themes × steps: how many missed entries and findings carry both (T1–T20 × S1–S10)."""
    items = labelled_items(reviews).explode("themes").explode("steps")
    items = items.dropna(subset=["themes", "steps"])
    table = pd.crosstab(items["themes"], items["steps"])
    themes, steps = list(vocabulary().themes), list(vocabulary().steps)
    table = table.reindex(index=themes, columns=steps, fill_value=0)
    table.index.name, table.columns.name = "theme", "step"
    return table


def sin_context_frame() -> pd.DataFrame:
    """England's serious incident notifications by reporting year, as context for the
    cross-review counts (guidance data from dossier §6.1; see its provenance notes).

    Index ``year`` ("2020-21", oldest first); nullable integer columns ``total``,
    ``child_death``, ``serious_harm``, ``other`` (NA where no source gave a figure); ``note``
    and ``source`` as text. The missing year is kept as a row so charts show the gap.
    """
    frame = pd.DataFrame(serious_incident_notifications()).set_index("year")
    return frame.astype({count: "Int64" for count in COUNTS})
