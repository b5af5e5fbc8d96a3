"""The per-step profile: how an attempt's evidence stands against each of the ICO's ten steps.

A step's score is the share of its evidence weight that is positive,
``positive / (positive + negative)``, from 0 (only missed) to 1 (only shown); ``evidence``
counts the pieces. Steps with no evidence are left out rather than shown as 0 — an attempt
that never touched S6 says nothing about S6.

Sources of evidence (each piece built where the answer is marked):

- an option's ``evidence`` signs (``{S5: 1, S4: -1}``), for the chosen or ticked options;
- each share-plan field, ``2 × mark − 1`` on its steps (items → S2/S7, recipients →
  S2/S5, basis and condition → S8, timing → S5, and S9 when "now" is due, telling the
  family → S4, record → S3/S7; see :mod:`toolkit.scoring.share_plan`);
- each concept found in a rationale: +1 to each of the concept's steps;
- each misconception found in a rationale: -1 to each of its steps.

Misconceptions that come from an option or a plan field add no evidence of their own: the
option's signs and the field's mark already count the miss, and counting it twice would
let one wrong click outweigh everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from toolkit.guidance import vocabulary
from toolkit.scoring.marks import StepEvidence

# Used only while the vocabulary's misconception records carry no `steps`: the step each
# belief most directly contradicts (dossier §3; the ICO 10 step guide, Information sharing advice).
FALLBACK_MISCONCEPTION_STEPS: dict[str, tuple[str, ...]] = {
    "M-consent-always": ("S4", "S8"),
    "M-dp-barrier": ("S1",),
    "M-wait-for-proof": ("S5",),
    "M-assume-others-know": ("S2", "S5"),
    "M-tell-family-always": ("S4",),
    "M-share-everything": ("S2", "S7"),
    "M-no-record": ("S3", "S7"),
    "M-paperwork-first": ("S9",),
    "M-confidentiality-absolute": ("S1", "S8"),
}


def misconception_steps(misconception_id: str) -> tuple[str, ...]:
    """The steps a misconception works against: the vocabulary's, else the fallback table."""
    record = vocabulary().misconceptions.get(misconception_id)
    if record is not None and record.steps:
        return tuple(record.steps)
    return FALLBACK_MISCONCEPTION_STEPS.get(misconception_id, ())


def concept_steps(concept_id: str) -> tuple[str, ...]:
    """The steps a reasoning concept shows (CASE_FORMAT §1)."""
    record = vocabulary().concepts.get(concept_id)
    return tuple(record.steps) if record else ()


@dataclass(frozen=True)
class StepScore:
    """One step's standing: score 0–1 and how many pieces of evidence it rests on."""

    score: float
    evidence: int
    positive: float
    negative: float

    def to_dict(self) -> dict[str, float | int]:
        return {"score": round(self.score, 3), "evidence": self.evidence}


@lru_cache(maxsize=256)
def natural(step_id: str) -> tuple:
    """Sort key that puts S2 before S10 (memoised: it runs for every piece of evidence)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", step_id))


def step_profile(evidence: Iterable[StepEvidence]) -> dict[str, StepScore]:
    """Fold evidence into one :class:`StepScore` per step that has any, in S1…S10 order."""
    positive: dict[str, float] = {}
    negative: dict[str, float] = {}
    count: dict[str, int] = {}
    for piece in evidence:
        if piece.weight == 0:
            continue
        count[piece.step] = count.get(piece.step, 0) + 1
        side = positive if piece.weight > 0 else negative
        side[piece.step] = side.get(piece.step, 0.0) + abs(piece.weight)
    profile = {}
    for step in sorted(count, key=natural):
        plus, minus = positive.get(step, 0.0), negative.get(step, 0.0)
        profile[step] = StepScore(plus / (plus + minus), count[step], plus, minus)
    return profile
