"""The views a cohort is exported as — answers, step profile, misconceptions, progress — one
sheet each in a workbook, or one CSV.

Built from a cohort's frames (``toolkit.export.frames``) with the live aggregates, so an
export shows the same figures the trainer saw on the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary
from toolkit.scoring.responses import PLAN_FIELDS
from toolkit.workshop.live import STEP_IDS, misconception_counts, step_heatmap, step_profile

ANSWER_VIEW = [
    "learner",
    "name",
    "scenario",
    "decision",
    "number",
    "answered_at",
    "answer_text",
    "choice",
    "choices",
    *(f"plan_{f}" for f in PLAN_FIELDS),
    "rationale",
    "points",
    "max_points",
    "concepts",
    "misconceptions",
    "moderated",
    "moderated_by",
    "moderation_reason",
    "auto_points",
    "auto_concepts",
    "finished",
    "ending",
]


def answers_view(frames: Any) -> pd.DataFrame:
    """Every answer, one row each, with a share-plan's fields in their own columns."""
    answers = frames.answers.copy()
    for name in PLAN_FIELDS:
        answers[f"plan_{name}"] = [
            plan.get(name) if isinstance(plan, dict) else None for plan in answers["plan"]
        ]
    return answers[ANSWER_VIEW].rename(columns={"answered_at": "answered_at_utc"})


def step_profile_view(frames: Any) -> pd.DataFrame:
    """Learners × S1–S10 (share of evidence positive, 0–1), then the whole cohort's row."""
    per_learner = step_heatmap(frames.steps, "learner")
    names = dict(zip(frames.progress["learner"], frames.progress["name"], strict=False))
    rows = [
        {"learner": learner, "name": names.get(learner, ""), **values.to_dict()}
        for learner, values in per_learner.iterrows()
    ]
    profile = step_profile(frames.steps).set_index("step")
    rows.append({"learner": "(cohort)", "name": "", **profile["score"].to_dict()})
    rows.append({"learner": "(evidence pieces)", "name": "", **profile["pieces"].to_dict()})
    return pd.DataFrame(rows, columns=["learner", "name", *STEP_IDS])


def misconceptions_view(frames: Any) -> pd.DataFrame:
    """Every misconception the cohort showed, most common first, with its correction."""
    counts = misconception_counts(frames.misconceptions, top=len(vocabulary().misconceptions))
    vocab = vocabulary().misconceptions
    counts["correction"] = [
        vocab[m].correction if m in vocab else "" for m in counts["misconception"]
    ]
    return counts


def progress_view(frames: Any) -> pd.DataFrame:
    """Where each learner is: scenario, decisions answered, current decision, finished."""
    return frames.progress.rename(columns={"last_active": "last_active_utc"})


VIEWS: dict[str, Callable[[Any], pd.DataFrame]] = {
    "answers": answers_view,
    "step profile": step_profile_view,
    "misconceptions": misconceptions_view,
    "progress": progress_view,
}


def export_views(frames: Any, names: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """The named views (all of them by default), in registry order."""
    wanted = names or tuple(VIEWS)
    unknown = [n for n in wanted if n not in VIEWS]
    if unknown:
        raise SafeShareError(f"unknown view(s): {', '.join(unknown)} (known: {', '.join(VIEWS)})")
    return {name: VIEWS[name](frames) for name in wanted}
