"""Typed case files: scenarios and reviews as CASE_FORMAT.md §2–3 defines them.

Shapes and types live here; cross-references (ids that must exist, graph rules) live in
``rules.py`` so each problem can be reported with its own line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1)]
Timing = Literal["now", "today", "after-meeting", "not-needed"]
TellFamily = Literal["yes-first", "yes-after", "not-if-risk", "no"]
Outcome = Literal["protected", "mixed", "harmed"]
DecisionType = Literal["choice", "multi", "share-plan"]
# Extension: teaching features a scenario carries, used by the library's coverage report.
Tag = Literal["emergency", "tell-family-raises-risk", "share-less", "not-sharing-right"]
Language = Literal["en", "cy"]


class Strict(BaseModel):
    """Unknown fields are refused: a misspelt key would otherwise vanish silently.

    Validators are built on first validation, not at import: a learner kernel only
    unpickles scenarios the server validated, so it never builds them (measured: about
    4 MiB and 0.2 s of CPU less per warm kernel)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Agency(Strict):
    id: Id
    name: Text
    sector: str


class Person(Strict):
    id: Id
    label: Text


class ScenarioEvent(Strict):
    """A line of a scenario's chronology: what happened and which agencies knew."""

    when: Text
    agency: str
    event: Text
    known_by: list[str] = []


class Option(Strict):
    id: Id
    text: Text
    points: float = Field(ge=0)
    feedback: Text
    evidence: dict[str, int] = {}
    misconception: str | None = None
    next: str | None = None
    # Extension: points taken off when this option is ticked in a `multi` decision.
    penalty: float = Field(default=0, ge=0)


class RationaleSpec(Strict):
    prompt: Text = "Why?"
    expect: dict[str, float] = {}
    min_words: int = Field(default=0, ge=0)
    # Extension: a model rationale, used by trainers' debriefs and the library's self-test.
    model: str | None = None


class PlanChoice(Strict):
    id: Id
    text: Text
    needed: bool


class SharePlan(Strict):
    items: list[PlanChoice] = Field(min_length=1)
    recipients: list[PlanChoice] = Field(min_length=1)
    lawful_basis: list[str] = Field(min_length=1)
    condition: list[str] = Field(min_length=1)
    timing: Timing
    tell_family: TellFamily
    record: bool = True


class Decision(Strict):
    id: Id
    prompt: Text
    type: DecisionType
    title: str | None = None
    steps: list[str] = []
    options: list[Option] = []
    rationale: RationaleSpec | None = None
    plan: SharePlan | None = None
    next: str | None = None

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Decision:
        if self.type == "share-plan" and self.plan is None:
            raise ValueError("a share-plan decision needs a `plan`")
        if self.type != "share-plan" and len(self.options) < 2:
            raise ValueError(f"a {self.type} decision needs at least two `options`")
        if self.type != "share-plan" and self.plan is not None:
            raise ValueError(f"a {self.type} decision takes `options`, not a `plan`")
        return self

    def max_points(self) -> float:
        """Best achievable points (choice: best option; multi: all positive options)."""
        if self.type == "choice":
            return max(option.points for option in self.options)
        if self.type == "multi":
            return sum(option.points for option in self.options if option.points > 0)
        return 0.0  # share-plan marks come from scoring.share_plan


class Ending(Strict):
    id: Id
    title: Text
    outcome: Outcome
    text: Text


class Scenario(Strict):
    id: Id
    kind: Literal["scenario"]
    title: Text
    nation: str
    sectors: list[str] = Field(min_length=1)
    minutes: int = Field(gt=0, le=240)
    objectives: list[Text] = Field(min_length=1)
    steps: list[str] = Field(min_length=1)
    anonymisation: Text
    agencies: list[Agency] = Field(min_length=1)
    people: list[Person] = []
    context: Text
    chronology: list[ScenarioEvent] = []
    decisions: list[Decision] = Field(min_length=1)
    endings: list[Ending] = Field(min_length=1)
    debrief: Text
    # Extensions: where the guidance the case relies on comes from; a one-line teaser.
    sources: list[Text] = []
    summary: str | None = None
    tags: list[Tag] = []
    # The language the case is written in (CASE_FORMAT §2): the learner app offers a case in
    # the interface's language first and marks its text with this language otherwise.
    language: Language = "en"

    def decision(self, decision_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == decision_id)

    def ending(self, ending_id: str) -> Ending:
        return next(e for e in self.endings if e.id == ending_id)


class Shared(Strict):
    to: str
    date: dt.date | dt.datetime
    method: str | None = None
    recorded: bool | None = None


class Missed(Strict):
    to: str
    by: dt.date | dt.datetime | None = None
    themes: list[str] = []
    steps: list[str] = []


class ReviewEvent(Strict):
    id: Id
    date: dt.date | dt.datetime
    agency: str
    event: Text
    known_by: list[str] = []
    shared: list[Shared] = []
    missed: list[Missed] = []


class Finding(Strict):
    id: Id
    text: Text
    themes: list[str] = []
    steps: list[str] = []
    events: list[str] = []


class Coding(Strict):
    reviewer: Text
    event: str
    themes: list[str] = []


class Review(Strict):
    id: Id
    kind: Literal["review"]
    title: Text
    nation: str
    anonymisation: Text
    agencies: list[Agency] = Field(min_length=1)
    people: list[Person] = []
    chronology: list[ReviewEvent] = Field(min_length=1)
    findings: list[Finding] = []
    codings: list[Coding] = []
    # Extensions: sectors for cross-review analysis; a summary; sources.
    sectors: list[str] = []
    summary: str | None = None
    sources: list[Text] = []


Case = Scenario | Review
