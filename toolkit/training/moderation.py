"""Trainers teach the detector: moderation overrides turned into labelled examples.

When a trainer moderates a rationale they say which concepts (and, if they choose,
misconceptions) it really shows. Each answer's latest override becomes one row in the
corpus shape (:mod:`toolkit.training.corpus`), with the cohort as its author, so
``safeshare detector train --with-moderation FILE`` folds trainers' judgements in and
``safeshare detector eval`` holds each cohort out like any other author.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from toolkit.scoring.report import rationale_misconceptions
from toolkit.storage import Store
from toolkit.training.corpus import Example
from toolkit.workshop.moderation import latest_by_answer

SELF_STUDY = "self-study"  # the author name for overrides of answers outside any cohort
# A trainer's considered judgement of a real learner's words counts as much as this many
# corpus rows when the detector is fitted (see toolkit.training.fit: row weights).
WEIGHT = 10.0


def _stamp(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def examples_from(rows: Iterable[Mapping[str, Any]]) -> list[Example]:
    """Examples from :meth:`Store.moderated_rationales` rows: the latest override per answer."""
    latest = latest_by_answer(rows)
    out = []
    for answer_id, row in sorted(latest.items()):
        text = row.get("rationale") or ""
        if not text.strip():
            continue
        judged = row.get("misconceptions")
        misconceptions = (
            rationale_misconceptions(row.get("result") or {}) if judged is None else judged
        )
        cohort = row.get("cohort") or SELF_STUDY
        out.append(
            Example(
                id=f"mod-{answer_id}",
                author=f"moderation:{cohort}",
                text=text,
                concepts=frozenset(row.get("concepts") or ()),
                misconceptions=frozenset(misconceptions),
                meta={
                    "cohort": cohort,
                    "date": _stamp(row.get("created_at")),
                    "source": "moderation",
                    "weight": WEIGHT,
                },
            )
        )
    return out


def export_moderation(store: Store, cohort_code: str | None = None) -> list[Example]:
    """Every rationale a trainer moderated (in one cohort, or all), as labelled examples."""
    cohort_id = store.find_cohort(cohort_code)["id"] if cohort_code else None
    return examples_from(store.moderated_rationales(cohort_id))
