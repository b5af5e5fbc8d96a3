"""Author views: problems tied to their lines, the numbered source, and coverage.

Everything an author wrote is shown escaped (``toolkit.widgets.html``). Problems link to
lines by selecting them: JupyterLab cannot move a text area's cursor from the kernel, nor
reliably follow an in-page anchor, so each problem is a "line N" button that shows the
numbered source around that line with the line highlighted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ipywidgets as w

from toolkit.cases.coverage import exercised_steps, review_coverage
from toolkit.cases.model import Review, Scenario
from toolkit.guidance import vocabulary
from toolkit.problems import Problem
from toolkit.widgets.html import esc, tag, text_tag

AROUND = 8  # lines shown either side of a selected line
MAX_PROBLEMS = 200  # a file broken everywhere still gets a usable list
MODEL_AT_LEAST, POOR_AT_MOST = 0.9, 0.4  # what the library's self-test expects

CSS = """
<style>
.ss-author { font-size: 14px; line-height: 1.45; }
.ss-author .ss-editor textarea { font-family: monospace; font-size: 13px; line-height: 1.4; }
.ss-src { font-family: monospace; font-size: 12.5px; border: 1px solid #bbb; max-height: 30em;
  overflow: auto; background: #fafafa; }
.ss-src table { border-collapse: collapse; width: 100%; }
.ss-src td { padding: 0 .5em; white-space: pre; vertical-align: top; }
.ss-src td.ss-ln { color: #555; text-align: right; user-select: none;
  border-right: 1px solid #ccc; }
.ss-src tr.ss-bad td { background: #fde8e8; }
.ss-src tr.ss-focus td { background: #fff3b0; outline: 2px solid #b58900; }
.ss-problem { display: flex; gap: .5em; align-items: center; }
.ss-problem .widget-button { width: 6.5em; flex: none; }
.ss-ok { color: #1b6e2a; font-weight: bold; }
.ss-table { border-collapse: collapse; margin: .4em 0; }
.ss-table th, .ss-table td { border-bottom: 1px solid #ccc; padding: .15em .6em; text-align: left;
  vertical-align: top; }
mark.ss-concept { background: #d8f0dc; border-bottom: 2px solid #1b6e2a; }
mark.ss-misconception { background: #fde3c8; border-bottom: 2px solid #a05a00; }
mark .ss-tag { font-size: .75em; color: #333; vertical-align: super; margin-left: .15em; }
.ss-diagram { overflow-x: auto; }
</style>
"""


# --- the numbered source ----------------------------------------------------------------------


def numbered_source(text: str, problems: Iterable[Problem] = (), focus: int | None = None) -> str:
    """The text with line numbers; problem lines marked; around ``focus`` only, if given."""
    lines = text.splitlines() or [""]
    notes: dict[int, list[str]] = {}
    for problem in problems:
        notes.setdefault(problem.line, []).append(f"{problem.field}: {problem.message}")
    first, last = 1, len(lines)
    if focus is not None:
        first, last = max(1, focus - AROUND), min(len(lines), focus + AROUND)
    rows = []
    for number in range(first, last + 1):
        classes = " ".join(
            c for c, on in (("ss-bad", number in notes), ("ss-focus", number == focus)) if on
        )
        rows.append(
            tag(
                "tr",
                text_tag("td", number, class_="ss-ln") + text_tag("td", lines[number - 1]),
                class_=classes or None,
                title="; ".join(notes.get(number, [])) or None,
            )
        )
    where = f"lines {first}–{last} of {len(lines)}" if focus is not None else ""
    caption = text_tag("p", where, class_="ss-muted") if where else ""
    return caption + tag("div", tag("table", "".join(rows)), class_="ss-src")


class SourceView:
    """The numbered source; ``show(focus=N)`` narrows it to the lines around N."""

    def __init__(self) -> None:
        self.text, self.problems = "", []
        self.html = w.HTML()
        self.whole = w.Button(description="Whole file", tooltip="Show every line of the file")
        self.whole.on_click(lambda _: self.show(None))
        self.widget = w.VBox([self.whole, self.html])

    def update(self, text: str, problems: list[Problem]) -> None:
        self.text, self.problems = text, problems
        self.show(None)

    def show(self, focus: int | None) -> None:
        self.focus = focus
        self.html.value = numbered_source(self.text, self.problems, focus)


# --- the problem list -------------------------------------------------------------------------


class ProblemList:
    """Validation and lint problems; each "line N" button calls ``on_select(N)``."""

    def __init__(self, on_select: Callable[[int], None]):
        self.on_select = on_select
        self.widget = w.VBox()
        self.buttons: list[w.Button] = []

    def update(self, checks: list[Problem], lint: list[Problem]) -> None:
        self.buttons = []
        if not checks and not lint:
            self.widget.children = [
                w.HTML(text_tag("p", "✓ Validates and lints clean.", class_="ss-ok"))
            ]
            return
        rows: list[w.Widget] = []
        for title, problems, say in (
            ("Validation", checks, lambda p: f"{p.field}: {p.message}"),
            ("Anonymisation lint", lint, lambda p: f"looks like a real {p.field}: {p.message}"),
        ):
            if problems:
                rows.append(w.HTML(text_tag("h4", f"{title}: {len(problems)} problem(s)")))
                rows.extend(self._row(p, say(p)) for p in problems[:MAX_PROBLEMS])
        self.widget.children = rows

    def _row(self, problem: Problem, message: str) -> w.Widget:
        if problem.line <= 0:
            return w.HTML(text_tag("div", f"whole file — {message}"))
        button = w.Button(description=f"line {problem.line}", tooltip=f"Show line {problem.line}")
        button.on_click(lambda _, n=problem.line: self.on_select(n))
        self.buttons.append(button)
        row = w.HBox([button, w.HTML(text_tag("span", message))])
        row.add_class("ss-problem")
        return row


# --- coverage ---------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A table whose cells are HTML already (callers escape)."""
    head = tag("tr", "".join(text_tag("th", h, scope="col") for h in headers))
    body = "".join(tag("tr", "".join(tag("td", c) for c in row)) for row in rows)
    return tag("table", tag("thead", head) + tag("tbody", body), class_="ss-table")


def _step_rows(scenario: Scenario) -> list[list[str]]:
    vocab = vocabulary()
    rows = []
    for step in vocab.steps.values():
        decisions = [d.id for d in scenario.decisions if step.id in d.steps]
        plus = sum(
            1 for d in scenario.decisions for o in d.options if o.evidence.get(step.id, 0) > 0
        )
        minus = sum(
            1 for d in scenario.decisions for o in d.options if o.evidence.get(step.id, 0) < 0
        )
        concepts = sorted(
            {c for d in scenario.decisions if d.rationale for c in d.rationale.expect}
            & {c.id for c in vocab.concepts.values() if step.id in c.steps}
        )
        rows.append(
            [
                text_tag("strong", step.id) + " " + esc(step.short),
                "✓" if step.id in scenario.steps else "",
                esc(", ".join(decisions)),
                esc(f"+{plus} / −{minus}") if plus or minus else "",
                esc(", ".join(concepts)),
            ]
        )
    return rows


def _concepts_html(scenario: Scenario) -> str:
    shows = {c.id: c.shows for c in vocabulary().concepts.values()}
    expected: dict[str, list[str]] = {}
    for d in scenario.decisions:
        for concept, weight in (d.rationale.expect if d.rationale else {}).items():
            expected.setdefault(concept, []).append(f"{d.id} ×{weight:g}")
    heading = text_tag("h4", f"Concepts expected in rationales ({len(expected)})")
    if not expected:
        return heading + text_tag("p", "None: no decision has a `rationale`.")
    rows = [[esc(c), esc(shows.get(c, "?")), esc(", ".join(at))] for c, at in expected.items()]
    return heading + table(["concept", "what it shows", "expected in"], rows)


def _misconceptions_html(scenario: Scenario) -> str:
    beliefs = {m.id: m.belief for m in vocabulary().misconceptions.values()}
    offered: dict[str, list[str]] = {}
    for d in scenario.decisions:
        for o in d.options:
            if o.misconception:
                offered.setdefault(o.misconception, []).append(f"{d.id}.{o.id}")
    heading = text_tag("h4", f"Misconceptions offered as options ({len(offered)})")
    if not offered:
        return heading + text_tag("p", "None: no option carries a `misconception`.")
    rows = [[esc(m), esc(beliefs.get(m, "?")), esc(", ".join(at))] for m, at in offered.items()]
    return heading + table(["misconception", "belief", "options"], rows)


def scenario_coverage_html(scenario: Scenario) -> str:
    """Steps, concepts and misconceptions this scenario exercises, and where."""
    steps = table(
        ["step", "case lists it", "decisions", "options +/−", "concepts expected"],
        _step_rows(scenario),
    )
    missing = [s for s in vocabulary().steps if s not in exercised_steps(scenario)]
    gaps = text_tag("p", "Steps no decision or case list names: " + (", ".join(missing) or "none"))
    return (
        text_tag("h4", "Steps")
        + steps
        + gaps
        + _concepts_html(scenario)
        + _misconceptions_html(scenario)
    )


def review_coverage_html(review: Review) -> str:
    """A review's size, and the steps and themes its missed sharing and findings cite."""
    shape = review_coverage(review)
    counts = table(
        ["events", "agencies", "shared", "missed", "findings", "reviewers"],
        [
            [
                esc(getattr(shape, k))
                for k in ("events", "agencies", "shared", "missed", "findings", "reviewers")
            ]
        ],
    )
    steps: set[str] = {s for f in review.findings for s in f.steps}
    themes: set[str] = {t for f in review.findings for t in f.themes}
    for event in review.chronology:
        for miss in event.missed:
            steps.update(miss.steps)
            themes.update(miss.themes)
    vocab = vocabulary()
    order = list(vocab.steps) + list(vocab.themes)
    return (
        counts
        + text_tag("p", "Steps cited: " + (", ".join(sorted(steps, key=order.index)) or "none"))
        + text_tag("p", "Themes cited: " + (", ".join(sorted(themes, key=order.index)) or "none"))
    )


def self_test_html(scenario: Scenario) -> str:
    """How the scenario's model and poor answers score, against the library's expectations."""
    from toolkit.scoring import model_answer, poor_answer, score_attempt

    model = score_attempt(scenario, model_answer(scenario))
    poor = score_attempt(scenario, poor_answer(scenario))
    lines = [
        (
            model.score >= MODEL_AT_LEAST,
            f"Model answer scores {model.score:.0%} and ends at "
            f"{model.ending} (the library expects at least {MODEL_AT_LEAST:.0%}).",
        ),
        (
            poor.score <= POOR_AT_MOST,
            f"Poor answer scores {poor.score:.0%} and ends at "
            f"{poor.ending} (the library expects at most {POOR_AT_MOST:.0%}).",
        ),
    ]
    items = "".join(text_tag("li", ("✓ " if ok else "✗ ") + text) for ok, text in lines)
    return text_tag("h4", "Self-test") + tag("ul", items)
