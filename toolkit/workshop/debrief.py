"""Debrief: one decision at a time for the projector, with nothing that identifies a learner.

A debrief view holds the room's answer distribution, a few rationales the trainer picked
(redacted: learners' names and ids, and anything the anonymisation detectors flag, become
placeholders), the guidance steps behind the decision, the misconceptions the room showed
with their corrections, and the scenario's debrief notes for trainers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.cases import Scenario
from toolkit.guidance import vocabulary
from toolkit.workshop.live import option_distribution, plan_distribution

SAMPLE_MAX = 6


def redact(text: str, names: Iterable[str]) -> str:
    """``text`` with learners' names and ids, and personal data the detectors find, replaced.

    A learner may sign a rationale or name a colleague; on a projector that must not show.
    """
    from toolkit.anonymise import scan

    for match in sorted(scan(text), key=lambda m: m.start, reverse=True):
        text = text[: match.start] + f"[{match.kind}]" + text[match.end :]
    words = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    for word in words:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", "[name]", text, flags=re.IGNORECASE)
    return text


def _identifiers(answers: pd.DataFrame) -> set[str]:
    names = set(answers["learner"]) | set(answers["name"])
    # A display name's separate words too ("Sam Jones" → "Sam", "Jones").
    return names | {part for n in answers["name"] for part in str(n).split() if len(part) >= 3}


def rationale_candidates(answers: pd.DataFrame, scenario_id: str, decision_id: str) -> pd.DataFrame:
    """The decision's rationales for the trainer to choose samples from: redacted text,
    points, concepts; highest scoring first. ``answer_id`` stays for the trainer's choice."""
    columns = ["answer_id", "text", "points", "max_points", "concepts"]
    mine = answers[
        (answers["scenario"] == scenario_id)
        & (answers["decision"] == decision_id)
        & (answers["rationale"].str.strip() != "")
    ]
    if mine.empty:
        return pd.DataFrame([], columns=columns)
    hidden = _identifiers(answers)
    out = pd.DataFrame(
        {
            "answer_id": mine["answer_id"],
            "text": [redact(t, hidden) for t in mine["rationale"]],
            "points": mine["points"],
            "max_points": mine["max_points"],
            "concepts": mine["concepts"],
        }
    )
    return out.sort_values(["points", "answer_id"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Guidance:
    """One guidance step behind a decision, in the toolkit's own words."""

    step: str
    heading: str
    summary: str
    key_points: tuple[str, ...]


@dataclass(frozen=True)
class Debrief:
    """What the projector shows for one decision. No learner names, ids or answer ids."""

    scenario_title: str
    number: int
    of: int
    label: str
    prompt: str
    type: str
    answered: int
    distribution: Any
    samples: tuple[str, ...]
    guidance: tuple[Guidance, ...]
    misconceptions: tuple[tuple[str, str, int], ...]
    notes: str
    model_rationale: str | None


def _guidance(step_ids: Sequence[str]) -> tuple[Guidance, ...]:
    steps = vocabulary().steps
    return tuple(
        Guidance(s, steps[s].heading, steps[s].summary, tuple(steps[s].key_points[:3]))
        for s in step_ids
        if s in steps
    )


def _misconceptions(found: pd.DataFrame, scenario_id: str, decision_id: str) -> tuple:
    """(name, correction, learners) for each misconception shown at this decision."""
    if found.empty:
        return ()
    mine = found[(found["scenario"] == scenario_id) & (found["decision"] == decision_id)]
    counts = mine.groupby("misconception")["learner"].nunique().sort_values(ascending=False)
    vocab = vocabulary().misconceptions
    return tuple(
        (vocab[m].name, vocab[m].correction or vocab[m].belief, int(n))
        for m, n in counts.items()
        if m in vocab
    )


def debrief_view(
    answers: pd.DataFrame,
    misconceptions: pd.DataFrame,
    scenario: Scenario,
    decision_id: str,
    chosen: Sequence[int] = (),
) -> Debrief:
    """The debrief of one decision; ``chosen`` are answer ids of the samples the trainer picked."""
    decision = scenario.decision(decision_id)
    mine = answers[(answers["scenario"] == scenario.id) & (answers["decision"] == decision_id)]
    if decision.type == "share-plan":
        distribution = plan_distribution(answers, scenario.id, decision)
    else:
        distribution = option_distribution(answers, scenario.id, decision)
    candidates = rationale_candidates(answers, scenario.id, decision_id)
    picked = candidates[candidates["answer_id"].isin(list(chosen))]["text"].head(SAMPLE_MAX)
    ids = [d.id for d in scenario.decisions]
    return Debrief(
        scenario_title=scenario.title,
        number=ids.index(decision_id) + 1,
        of=len(ids),
        label=decision.title or "",
        prompt=decision.prompt,
        type=decision.type,
        answered=int(mine["learner"].nunique()),
        distribution=distribution,
        samples=tuple(picked),
        guidance=_guidance(decision.steps),
        misconceptions=_misconceptions(misconceptions, scenario.id, decision_id),
        notes=scenario.debrief,
        model_rationale=decision.rationale.model if decision.rationale else None,
    )
