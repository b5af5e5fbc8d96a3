"""Live aggregates over a cohort's frames: progress, answer distributions, misconceptions, steps.

Pure pandas over the tidy frames of ``toolkit.export.frames`` (passed in, never read here),
so a dashboard refresh is: read the store, build frames, call these. Every function accepts
empty frames and returns an empty, correctly shaped result — a room that has just joined
must not break the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.cases import Decision, Scenario
from toolkit.guidance import vocabulary
from toolkit.guidance.vocabulary import TELL_FAMILY, TIMINGS
from toolkit.scoring.responses import PLAN_FIELDS

STEP_IDS = tuple(f"S{n}" for n in range(1, 11))
DISTRIBUTION_COLUMNS = ["value", "text", "count", "share", "right"]


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def progress_summary(progress: pd.DataFrame) -> dict[str, int]:
    """Head counts for the room: joined, started a scenario, finished one."""
    learners = progress.groupby("learner") if len(progress) else None
    if learners is None:
        return {"joined": 0, "started": 0, "finished": 0}
    return {
        "joined": int(progress["learner"].nunique()),
        "started": int(learners["answered"].max().gt(0).sum()),
        "finished": int(learners["finished"].any().sum()),
    }


def _for_decision(answers: pd.DataFrame, scenario: str, decision: str) -> pd.DataFrame:
    return answers[(answers["scenario"] == scenario) & (answers["decision"] == decision)]


def option_distribution(answers: pd.DataFrame, scenario: str, decision: Decision) -> pd.DataFrame:
    """Choice or multi decision: how many picked (ticked) each option, best options marked.

    ``share`` is of the learners who answered the decision (for multi the shares can add up
    to more than 1: each learner ticks several).
    """
    mine = _for_decision(answers, scenario, decision.id)
    if decision.type == "choice":
        picks = mine["choice"].value_counts()
        best = max(o.points for o in decision.options)
        right = {o.id: o.points == best for o in decision.options}
    else:
        picks = mine["choices"].explode().value_counts()
        right = {o.id: o.points > 0 for o in decision.options}
    total = len(mine)
    rows = [
        (
            o.id,
            o.text,
            int(picks.get(o.id, 0)),
            picks.get(o.id, 0) / total if total else 0.0,
            right[o.id],
        )
        for o in decision.options
    ]
    return _frame(rows, DISTRIBUTION_COLUMNS)


def _plan_values(mine: pd.DataFrame, name: str) -> pd.Series:
    values = [plan.get(name) for plan in mine["plan"] if isinstance(plan, Mapping)]
    if name in ("items", "recipients"):
        return pd.Series([v for picked in values for v in (picked or [])], dtype=object)
    return pd.Series([str(v).lower() if isinstance(v, bool) else v for v in values], dtype=object)


def _plan_choices(decision: Decision, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, right) for every value a plan field can take."""
    plan, vocab = decision.plan, vocabulary()
    if name in ("items", "recipients"):
        return [(c.id, c.text, c.needed) for c in getattr(plan, name)]
    if name == "lawful_basis":
        return [(b, vocab.bases[b].name, b in plan.lawful_basis) for b in vocab.bases]
    if name == "condition":
        return [(c, vocab.conditions[c].name, c in plan.condition) for c in vocab.conditions]
    if name == "timing":
        return [(t, t.replace("-", " "), t == plan.timing) for t in TIMINGS]
    if name == "tell_family":
        return [(t, t.replace("-", " "), t == plan.tell_family) for t in TELL_FAMILY]
    return [("true", "recorded", plan.record), ("false", "not recorded", not plan.record)]


def plan_distribution(
    answers: pd.DataFrame, scenario: str, decision: Decision
) -> dict[str, pd.DataFrame]:
    """Share-plan decision: for each plan field, how many learners gave each value.

    Items and recipients count ticks (right = needed); the other fields count choices
    (right = accepted by the scenario's plan). Values nobody chose are kept with count 0,
    so a chart shows the options the room passed over.
    """
    mine = _for_decision(answers, scenario, decision.id)
    total = len(mine)
    out = {}
    for name in PLAN_FIELDS:
        counts = _plan_values(mine, name).value_counts()
        rows = [
            (
                value,
                label,
                int(counts.get(value, 0)),
                counts.get(value, 0) / total if total else 0.0,
                right,
            )
            for value, label, right in _plan_choices(decision, name)
        ]
        out[name] = _frame(rows, DISTRIBUTION_COLUMNS)
    return out


