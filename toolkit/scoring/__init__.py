"""Scoring: a learner's answers marked against the ten steps, every point explained.

Public names are loaded on first use, so importing ``toolkit.scoring`` (for a type, say)
does not compile the rationale detector or read the vocabulary.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "score_attempt": "toolkit.scoring.report",
    "ScoreReport": "toolkit.scoring.report",
    "DecisionScore": "toolkit.scoring.report",
    "parse_responses": "toolkit.scoring.responses",
    "Responses": "toolkit.scoring.responses",
    "Answer": "toolkit.scoring.responses",
    "PlanAnswer": "toolkit.scoring.responses",
    "model_answer": "toolkit.scoring.answers",
    "poor_answer": "toolkit.scoring.answers",
    "score_file": "toolkit.scoring.fileio",
    "read_responses": "toolkit.scoring.fileio",
    "step_profile": "toolkit.scoring.profile",
    "StepScore": "toolkit.scoring.profile",
    "analyse": "toolkit.scoring.rationale",
    "RationaleResult": "toolkit.scoring.rationale",
}

__all__ = [
    "Answer",
    "DecisionScore",
    "PlanAnswer",
    "RationaleResult",
    "Responses",
    "ScoreReport",
    "StepScore",
    "analyse",
    "model_answer",
    "parse_responses",
    "poor_answer",
    "read_responses",
    "score_attempt",
    "score_file",
    "step_profile",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from toolkit.scoring.answers import model_answer, poor_answer
    from toolkit.scoring.fileio import read_responses, score_file
    from toolkit.scoring.profile import StepScore, step_profile
    from toolkit.scoring.rationale import RationaleResult, analyse
    from toolkit.scoring.report import DecisionScore, ScoreReport, score_attempt
    from toolkit.scoring.responses import Answer, PlanAnswer, Responses, parse_responses


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'toolkit.scoring' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
