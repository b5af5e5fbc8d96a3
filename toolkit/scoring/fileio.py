"""File edges of scoring: read RESPONSES.json and a scenario file, call the pure score_attempt.

The CLI (`safeshare score SCENARIO RESPONSES.json --json`) calls :func:`score_file`; every
fault in the responses file is a one-line :class:`~toolkit.errors.ResponseError` naming the
file, for the CLI to print and exit 2 on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit.cases import load_case
from toolkit.cases.model import Scenario
from toolkit.errors import CaseFileError, ResponseError
from toolkit.problems import Problem
from toolkit.scoring.report import score_attempt


def read_responses(path: Path | str) -> Any:
    """The decoded JSON in ``path``; an unreadable, empty or malformed file is a ResponseError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResponseError(f"{path}: cannot read responses ({exc.__class__.__name__})") from None
    if not text.strip():
        raise ResponseError(f"{path}: the responses file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ResponseError(f"{path}: not valid JSON ({exc.msg} at {where})") from None


def read_scenario(path: Path | str) -> Scenario:
    """A validated scenario; a review, or a file with problems, is a CaseFileError."""
    case = load_case(path)
    if not isinstance(case, Scenario):
        raise CaseFileError([Problem(str(path), 1, "kind", "expected a scenario, not a review")])
    return case


def score_file(scenario_path: Path | str, responses_path: Path | str) -> dict[str, Any]:
    """Score a RESPONSES.json file against a scenario file; the CASE_FORMAT §4 score object."""
    scenario = read_scenario(scenario_path)
    raw = read_responses(responses_path)
    try:
        return score_attempt(scenario, raw).to_dict()
    except ResponseError as exc:
        raise ResponseError(f"{responses_path}: {exc}") from None
