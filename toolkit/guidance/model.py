"""Frozen records for the guidance vocabulary: each id in CASE_FORMAT.md §1 is one of these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """A cited source. Its ``id`` is the short title every other record cites it by."""

    id: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Term:
    """A named vocabulary entry (lawful basis, condition, principle, sector…)."""

    id: str
    name: str
    summary: str = ""
    steps: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One of the ICO's ten steps: its published heading and our own plain-English account."""

    id: str
    heading: str
    short: str = ""
    summary: str = ""
    key_points: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """A reasoning concept: what a sound rationale shows, and the steps it evidences."""

    id: str
    name: str
    shows: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Misconception:
    """A belief that holds practitioners back, with a kind correction and its source."""

    id: str
    name: str
    belief: str
    correction: str = ""
    steps: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    """A recurring information-sharing failure theme from case reviews (T1–T20)."""

    id: str
    name: str
    description: str = ""
    steps: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nation:
    """A UK nation (or `uk`) with its safeguarding framework and review terminology."""

    id: str
    name: str
    framework: str = ""
    review_type: str = ""
    terms: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def __hash__(self) -> int:  # dict field makes the default hash fail
        return hash(self.id)
