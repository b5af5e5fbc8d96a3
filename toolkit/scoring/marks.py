"""Marks: what one part of an answer (an option, a plan, a rationale) earned and showed.

Every marker — the decision-type registry, the share-plan fields, the rationale — returns
:class:`Marks`, so the report can add parts together without knowing where they came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StepEvidence:
    """One piece of evidence about a guidance step: +weight shows it, -weight missed it.

    ``source`` says where it came from (``d1 option b``, ``d3 plan items``,
    ``d1 rationale C-timely``) so a trainer can trace a profile bar back to an answer.
    """

    step: str
    weight: float
    source: str


@dataclass(frozen=True)
class Trigger:
    """Why a concept or misconception was credited: the words (or option/plan value) behind it.

    ``start``/``end`` are character offsets into the rationale when the trigger is text the
    learner wrote; None when it is an option's text or a plan value.
    """

    id: str
    text: str
    source: str
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "source": self.source}
        if self.start is not None:
            out.update(start=self.start, end=self.end)
        return out


@dataclass(frozen=True)
class Marks:
    """Points out of a maximum, with the evidence, ids, feedback and detail behind them."""

    points: float
    max_points: float
    evidence: tuple[StepEvidence, ...] = ()
    concepts: tuple[str, ...] = ()
    misconceptions: tuple[str, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    feedback: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)


def unique(ids: Iterable[str]) -> tuple[str, ...]:
    """Ids in first-seen order without repeats: stable lists for reports and goldens."""
    return tuple(dict.fromkeys(ids))


def combine(parts: Iterable[Marks]) -> Marks:
    """Add parts together: points and maxima sum, lists concatenate (ids without repeats)."""
    parts = list(parts)
    return Marks(
        points=sum(p.points for p in parts),
        max_points=sum(p.max_points for p in parts),
        evidence=tuple(e for p in parts for e in p.evidence),
        concepts=unique(c for p in parts for c in p.concepts),
        misconceptions=unique(m for p in parts for m in p.misconceptions),
        triggers=tuple(t for p in parts for t in p.triggers),
        feedback=tuple(f for p in parts for f in p.feedback),
    )


def signed(evidence: Mapping[str, float], source: str) -> tuple[StepEvidence, ...]:
    """An ``{S5: 1, S4: -1}`` mapping as evidence records from ``source``."""
    return tuple(StepEvidence(step, weight, source) for step, weight in evidence.items())


def on_steps(steps: Iterable[str], weight: float, source: str) -> tuple[StepEvidence, ...]:
    """The same weight of evidence for each of ``steps``."""
    return tuple(StepEvidence(step, weight, source) for step in steps)