def misconception_counts(misconceptions: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The most common misconceptions: how many answers and how many learners showed each."""
    columns = ["misconception", "name", "answers", "learners"]
    if misconceptions.empty:
        return _frame([], columns)
    grouped = misconceptions.groupby("misconception").agg(
        answers=("answer_id", "nunique"), learners=("learner", "nunique")
    )
    grouped = grouped.sort_values(["learners", "answers"], ascending=False).head(top)
    names = vocabulary().misconceptions
    rows = [
        (m, names[m].name if m in names else m, int(r.answers), int(r.learners))
        for m, r in grouped.iterrows()
    ]
    return _frame(rows, columns)


def _scores(steps: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    sums = steps.groupby([*keys, "step"])[["positive", "negative"]].sum()
    weight = sums["positive"] + sums["negative"]
    score = (sums["positive"] / weight).where(weight > 0)
    return score.unstack("step").reindex(columns=list(STEP_IDS))


def step_heatmap(steps: pd.DataFrame, by: str = "learner") -> pd.DataFrame:
    """Rows (learners, or scenario/decision pairs) × S1–S10: the share of evidence that was
    positive, 0–1; NaN where a row gave no evidence on a step."""
    keys = ["learner"] if by == "learner" else ["scenario", "decision"]
    if steps.empty:
        index = pd.MultiIndex.from_tuples([], names=keys) if len(keys) > 1 else pd.Index([])
        return pd.DataFrame(index=index, columns=list(STEP_IDS), dtype=float)
    return _scores(steps, keys)


def step_profile(steps: pd.DataFrame) -> pd.DataFrame:
    """The cohort's profile across the ten steps: score, pieces of evidence, learners."""
    headings = vocabulary().steps
    rows = []
    for step in STEP_IDS:
        mine = steps[steps["step"] == step] if len(steps) else steps
        plus, minus = float(mine["positive"].sum()), float(mine["negative"].sum())
        score = plus / (plus + minus) if plus + minus else float("nan")
        label = headings[step].short or headings[step].heading if step in headings else step
        rows.append((step, label, score, int(mine["pieces"].sum()), int(mine["learner"].nunique())))
    return _frame(rows, ["step", "label", "score", "pieces", "learners"])


def answered_per_decision(answers: pd.DataFrame) -> dict[tuple[str, str], int]:
    """How many learners have answered each (scenario, decision) so far."""
    if answers.empty:
        return {}
    counts = answers.groupby(["scenario", "decision"])["learner"].nunique()
    return {key: int(n) for key, n in counts.items()}


@dataclass(frozen=True)
class Snapshot:
    """Everything the dashboard shows, computed in one pass over a cohort's frames."""

    summary: dict[str, int]
    progress: pd.DataFrame
    misconceptions: pd.DataFrame
    heatmap: pd.DataFrame
    decision_heatmap: pd.DataFrame
    profile: pd.DataFrame
    answered: dict[tuple[str, str], int]
    answers: pd.DataFrame

    def distribution(self, scenario: Scenario, decision_id: str) -> Any:
        """The selected decision's distribution: a frame, or plan field → frame."""
        decision = scenario.decision(decision_id)
        if decision.type == "share-plan":
            return plan_distribution(self.answers, scenario.id, decision)
        return option_distribution(self.answers, scenario.id, decision)


def snapshot(frames: Any, top: int = 5) -> Snapshot:
    """Aggregate a cohort's frames (``toolkit.export.frames.Frames``) for the dashboard."""
    return Snapshot(
        summary=progress_summary(frames.progress),
        progress=frames.progress,
        misconceptions=misconception_counts(frames.misconceptions, top),
        heatmap=step_heatmap(frames.steps, "learner"),
        decision_heatmap=step_heatmap(frames.steps, "decision"),
        profile=step_profile(frames.steps),
        answered=answered_per_decision(frames.answers),
        answers=frames.answers,
    )
