"""Loads the guidance data files once and answers look-ups by id."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

import yaml

from toolkit.guidance.model import Concept, Misconception, Nation, Step, Term, Theme

TIMINGS = ("now", "today", "after-meeting", "not-needed")
TELL_FAMILY = ("yes-first", "yes-after", "not-if-risk", "no")
OUTCOMES = ("protected", "mixed", "harmed")


@dataclass(frozen=True)
class Vocabulary:
    """Every fixed id in CASE_FORMAT.md §1, each mapped to its record."""

    steps: dict[str, Step]
    bases: dict[str, Term]
    conditions: dict[str, Term]
    principles: dict[str, Term]
    concepts: dict[str, Concept]
    misconceptions: dict[str, Misconception]
    themes: dict[str, Theme]
    nations: dict[str, Nation]
    sectors: dict[str, Term]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def concept(self, concept_id: str) -> Concept:
        return self.concepts[concept_id]

    def misconception(self, misconception_id: str) -> Misconception:
        return self.misconceptions[misconception_id]


_FILES = {
    "steps": Step,
    "bases": Term,
    "conditions": Term,
    "principles": Term,
    "concepts": Concept,
    "misconceptions": Misconception,
    "themes": Theme,
    "nations": Nation,
    "sectors": Term,
}


def _record(cls: type, raw: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    unknown = set(raw) - names
    if unknown:
        raise ValueError(f"{cls.__name__} {raw.get('id')}: unknown fields {sorted(unknown)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return cls(**values)


def _load_file(name: str, cls: type) -> dict[str, Any]:
    text = resources.files("toolkit.guidance").joinpath("data", f"{name}.yaml").read_text("utf-8")
    entries = yaml.safe_load(text)
    return {raw["id"]: _record(cls, raw) for raw in entries}


@cache
def vocabulary() -> Vocabulary:
    """The one read-only vocabulary, loaded from package data on first use."""
    return Vocabulary(**{name: _load_file(name, cls) for name, cls in _FILES.items()})
