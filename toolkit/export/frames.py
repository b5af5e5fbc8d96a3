"""Stored results → tidy DataFrames: one row per answer, per answer-step, per misconception,
per learner's attempt. Exports write these; the live dashboard aggregates them.

Pure: the input is a cohort's record (plain rows, overrides already applied — see
``toolkit.workshop.cohorts.cohort_record``) and the case library's scenarios. List-valued
cells (concepts, ticked options) stay tuples here; writers join them for spreadsheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from toolkit.cases import Decision, Scenario
from toolkit.errors import SafeShareError
from toolkit.scoring.report import rationale_misconceptions
from toolkit.scoring.responses import PLAN_FIELDS

ANSWER_COLUMNS = [
    "answer_id",
    "attempt_id",
    "learner",
    "name",
    "scenario",
    "decision",
    "number",
    "type",
    "answered_at",
    "choice",
    "choices",
    "plan",
    "answer_text",
    "rationale",
    "points",
    "max_points",
    "rationale_points",
    "concepts",
    "misconceptions",
    "rationale_misconceptions",
    "auto_points",
    "auto_concepts",
    "auto_misconceptions",
    "moderated",
    "moderated_by",
    "moderation_reason",
    "finished",
    "ending",
]
STEP_COLUMNS = [
    "answer_id",
    "learner",
    "scenario",
    "decision",
    "step",
    "positive",
    "negative",
    "pieces",
]
MISCONCEPTION_COLUMNS = ["answer_id", "learner", "scenario", "decision", "misconception", "source"]
PROGRESS_COLUMNS = [
    "learner",
    "name",
    "scenario",
    "answered",
    "current",
    "current_number",
    "current_label",
    "finished",
    "ending",
    "last_active",
]


class CohortData(Protocol):
    """What the frames read: ``toolkit.workshop.cohorts.CohortRecord`` has this shape."""

    cohort: Mapping[str, Any]
    learners: Sequence[Mapping[str, Any]]
    attempts: Sequence[Mapping[str, Any]]
    answers: Sequence[Mapping[str, Any]]


def decision_label(decision: Decision, limit: int = 70) -> str:
    """A decision's title, or the first line of its prompt, short enough for a chart."""
    text = decision.title or next((ln for ln in decision.prompt.splitlines() if ln.strip()), "")
    text = text.strip().lstrip("#").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _find_decision(scenarios: Mapping[str, Scenario], row: Mapping[str, Any]) -> Decision | None:
    scenario = scenarios.get(row["scenario_id"])
    wanted = row["decision_id"]
    return next((d for d in scenario.decisions if d.id == wanted), None) if scenario else None


def answer_text(decision: Decision | None, answer: Mapping[str, Any]) -> str:
    """What the learner chose, in words: option texts, or the plan's fields."""
    options = {o.id: o.text for o in decision.options} if decision else {}
    if "choice" in answer:
        return options.get(answer["choice"], str(answer["choice"]))
    if "choices" in answer:
        return "; ".join(options.get(c, str(c)) for c in answer["choices"]) or "(none ticked)"
    plan = answer.get("plan") or {}
    parts = []
    for name in PLAN_FIELDS:
        value = plan.get(name)
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name}: {shown}")
    return "; ".join(parts)


def _answer_row(row: Mapping[str, Any], decision: Decision | None) -> dict[str, Any]:
    result, auto = row["result"], row.get("auto_result") or row["result"]
    answer = row["answer"]
    moderated = result.get("moderated") or {}
    return {
        "answer_id": row["id"],
        "attempt_id": row["attempt_id"],
        "learner": row["learner_id"],
        "name": row.get("display_name") or "",
        "scenario": row["scenario_id"],
        "decision": row["decision_id"],
        "number": row["seq"] + 1,
        "type": decision.type if decision else result.get("type", ""),
        "answered_at": row["created_at"],
        "choice": answer.get("choice"),
        "choices": tuple(answer.get("choices") or ()),
        "plan": answer.get("plan"),
        "answer_text": answer_text(decision, answer),
        "rationale": row.get("rationale") or "",
        "points": float(result.get("points", 0.0)),
        "max_points": float(result.get("max_points", row.get("max_points", 0.0))),
        "rationale_points": float((result.get("rationale") or {}).get("points", 0.0)),
        "concepts": tuple(result.get("concepts", ())),
        "misconceptions": tuple(result.get("misconceptions", ())),
        "rationale_misconceptions": rationale_misconceptions(result),
        "auto_points": float(auto.get("points", 0.0)),
        "auto_concepts": tuple(auto.get("concepts", ())),
        "auto_misconceptions": tuple(auto.get("misconceptions", ())),
        "moderated": bool(moderated),
        "moderated_by": moderated.get("by", ""),
        "moderation_reason": moderated.get("reason", ""),
        "finished": row.get("finished_at") is not None,
        "ending": row.get("ending") or "",
    }


