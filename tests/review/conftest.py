"""Fixtures for the reviewer analyses: the hand-worked chronology and a second, Welsh review."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from toolkit.cases import load_case
from toolkit.cases.model import Review

matplotlib.use("Agg")  # figures are drawn off-screen in tests

FILES = Path(__file__).parent / "files"


@pytest.fixture
def hand_worked() -> Review:
    """Six events over five agencies, worked by hand in the tests (ev6 listed before ev5)."""
    return load_case(FILES / "hand-worked.yaml")


@pytest.fixture
def second_review() -> Review:
    """Three events in Wales: a second nation and overlapping sectors for cross-review counts."""
    return load_case(FILES / "second-review.yaml")
