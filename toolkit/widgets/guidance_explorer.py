"""The guidance explorer: steps S1–S10 with their key points, sources and the cases that use them.

Trainers planning a session look for cases that exercise a step; learners revisiting a step
want its points in plain words and where they came from. Both read the same view: one
panel per step, built from the vocabulary and from a loaded case library.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from toolkit.cases import Library
from toolkit.guidance import vocabulary
from toolkit.guidance.vocabulary import concepts_for_step, sources
from toolkit.widgets.html import esc, tag, text_tag


@dataclass(frozen=True)
class CaseUse:
    """One case exercising a step, and where: "whole case" and/or decision/finding ids."""

    case_id: str
    title: str
    kind: str  # scenario | review
    where: tuple[str, ...]


def _scenario_uses(library: Library, step: str) -> list[CaseUse]:
    uses = []
    for sid, scenario in sorted(library.scenarios.items()):
        where = ["whole case"] if step in scenario.steps else []
        where += [d.id for d in scenario.decisions if step in d.steps]
        if where:
            uses.append(CaseUse(sid, scenario.title, "scenario", tuple(where)))
    return uses


def _review_uses(library: Library, step: str) -> list[CaseUse]:
    uses = []
    for rid, review in sorted(library.reviews.items()):
        where = [f.id for f in review.findings if step in f.steps]
        where += [e.id for e in review.chronology if any(step in m.steps for m in e.missed)]
        if where:
            uses.append(CaseUse(rid, review.title, "review", tuple(where)))
    return uses


def cases_by_step(library: Library) -> dict[str, list[CaseUse]]:
    """For every step S1–S10 (in order), the scenarios and reviews that exercise it.

    A scenario counts when it lists the step or any of its decisions does; a review when a
    finding or a missed sharing cites it.
    """
    return {
        step: _scenario_uses(library, step) + _review_uses(library, step)
        for step in vocabulary().steps
    }


def _source_item(title: str) -> str:
    record = sources().get(title)
    if record is not None and record.url.startswith(("https://", "http://")):
        link = tag("a", esc(title), href=record.url, target="_blank", rel="noopener")
        return tag("li", link)
    return text_tag("li", title)


def _uses_html(uses: list[CaseUse]) -> str:
    if not uses:
        return text_tag("p", "No bundled case exercises this step yet.", class_="ss-muted")
    items = "".join(
        tag(
            "li",
            text_tag("strong", use.title)
            + esc(f" ({use.kind} {use.case_id}: {', '.join(use.where)})"),
        )
        for use in uses
    )
    return tag("ul", items)


def step_html(step_id: str, uses: list[CaseUse]) -> str:
    """One step: heading as published, our summary, key points, concepts, sources, cases."""
    vocab = vocabulary()
    step = vocab.step(step_id)
    concepts = "".join(
        tag("li", text_tag("strong", c) + esc(f" — {vocab.concept(c).shows}"))
        for c in concepts_for_step(step_id)
    )
    shown_by = text_tag("h4", "A rationale shows this step when it…") + tag("ul", concepts)
    return (
        text_tag("p", f"“{step.heading}”", class_="ss-muted")
        + text_tag("p", step.summary)
        + text_tag("h4", "Key points")
        + tag("ul", "".join(text_tag("li", point) for point in step.key_points))
        + (shown_by if concepts else "")
        + text_tag("h4", "Sources")
        + tag("ul", "".join(_source_item(s) for s in step.sources))
        + text_tag("h4", f"Cases that exercise {step_id} ({len(uses)})")
        + _uses_html(uses)
    )


def step_title(step_id: str, uses: list[CaseUse]) -> str:
    """The panel title: "S5 · Assess risks, then share · 9 cases"."""
    step = vocabulary().step(step_id)
    return f"{step_id} · {step.short or step.heading} · {len(uses)} case{'s' * (len(uses) != 1)}"


def guidance_explorer(library: Library) -> w.Widget:
    """The explorer widget: one collapsible panel per step, in S1–S10 order."""
    uses = cases_by_step(library)
    panels = [w.HTML(step_html(step, found)) for step, found in uses.items()]
    accordion = w.Accordion(
        children=panels, titles=tuple(step_title(s, found) for s, found in uses.items())
    )
    intro = w.HTML(
        text_tag("h3", "The ICO's ten steps")
        + text_tag(
            "p",
            "Open a step for its key points in plain words, where they come from, what a "
            "rationale shows to evidence it, and the bundled cases that exercise it.",
            class_="ss-muted",
        )
    )
    box = w.VBox([intro, accordion], layout=w.Layout(width="100%"))
    box.add_class("ss-guidance")
    return box
