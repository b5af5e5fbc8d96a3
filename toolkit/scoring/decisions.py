"""Decision types, one registry entry each: how an answer of that type is marked, and its maximum.

- **choice** — the chosen option's points; the maximum is the best option's points. The
  option's evidence, misconception and feedback pass straight through.
- **multi** ("tick all that apply") — the sum of the ticked options' points minus the
  ticked options' penalties, floored at 0; the maximum is the sum of all positive points.
  An option's penalty is its ``penalty`` when the author wrote one. Otherwise a 0-point
  option that the author marked as harmful — it carries a misconception or a negative
  evidence sign — costs :data:`HARMFUL_PICK` (1), so ticking every box never pays; a
  0-point option with neither is a neutral distractor and costs nothing. Authors can write
  ``penalty: 0`` to switch the default off.
- **share-plan** — field by field, see :mod:`toolkit.scoring.share_plan`.

A new decision type is one new :class:`DecisionKind` in :data:`KINDS` (plus its parser in
:mod:`toolkit.scoring.responses` and its model/poor answers in :mod:`toolkit.scoring.answers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from toolkit.cases.model import Decision, Option
from toolkit.scoring.marks import Marks, Trigger, signed, unique
from toolkit.scoring.responses import Answer
from toolkit.scoring.share_plan import PLAN_MAX, mark_plan

HARMFUL_PICK = 1.0


@dataclass(frozen=True)
class DecisionKind:
    """How to mark one answer of a decision type, and the most that type can earn."""

    mark: Callable[[Decision, Answer], Marks]
    max_points: Callable[[Decision], float]


def penalty(option: Option) -> float:
    """Points lost for ticking ``option`` in a multi decision (see the module docstring)."""
    if "penalty" in option.model_fields_set:
        return option.penalty
    harmful = option.misconception is not None or any(v < 0 for v in option.evidence.values())
    return HARMFUL_PICK if option.points == 0 and harmful else 0.0


def _option_marks(decision: Decision, option: Option, points: float, feedback: str) -> Marks:
    source = f"{decision.id} option {option.id}"
    found = (option.misconception,) if option.misconception else ()
    triggers = tuple(Trigger(m, option.text, source) for m in found)
    return Marks(points, 0.0, signed(option.evidence, source), (), found, triggers, (feedback,))


def choice_max(decision: Decision) -> float:
    return max(option.points for option in decision.options)


def mark_choice(decision: Decision, answer: Answer) -> Marks:
    """The chosen option's points, evidence, misconception and feedback."""
    option = next(o for o in decision.options if o.id == answer.choice)
    marks = _option_marks(decision, option, option.points, option.feedback)
    best = [o.id for o in decision.options if o.points == choice_max(decision)]
    detail = {"choice": option.id, "best": best}
    return replace(marks, max_points=choice_max(decision), detail=detail)


def multi_max(decision: Decision) -> float:
    return sum(option.points for option in decision.options if option.points > 0)


def mark_multi(decision: Decision, answer: Answer) -> Marks:
    """Ticked options' points less their penalties (floor 0); a line for each missed right one."""
    ticked = [o for o in decision.options if o.id in answer.choices]
    parts = [
        _option_marks(decision, o, o.points - penalty(o), f"You ticked “{o.text}”: {o.feedback}")
        for o in ticked
    ]
    missed = [o for o in decision.options if o.points > 0 and o.id not in answer.choices]
    lines = tuple(f"You did not tick “{o.text}”: {o.feedback}" for o in missed)
    raw = sum(p.points for p in parts)
    detail = {
        "choices": [o.id for o in ticked],
        "correct": [o.id for o in decision.options if o.points > 0],
        "penalties": sum(penalty(o) for o in ticked),
    }
    return Marks(
        points=max(0.0, raw),
        max_points=multi_max(decision),
        evidence=tuple(e for p in parts for e in p.evidence),
        misconceptions=unique(m for p in parts for m in p.misconceptions),
        triggers=tuple(t for p in parts for t in p.triggers),
        feedback=tuple(f for p in parts for f in p.feedback) + lines,
        detail=detail,
    )


def mark_share_plan(decision: Decision, answer: Answer) -> Marks:
    """The plan marked field by field against the decision's ideal plan."""
    return mark_plan(decision.plan, answer.plan, decision.id)


KINDS: dict[str, DecisionKind] = {
    "choice": DecisionKind(mark_choice, choice_max),
    "multi": DecisionKind(mark_multi, multi_max),
    "share-plan": DecisionKind(mark_share_plan, lambda decision: PLAN_MAX),
}


def mark_answer(decision: Decision, answer: Answer) -> Marks:
    """Mark the answer part (not the rationale) of one answer with its decision type's marker."""
    return KINDS[decision.type].mark(decision, answer)


def answer_max(decision: Decision) -> float:
    """The most the answer part of ``decision`` can earn (rationale not included)."""
    return KINDS[decision.type].max_points(decision)
