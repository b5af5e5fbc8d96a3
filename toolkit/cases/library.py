"""A set of loaded cases by id: what the apps hold, and what a server pickles for its kernels.

Kept apart from ``toolkit.cases.load`` so that a learner kernel unpickling the server's
snapshot imports the case model only, never the YAML parser and the validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.cases.model import Review, Scenario
from toolkit.problems import Problem


@dataclass
class Library:
    """The cases found under some folders, by id, with the problems that kept others out."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
