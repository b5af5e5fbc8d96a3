"""Rationale marks: what a learner's free-text reasoning earns, given what the detector found.

Detection itself (concepts, misconceptions, the words behind each) belongs to
:mod:`toolkit.scoring.rationale`; this module only turns a detection into marks:

- points = the sum of ``expect`` weights of the expected concepts found (so never more than
  the sum of all weights, the rationale's maximum);
- every concept found, expected or not, is +1 evidence on each of its steps; every
  misconception found is -1 on each of its steps (and is listed, and corrected kindly);
- a rationale shorter than ``min_words`` still earns what it shows, with a line asking for
  more; a missing rationale earns 0 of the maximum, with a line inviting one;
- each expected concept not found gets a nudge citing its steps.

A rationale given for a decision that asks for none is still read — its concepts and
misconceptions are evidence — but earns no points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from toolkit.cases.model import Decision
from toolkit.scoring import feedback
from toolkit.scoring.limits import first_per_label
from toolkit.scoring.marks import Marks, Trigger, on_steps, unique
from toolkit.scoring.profile import concept_steps, misconception_steps


class Span(Protocol):
    id: str
    text: str
    start: int
    end: int


class Detection(Protocol):
    """What :func:`toolkit.scoring.rationale.analyse` returns (its ``RationaleResult``)."""

    concepts: Sequence[str]
    misconceptions: Sequence[str]
    evidence: Sequence[Span]


Analyser = Callable[[str], Detection]


def rationale_max(decision: Decision) -> float:
    """The most a decision's rationale can earn: the sum of its expected concepts' weights."""
    return float(sum(decision.rationale.expect.values())) if decision.rationale else 0.0


def word_count(text: str) -> int:
    return len(text.split())


def mark_rationale(decision: Decision, text: str | None, analyse: Analyser) -> Marks:
    """Mark the rationale part of one answer (see the module docstring for the rules)."""
    spec, most = decision.rationale, rationale_max(decision)
    if not text or not text.strip():
        if spec is None:
            return Marks(0.0, 0.0)
        lines = (feedback.no_rationale_line(most),)
        return Marks(0.0, most, feedback=lines, detail={"rationale": _detail(0.0, most, 0)})
    found = analyse(text)
    concepts, misconceptions = unique(found.concepts), unique(found.misconceptions)
    expect = spec.expect if spec else {}
    points = min(most, float(sum(expect.get(c, 0) for c in concepts)))
    source = f"{decision.id} rationale"
    evidence = tuple(
        piece for c in concepts for piece in on_steps(concept_steps(c), 1, f"{source} {c}")
    ) + tuple(
        piece
        for m in misconceptions
        for piece in on_steps(misconception_steps(m), -1, f"{source} {m}")
    )
    spans = first_per_label(found.evidence)
    triggers = tuple(Trigger(e.id, e.text, source, e.start, e.end) for e in spans)
    words = word_count(text)
    lines: list[str] = []
    if spec and words < spec.min_words:
        lines.append(feedback.short_rationale_line(words, spec.min_words))
    lines.extend(feedback.missing_concept_line(c) for c in expect if c not in concepts)
    lines.extend(feedback.misconception_line(m) for m in misconceptions)
    return Marks(
        points,
        most,
        evidence,
        concepts,
        misconceptions,
        triggers,
        tuple(lines),
        {"rationale": _detail(points, most, words)},
    )


def _detail(points: float, most: float, words: int) -> dict[str, float | int]:
    return {"points": round(points, 3), "max_points": most, "words": words}
