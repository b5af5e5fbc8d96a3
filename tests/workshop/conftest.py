"""A seeded workshop room: real scoring (with a keyword stand-in for the rationale detector)
of the learners in files/hostile-room.yaml, stored through the Store like the learner app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.cases import load_case
from toolkit.storage import Store, open_store

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "risk": "C-risk-of-harm",
    "today": "C-timely",
    "record": "C-record-decision",
    "front door": "C-right-recipient",
    "only what": "C-minimum-necessary",
    "legitimate interests": "C-lawful-basis",
    "paragraph 18": "C-special-category",
    "not tell": "C-withhold-notice-if-risk",
    "secure": "C-secure-channel",
    "consent": "M-consent-always",
    "wait for proof": "M-wait-for-proof",
}


@dataclass(frozen=True)
class Span:
    id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Found:
    concepts: tuple[str, ...]
    misconceptions: tuple[str, ...]
    evidence: tuple[Span, ...]


def keyword_analyser(text: str) -> Found:
    """A predictable stand-in for toolkit.scoring.rationale.analyse: one keyword, one id."""
    spans = tuple(
        Span(found, m.group(0), m.start(), m.end())
        for word, found in KEYWORDS.items()
        for m in [re.search(re.escape(word), text, re.IGNORECASE)]
        if m
    )
    return Found(
        tuple(dict.fromkeys(s.id for s in spans if s.id.startswith("C-"))),
        tuple(dict.fromkeys(s.id for s in spans if s.id.startswith("M-"))),
        spans,
    )


@pytest.fixture(scope="session")
def nursery():
    return load_case(REPO / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml")


@pytest.fixture(scope="session")
def scenarios(nursery):
    return {nursery.id: nursery}


def play(store: Store, code: str, name: str | None, answers: list[dict], scenario) -> dict:
    """One learner joins and answers in order, each answer scored and stored as the app does."""
    from toolkit.scoring import score_attempt

    learner = store.learner(cohort_code=code, display_name=name)
    if not answers:
        return learner
    attempt = store.open_attempt(learner["id"], scenario.id)
    given: list[dict[str, Any]] = []
    for answer in answers:
        given.append(answer)
        responses = {"scenario": scenario.id, "learner": learner["id"], "answers": given}
        report = score_attempt(scenario, responses, analyse=keyword_analyser).to_dict()
        result = next(d for d in report["decisions"] if d["decision"] == answer["decision"])
        store.record_answer(attempt["id"], answer["decision"], dict(answer), result)
    if report["ending"]:
        store.finish_attempt(attempt["id"], report["ending"])
    return learner


def seed(store: Store, scenario, path: Path = FILES / "hostile-room.yaml") -> dict:
    """Create the room's cohort and play every learner in it; returns the cohort."""
    room = yaml.safe_load(path.read_text(encoding="utf-8"))
    cohort = store.add_cohort(room["cohort"], [scenario.id])
    for learner in room["learners"]:
        play(store, cohort["code"], learner["name"], learner["answers"], scenario)
    return cohort


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


@pytest.fixture
def room(store, nursery) -> dict:
    """The seeded cohort (in ``store``)."""
    return seed(store, nursery)


@pytest.fixture(scope="session")
def analyser():
    """The keyword stand-in for the rationale detector, for tests that score afresh."""
    return keyword_analyser


@pytest.fixture
def frames(store, room, scenarios):
    """The seeded room's tidy frames (toolkit.export.frames), as the dashboard builds them."""
    from toolkit.export.frames import cohort_frames
    from toolkit.workshop.cohorts import cohort_record

    return cohort_frames(cohort_record(store, room["code"]), scenarios)
