"""xAPI statements for an organisation's learning record store (LRS): one per answer, one per
finished attempt.

The actor is a pseudonymous account (``homePage`` + the learner's random id): no names or
e-mails leave SafeShare. Statement ids are UUIDs derived from the stored rows, so exporting
the same cohort twice gives the same ids and an LRS keeps one copy. Verbs are the ADL ones
(answered, completed); activities are IRIs under the SafeShare home page, one per scenario
and per decision.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Mapping
from typing import Any

import pandas as pd

from toolkit.cases import Decision, Scenario

XAPI_VERSION = "1.0.3"
LANGUAGE = "en-GB"
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
INTERACTION_TYPES = {"choice": "choice", "multi": "choice", "share-plan": "other"}
NAMESPACE = uuid.UUID("9b1f4f0e-7c39-4f4e-9d7a-5af3a1c0b7e2")  # SafeShare's own, fixed


def _iso(value: Any) -> str:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat().replace("+00:00", "Z")


def _lang(text: str) -> dict[str, str]:
    return {LANGUAGE: text}


class Activities:
    """Activity and extension IRIs under one home page."""

    def __init__(self, home_page: str):
        self.home_page = home_page.rstrip("/")

    def scenario(self, scenario_id: str) -> str:
        return f"{self.home_page}/xapi/activities/scenarios/{scenario_id}"

    def decision(self, scenario_id: str, decision_id: str) -> str:
        return f"{self.scenario(scenario_id)}/decisions/{decision_id}"

    def cohort(self, code: str) -> str:
        return f"{self.home_page}/xapi/activities/cohorts/{code}"

    def extension(self, name: str) -> str:
        return f"{self.home_page}/xapi/extensions/{name}"


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def _score(points: float, most: float) -> dict[str, float]:
    points = max(0.0, min(float(points), float(most)))
    scaled = points / most if most else 0.0
    return {"scaled": round(scaled, 4), "raw": round(points, 3), "min": 0.0, "max": float(most)}


def _decision_object(acts: Activities, scenario: Scenario | None, row: Mapping) -> dict:
    activity: dict[str, Any] = {
        "objectType": "Activity",
        "id": acts.decision(row["scenario"], row["decision"]),
    }
    decision: Decision | None = None
    if scenario is not None:
        decision = next((d for d in scenario.decisions if d.id == row["decision"]), None)
    if decision is None:
        return activity
    definition: dict[str, Any] = {
        "name": _lang(decision.title or f"{scenario.title}: {decision.id}"),
        "description": _lang(decision.prompt.strip()),
        "type": INTERACTION,
        "interactionType": INTERACTION_TYPES[decision.type],
    }
    if decision.type != "share-plan":
        definition["choices"] = [
            {"id": o.id, "description": _lang(o.text)} for o in decision.options
        ]
    activity["definition"] = definition
    return activity


def _response(row: Mapping[str, Any]) -> str:
    if row["type"] == "choice" and row["choice"] is not None:
        return str(row["choice"])
    if row["type"] == "multi":
        return "[,]".join(row["choices"])
    return json.dumps(row["plan"] or {}, sort_keys=True)


def answer_statement(
    row: Mapping[str, Any],
    scenario: Scenario | None,
    acts: Activities,
    cohort: str,
    include_rationale: bool = True,
) -> dict[str, Any]:
    """The ``answered`` statement of one row of the answers frame."""
    extensions: dict[str, Any] = {
        acts.extension("concepts"): list(row["concepts"]),
        acts.extension("misconceptions"): list(row["misconceptions"]),
    }
    if include_rationale and row["rationale"]:
        extensions[acts.extension("rationale")] = row["rationale"]
    if row["moderated"]:
        extensions[acts.extension("moderated")] = {
            "by": row["moderated_by"],
            "reason": row["moderation_reason"],
        }
    return {
        "id": _id(acts.home_page, "answer", row["answer_id"]),
        "version": XAPI_VERSION,
        "actor": _actor(acts, row["learner"]),
        "verb": {"id": VERBS["answered"], "display": _lang("answered")},
        "object": _decision_object(acts, scenario, row),
        "result": {
            "score": _score(row["points"], row["max_points"]),
            "response": _response(row),
            "extensions": extensions,
        },
        "context": _context(acts, row["scenario"], row["attempt_id"], cohort),
        "timestamp": _iso(row["answered_at"]),
    }


def _actor(acts: Activities, learner: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": acts.home_page, "name": learner}}


def _context(acts: Activities, scenario: str, attempt: int, cohort: str) -> dict[str, Any]:
    return {
        "registration": _id(acts.home_page, "attempt", attempt),
        "platform": "SafeShare",
        "language": LANGUAGE,
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": acts.scenario(scenario)}],
            "grouping": [{"objectType": "Activity", "id": acts.cohort(cohort)}],
        },
    }


def completed_statement(
    attempt: pd.DataFrame, scenario: Scenario | None, acts: Activities, cohort: str
) -> dict[str, Any]:
    """The ``completed`` statement of one finished attempt (its answers frame rows)."""
    first = attempt.iloc[0]
    name = scenario.title if scenario else first["scenario"]
    return {
        "id": _id(acts.home_page, "completed", first["attempt_id"]),
        "version": XAPI_VERSION,
        "actor": _actor(acts, first["learner"]),
        "verb": {"id": VERBS["completed"], "display": _lang("completed")},
        "object": {
            "objectType": "Activity",
            "id": acts.scenario(first["scenario"]),
            "definition": {"name": _lang(name), "type": ASSESSMENT},
        },
        "result": {
            "score": _score(attempt["points"].sum(), attempt["max_points"].sum()),
            "completion": True,
            "response": str(first["ending"]),
        },
        "context": _context(acts, first["scenario"], first["attempt_id"], cohort),
        "timestamp": _iso(attempt["answered_at"].max()),
    }


def statements(
    answers: pd.DataFrame,
    scenarios: Mapping[str, Scenario],
    home_page: str,
    cohort: str,
    include_rationale: bool = True,
) -> list[dict[str, Any]]:
    """Every answer as ``answered``, then every finished attempt as ``completed``."""
    acts = Activities(home_page)
    out = [
        answer_statement(row, scenarios.get(row["scenario"]), acts, cohort, include_rationale)
        for row in answers.to_dict("records")
    ]
    finished = answers[answers["finished"]]
    for _, attempt in finished.groupby("attempt_id", sort=True):
        out.append(
            completed_statement(attempt, scenarios.get(attempt.iloc[0]["scenario"]), acts, cohort)
        )
    return out


def to_json(items: list[dict[str, Any]]) -> bytes:
    """Statements as a UTF-8 JSON list, ready to POST to an LRS's /statements endpoint."""
    return json.dumps(items, indent=2, ensure_ascii=False, default=_default).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return _iso(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
