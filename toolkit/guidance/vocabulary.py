"""Loads the guidance data files once and answers look-ups by id.

Every record cites its sources by short title; :func:`sources` maps those titles to their
:class:`Source` records (URL, provenance note), kept apart so the vocabulary stays the contract's
ids and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

import yaml

from toolkit.guidance.model import Concept, Misconception, Nation, Source, Step, Term, Theme

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

    def theme(self, theme_id: str) -> Theme:
        return self.themes[theme_id]

    def nation(self, nation_id: str) -> Nation:
        return self.nations[nation_id]


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


@cache
def sources() -> dict[str, Source]:
    """Every source the data cites, keyed by the short title the ``sources`` fields use."""
    return _load_file("sources", Source)


def steps_for_concept(concept_id: str) -> tuple[str, ...]:
    """The steps a reasoning concept evidences (CASE_FORMAT §1); KeyError if unknown."""
    return vocabulary().concept(concept_id).steps


def steps_for_misconception(misconception_id: str) -> tuple[str, ...]:
    """The steps a misconception works against; KeyError if unknown."""
    return vocabulary().misconception(misconception_id).steps


def steps_for_theme(theme_id: str) -> tuple[str, ...]:
    """The ICO steps a review failure theme maps to (dossier §4.2); KeyError if unknown."""
    return vocabulary().theme(theme_id).steps


def concepts_for_step(step_id: str) -> tuple[str, ...]:
    """Ids of the reasoning concepts that evidence a step, in contract order; KeyError if unknown.

    The reverse of :func:`steps_for_concept`, for per-step feedback ("to show S4, a rationale
    can mention…").
    """
    vocab = vocabulary()
    vocab.step(step_id)
    return tuple(c.id for c in vocab.concepts.values() if step_id in c.steps)


def themes_for_step(step_id: str) -> tuple[str, ...]:
    """Ids of the review failure themes mapped to a step, T1…T20 order; KeyError if unknown."""
    vocab = vocabulary()
    vocab.step(step_id)
    return tuple(t.id for t in vocab.themes.values() if step_id in t.steps)
