"""The "try an answer" box: what the scorer finds in a sample rationale, and what it earns.

Authors tune a decision's ``expect`` weights and its model rationale here: the same
``analyse`` and ``mark_rationale`` the learner's answers go through, with the words behind
each concept highlighted (escaped) and the feedback a learner would read.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as w

from toolkit.cases.model import Decision, Scenario
from toolkit.guidance import vocabulary
from toolkit.widgets.authoring import table
from toolkit.widgets.html import esc, tag, text_tag


def _clusters(spans: Iterable) -> list[tuple[int, int, list[str]]]:
    """Overlapping spans merged: (start, end, ids in order of first appearance)."""
    merged: list[tuple[int, int, list[str]]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1][1]:
            start, end, ids = merged[-1]
            merged[-1] = (start, max(end, span.end), ids + [span.id] * (span.id not in ids))
        else:
            merged.append((span.start, span.end, [span.id]))
    return merged


def highlighted(text: str, spans: Iterable) -> str:
    """``text`` escaped, with each evidence span (``id``, ``start``, ``end``) marked.

    Overlapping spans become one mark naming every id, so no finding is hidden.
    """
    out, at = [], 0
    for start, end, ids in _clusters(spans):
        wrong = any(i.startswith("M-") for i in ids)
        out.append(esc(text[at:start]))
        out.append(
            tag(
                "mark",
                esc(text[start:end]) + text_tag("span", " ".join(ids), class_="ss-tag"),
                class_="ss-misconception" if wrong else "ss-concept",
                title=", ".join(ids),
            )
        )
        at = end
    out.append(esc(text[at:]))
    return tag("p", "".join(out).replace("\n", "<br>"))


def rationale_html(decision: Decision, text: str) -> str:
    """What the scorer finds in ``text`` and what it would earn under the decision's ``expect``."""
    from toolkit.scoring import analyse
    from toolkit.scoring.reasoning import mark_rationale

    if not text.strip():
        return text_tag(
            "p", "Type a sample rationale above, then press Analyse.", class_="ss-muted"
        )
    found = analyse(text)
    marks = mark_rationale(decision, text, lambda _: found)
    expect = decision.rationale.expect if decision.rationale else {}
    vocab = vocabulary()
    rows = [
        [
            esc(c),
            esc(vocab.concepts[c].name if c in vocab.concepts else "?"),
            esc(f"{weight:g}"),
            "✓ " + esc(f"{weight:g}") if c in found.concepts else "✗ 0",
        ]
        for c, weight in expect.items()
    ]
    extra = [c for c in found.concepts if c not in expect]
    parts = [
        text_tag("h4", f"Earns {marks.points:g} of {marks.max_points:g} rationale points"),
        highlighted(text, found.evidence),
        table(["expected concept", "name", "weight", "earned"], rows) if rows else "",
        text_tag("p", "Also found (evidence for steps, no points): " + ", ".join(extra))
        if extra
        else "",
        text_tag("p", "Misconceptions found: " + ", ".join(found.misconceptions))
        if found.misconceptions
        else "",
        highlighted(text, found.withheld)
        + text_tag(
            "p", "Withheld above: these read as a list of terms, not reasoning.", class_="ss-muted"
        )
        if found.withheld
        else "",
        text_tag("h4", "Feedback the learner would see"),
        tag("ul", "".join(text_tag("li", line) for line in marks.feedback))
        if marks.feedback
        else text_tag("p", "None: the rationale shows everything expected."),
    ]
    return "".join(parts)


def _rationale_decisions(scenario: Scenario | None) -> list[Decision]:
    return [d for d in (scenario.decisions if scenario else []) if d.rationale]


class TryAnswer:
    """Pick a decision, type a sample rationale, see what the scorer finds and the points.

    Picking a decision fills the box with its model rationale. Re-checking the file keeps
    the author's sample and analyses it again, so a change to ``expect`` shows at once.
    """

    def __init__(self) -> None:
        self.scenario: Scenario | None = None
        self._quiet = False  # True while the picker is set from code
        self.pick = w.Dropdown(description="Decision", layout=w.Layout(width="100%"))
        self.text = w.Textarea(
            placeholder="A sample rationale, in a learner's words…",
            layout=w.Layout(width="100%", height="7em"),
        )
        self.go = w.Button(description="Analyse", button_style="primary", tooltip="Analyse")
        self.expects = w.HTML()
        self.result = w.HTML()
        self.go.on_click(lambda _: self.analyse())
        self.pick.observe(lambda _: None if self._quiet else self._picked(fill=True), "value")
        self.widget = w.VBox([self.pick, self.expects, self.text, self.go, self.result])
        self.widget.add_class("ss-try-answer")

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show ``scenario``'s decisions that ask for a rationale (None: there is no scenario)."""
        self.scenario = scenario
        decisions = _rationale_decisions(scenario)
        ids = [d.id for d in decisions]
        keep = self.pick.value if self.pick.value in ids else None
        self._quiet = True
        try:
            self.pick.options = [
                (f"{d.id} — {d.title or d.rationale.prompt}", d.id) for d in decisions
            ]
            self.pick.value = keep or (ids[0] if ids else None)
        finally:
            self._quiet = False
        self._picked(fill=keep is None or not self.text.value.strip())

    def _decision(self) -> Decision | None:
        found = [d for d in _rationale_decisions(self.scenario) if d.id == self.pick.value]
        return found[0] if found else None

    def _picked(self, fill: bool) -> None:
        decision = self._decision()
        self.result.value = ""
        if decision is None:
            self.expects.value = text_tag(
                "p", "No decision here asks for a rationale: add `rationale:` with `expect:`."
            )
            return
        spec = decision.rationale
        weights = ", ".join(f"{c} ×{v:g}" for c, v in spec.expect.items()) or "nothing"
        self.expects.value = tag(
            "p",
            text_tag("strong", spec.prompt)
            + "<br>"
            + esc(f"expect: {weights}")
            + esc(f"; at least {spec.min_words} words" if spec.min_words else ""),
        )
        if fill:
            self.text.value = spec.model or ""
        if self.text.value.strip():
            self.analyse()

    def analyse(self) -> None:
        """Show what the scorer finds in the box's text for the chosen decision."""
        decision = self._decision()
        if decision is not None:
            self.result.value = rationale_html(decision, self.text.value)