def answers_frame(data: CohortData, scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row per stored answer, in the order answers arrived."""
    rows = [_answer_row(r, _find_decision(scenarios, r)) for r in data.answers]
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True)
    return frame


@dataclass(frozen=True)
class _Recorded:
    """The detection already stored with an answer (satisfies scoring's Detection)."""

    concepts: tuple[str, ...]
    misconceptions: tuple[str, ...]
    evidence: tuple = ()


def answer_evidence(scenario: Scenario, row: Mapping[str, Any]) -> tuple:
    """The step evidence of one stored answer, re-marked from the answer and its stored result.

    The rationale detector is not run again: the concepts (moderated if a trainer said so)
    and rationale misconceptions stored in ``result`` stand in for it, so the evidence
    follows exactly the scorer's rules at a fraction of the cost.
    """
    from toolkit.scoring.report import score_decision
    from toolkit.scoring.responses import parse_answer

    result = row["result"]
    decision = scenario.decision(row["decision_id"])
    answer = parse_answer(decision, row["answer"])
    recorded = _Recorded(tuple(result.get("concepts", ())), rationale_misconceptions(result))
    return score_decision(scenario, answer, lambda _text: recorded).marks.evidence


def step_totals(scenario: Scenario, row: Mapping[str, Any]) -> tuple[tuple, ...]:
    """(step, positive, negative, pieces) for one stored answer; () if it no longer fits."""
    try:
        evidence = answer_evidence(scenario, row)
    except (SafeShareError, StopIteration, KeyError):
        return ()
    totals: dict[str, list[float]] = {}
    for piece in evidence:
        if piece.weight != 0:
            plus, minus, count = totals.setdefault(piece.step, [0.0, 0.0, 0])
            totals[piece.step] = [
                plus + max(piece.weight, 0),
                minus + max(-piece.weight, 0),
                count + 1,
            ]
    return tuple((step, *values) for step, values in totals.items())


EvidenceCache = dict[tuple, tuple]


def steps_frame(
    data: CohortData, scenarios: Mapping[str, Scenario], cache: EvidenceCache | None = None
) -> pd.DataFrame:
    """One row per answer and step it gave evidence on: positive and negative weight, pieces.

    Answers that no longer fit their scenario (a case file changed after the session) give
    no evidence rather than breaking the dashboard. ``cache`` (a dict the caller keeps
    between refreshes) saves re-marking answers already seen: a stored answer never changes,
    and the key holds the concepts, so an override is marked afresh.
    """
    rows = []
    for row in data.answers:
        scenario = scenarios.get(row["scenario_id"])
        if scenario is None:
            continue
        result = row["result"]
        key = (
            row["id"],
            row["scenario_id"],
            tuple(result.get("concepts", ())),
            rationale_misconceptions(result),
        )
        totals = cache.get(key) if cache is not None else None
        if totals is None:
            totals = step_totals(scenario, row)
            if cache is not None:
                cache[key] = totals
        base = (row["id"], row["learner_id"], row["scenario_id"], row["decision_id"])
        rows.extend((*base, *values) for values in totals)
    return pd.DataFrame(rows, columns=STEP_COLUMNS)


def _source(result: Mapping[str, Any], misconception: str) -> str:
    sources = [
        str(e.get("source", "")) for e in result.get("evidence", []) if e.get("id") == misconception
    ]
    for kind in ("rationale", "plan", "option"):
        if any(kind in s for s in sources):
            return kind
    return "answer"


def misconceptions_frame(data: CohortData) -> pd.DataFrame:
    """One row per misconception shown in an answer, with where it showed."""
    rows = [
        (r["id"], r["learner_id"], r["scenario_id"], r["decision_id"], m, _source(r["result"], m))
        for r in data.answers
        for m in r["result"].get("misconceptions", ())
    ]
    return pd.DataFrame(rows, columns=MISCONCEPTION_COLUMNS)


def _position(scenario: Scenario | None, answers: list[Mapping[str, Any]]) -> str | None:
    """The decision (or ending) an attempt has reached, from its last answer."""
    from toolkit.scoring.responses import leads_to

    if scenario is None:
        return None
    if not answers:
        return scenario.decisions[0].id
    last = answers[-1]
    try:
        return leads_to(scenario, last["decision_id"], last["answer"].get("choice"))
    except (StopIteration, ValueError, IndexError):
        return None


def _progress_row(
    learner: Mapping[str, Any],
    attempt: Mapping[str, Any] | None,
    answers: list[Mapping[str, Any]],
    scenarios: Mapping[str, Scenario],
) -> dict[str, Any]:
    scenario = scenarios.get(attempt["scenario_id"]) if attempt else None
    current = _position(scenario, answers) if attempt else None
    endings = {e.id: e for e in scenario.endings} if scenario else {}
    finished = bool(attempt and (attempt.get("ending") or current in endings))
    label = ""
    if current in endings:
        label = f"Finished: {endings[current].title}"
    elif scenario and current:
        decision = next((d for d in scenario.decisions if d.id == current), None)
        label = decision_label(decision) if decision else current
    times = [a["created_at"] for a in answers] + [
        (attempt or {}).get("started_at"),
        learner.get("created_at"),
    ]
    return {
        "learner": learner["id"],
        "name": learner.get("display_name") or "",
        "scenario": attempt["scenario_id"] if attempt else None,
        "answered": len(answers),
        "current": current,
        "current_number": None if finished or not attempt else len(answers) + 1,
        "current_label": label,
        "finished": finished,
        "ending": (attempt or {}).get("ending") or (current if current in endings else ""),
        "last_active": max((t for t in times if t is not None), default=None),
    }


def progress_frame(data: CohortData, scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row per learner and attempt (a learner who joined but has not started: one row).

    ``current`` is the decision the learner is on (or the ending reached); ``current_number``
    counts decisions along their own path, so branching cases still read "decision 3".
    """
    by_attempt: dict[int, list[Mapping[str, Any]]] = {}
    for row in sorted(data.answers, key=lambda r: (r["attempt_id"], r["seq"])):
        by_attempt.setdefault(row["attempt_id"], []).append(row)
    attempts: dict[str, list[Mapping[str, Any]]] = {}
    for attempt in data.attempts:
        attempts.setdefault(attempt["learner_id"], []).append(attempt)
    rows = []
    for learner in data.learners:
        mine = attempts.get(learner["id"]) or [None]
        for attempt in mine:
            found = by_attempt.get(attempt["id"], []) if attempt else []
            rows.append(_progress_row(learner, attempt, found, scenarios))
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    frame["last_active"] = pd.to_datetime(frame["last_active"], utc=True)
    return frame


@dataclass(frozen=True)
class Frames:
    """A cohort's tidy frames, built together from one read of the store."""

    answers: pd.DataFrame
    steps: pd.DataFrame
    misconceptions: pd.DataFrame
    progress: pd.DataFrame


def cohort_frames(
    data: CohortData, scenarios: Mapping[str, Scenario], cache: EvidenceCache | None = None
) -> Frames:
    """All four frames of a cohort's record (``cache``: see :func:`steps_frame`)."""
    return Frames(
        answers=answers_frame(data, scenarios),
        steps=steps_frame(data, scenarios, cache),
        misconceptions=misconceptions_frame(data),
        progress=progress_frame(data, scenarios),
    )
