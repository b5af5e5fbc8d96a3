"""A cohort's stored record (files/hostile-room.json: the workshop test room, one answer
moderated) and the scenario it was played on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from toolkit.cases import load_case
from toolkit.workshop.cohorts import CohortRecord

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).resolve().parents[2]
TIMES = {"created_at", "started_at", "finished_at", "opens_at", "closes_at", "retain_until"}


def _times(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: dt.datetime.fromisoformat(v) if k in TIMES and isinstance(v, str) else v
        for k, v in row.items()
    }


def load_record(path: Path = FILES / "hostile-room.json") -> CohortRecord:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return CohortRecord(
        cohort=_times(raw["cohort"]),
        learners=[_times(r) for r in raw["learners"]],
        attempts=[_times(r) for r in raw["attempts"]],
        answers=[_times(r) for r in raw["answers"]],
        overrides=[_times(r) for r in raw["overrides"]],
    )


@pytest.fixture
def record() -> CohortRecord:
    return load_record()


@pytest.fixture(scope="session")
def nursery():
    return load_case(REPO / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml")


@pytest.fixture(scope="session")
def scenarios(nursery):
    return {nursery.id: nursery}


@pytest.fixture
def frames(record, scenarios):
    from toolkit.export.frames import cohort_frames

    return cohort_frames(record, scenarios)
