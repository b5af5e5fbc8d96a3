"""Feedback after an answer, and the end-of-scenario summary, as escaped HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolkit.guidance import vocabulary
from toolkit.scoring.report import from_rationale
from toolkit.widgets.html import esc, markdown, tag, text_tag

STEP_ID = re.compile(r"\bS(10|[1-9])\b")
OUTCOME_LABELS = {
    "protected": ("✔", "Child protected"),
    "mixed": ("◐", "Partly protected"),
    "harmed": ("✖", "Child harmed"),
}


def steps_cited(lines: list[str]) -> list[str]:
    """Step ids mentioned in feedback lines, in order of first mention."""
    seen: list[str] = []
    for line in lines:
        for match in STEP_ID.finditer(line):
            step = f"S{match.group(1)}"
            if step not in seen:
                seen.append(step)
    return seen


def step_notes(step_ids: list[str]) -> str:
    """A short plain-English note on each cited step."""
    steps = vocabulary().steps
    items = "".join(
        tag(
            "li",
            text_tag("strong", f"{s} {steps[s].short or steps[s].heading}")
            + " — "
            + esc(steps[s].summary or steps[s].heading),
        )
        for s in step_ids
        if s in steps
    )
    return tag("ul", items, class_="ss-steps") if items else ""


QUOTES_PER_LABEL = 2  # the learner's own words shown behind one label


def words_behind(result: Mapping[str, Any], label: str) -> str:
    """The learner's words that showed ``label`` in their rationale, quoted (escaped), or ""."""
    quotes = [
        e["text"]
        for e in result.get("evidence", [])
        if e.get("id") == label and e.get("text") and from_rationale(e)
    ]
    shown = list(dict.fromkeys(quotes))[:QUOTES_PER_LABEL]
    if not shown:
        return ""
    return " (you wrote " + ", ".join(f"“{esc(q)}”" for q in shown) + ")"


def misconception_notes(ids: list[str], result: Mapping[str, Any] | None = None) -> str:
    """Each misconception named, with the learner's words behind it and a kind correction."""
    vocab = vocabulary().misconceptions
    items = "".join(
        tag(
            "li",
            text_tag("strong", vocab[m].name)
            + (words_behind(result, m) if result else "")
            + ": "
            + esc(vocab[m].correction or vocab[m].belief),
        )
        for m in ids
        if m in vocab
    )
    if not items:
        return ""
    intro = text_tag("p", "A common belief showed up here. It holds many practitioners back:")
    return tag("div", intro + tag("ul", items), class_="ss-misconceptions")


def shown_points(value: float) -> str:
    """Points as a learner reads them: at most one decimal (the scorer keeps three)."""
    return f"{round(value, 1):g}"


def points_line(points: float, max_points: float) -> str:
    return text_tag(
        "p",
        f"You scored {shown_points(points)} out of {shown_points(max_points)} for this decision.",
        class_="ss-points",
    )


def decision_feedback(result: Mapping[str, Any]) -> str:
    """The panel shown straight after an answer: points, feedback, steps, misconceptions."""
    lines = list(result.get("feedback", []))
    found = [c for c in result.get("concepts", [])]
    concepts = vocabulary().concepts
    parts = [
        text_tag("h4", "Feedback"),
        points_line(result.get("points", 0), result.get("max_points", 0)),
        tag("ul", "".join(text_tag("li", line) for line in lines)) if lines else "",
    ]
    if found:
        items = "".join(
            tag("li", text_tag("strong", concepts[c].name) + words_behind(result, c))
            for c in found
            if c in concepts
        )
        parts.append(text_tag("p", "Your reasoning showed:") + tag("ul", items, class_="ss-showed"))
    parts.append(misconception_notes(list(result.get("misconceptions", [])), result))
    cited = steps_cited(lines)
    if cited:
        parts.append(text_tag("h5", "The guidance behind this"))
        parts.append(step_notes(cited))
    return tag("div", "".join(parts), class_="ss-feedback", role="region", aria_label="Feedback")


def step_bars(steps: Mapping[str, Mapping[str, Any]]) -> str:
    """A bar per step S1–S10: a labelled figure, with the value in text, not colour alone."""
    vocab = vocabulary().steps
    rows = []
    for step_id in vocab:
        entry = steps.get(step_id)
        if entry is None:
            value, label = 0, "not covered"
        else:
            value = round(100 * entry["score"])
            pieces = "piece" if entry["evidence"] == 1 else "pieces"
            label = f"{value}% ({entry['evidence']} {pieces} of evidence)"
        bar = tag("div", "", class_="ss-bar-fill", style=f"width:{value}%")
        rows.append(
            tag(
                "div",
                text_tag("span", f"{step_id} {vocab[step_id].short or ''}", class_="ss-bar-label")
                + tag("div", bar, class_="ss-bar", role="presentation")
                + text_tag("span", label, class_="ss-bar-value"),
                class_="ss-bar-row" + (" ss-bar-none" if entry is None else ""),
            )
        )
    return tag(
        "div",
        "".join(rows),
        class_="ss-bars",
        role="group",
        aria_label="Your score for each of the ten steps",
    )


def _step_list(ids: list[str]) -> str:
    vocab = vocabulary().steps
    if not ids:
        return text_tag("p", "None.")
    return tag("ul", "".join(text_tag("li", f"{s} {vocab[s].heading}") for s in ids))


def summary(report: Mapping[str, Any], ending: Any, scenario_title: str) -> str:
    """The end-of-scenario summary: outcome, score, step bars, strengths, what to revisit."""
    icon, outcome = OUTCOME_LABELS.get(ending.outcome, ("", ending.outcome))
    steps = report.get("steps", {})
    strong = [s for s, v in steps.items() if v["score"] >= 0.75]
    weak = [s for s, v in steps.items() if v["score"] < 0.5]
    parts = [
        tag(
            "div",
            text_tag("span", icon, aria_hidden="true")
            + " "
            + text_tag("strong", outcome)
            + " — "
            + esc(ending.title)
            + tag("div", markdown(ending.text)),
            class_=f"ss-ending ss-{ending.outcome}",
            role="status",
        ),
        text_tag("h3", f"Your result: {round(100 * report.get('score', 0))}%"),
        text_tag(
            "p",
            f"{shown_points(report.get('points', 0))} of "
            f"{shown_points(report.get('max_points', 0))} points "
            f"in “{scenario_title}”.",
        ),
        text_tag("h4", "Your profile across the ten steps"),
        step_bars(steps),
        text_tag("h4", "Strengths"),
        _step_list(strong),
        text_tag("h4", "What to revisit"),
        _step_list(weak),
    ]
    if report.get("misconceptions"):
        parts.append(text_tag("h4", "Beliefs to unlearn"))
        parts.append(misconception_notes(list(report["misconceptions"])))
    return tag("div", "".join(parts), class_="ss-summary")


CSS = """
<style>
.ss-app { max-width: 60em; margin: 0 auto; font-size: 15px; line-height: 1.5; }
.ss-app h1 { font-size: 1.6em; margin: .3em 0; }
.ss-muted { color: #444; }
.ss-over { color: #600; font-weight: bold; }
.ss-card { border: 1px solid #888; border-radius: 6px; padding: .6em .9em; margin: .4em 0; }
.ss-badge { display: inline-block; border: 1px solid #555; border-radius: 3px; padding: 0 .4em;
  margin-right: .3em; font-size: .85em; }
.ss-feedback { border-left: 4px solid #1a5d9a; padding: .3em .9em; background: #f3f7fb; }
.ss-feedback h5 { font-size: 1em; }
.ss-misconceptions { border-left: 4px solid #8a4b00; padding: .1em .8em; background: #fff6ea; }
.ss-msg { padding: .3em .6em; margin: .3em 0; }
.ss-error { border: 2px solid #a00; background: #fff0f0; color: #600; }
.ss-info { color: #1a3d5c; }
.ss-bars { margin: .5em 0; }
.ss-bar-row { display: flex; align-items: center; gap: .6em; margin: .15em 0; }
.ss-bar-label { width: 16em; }
.ss-bar { flex: 1; height: .9em; background: #e4e4e4; border: 1px solid #777; }
.ss-bar-fill { height: 100%; background: #1a5d9a; }
.ss-bar-value { width: 15em; flex: none; font-size: .9em; white-space: nowrap; }
.ss-bar-none { color: #555; }
.ss-ending { border: 2px solid #333; padding: .5em .9em; margin: .5em 0; }
.ss-protected { border-color: #1b6e2a; } .ss-mixed { border-color: #8a6d00; }
.ss-harmed { border-color: #a00; }
.ss-app .widget-radio-box label { height: auto; line-height: 1.4; margin: .3em 0;
  display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: flex-start;
  gap: .6em; white-space: normal; font-size: 14px; }
.ss-app .widget-radio-box input { float: none; flex: none; margin: .2em 0 0 0; }
.ss-app .widget-checkbox { height: auto; min-height: 28px; margin: .2em 0; }
.ss-app .widget-checkbox label, .ss-app .widget-label-basic { height: auto; line-height: 1.4;
  white-space: normal; align-items: flex-start; }
.ss-app .widget-label-basic span { white-space: normal; }
.ss-app .widget-label-basic input { margin-top: .2em; flex: none; }
.ss-app .widget-checkbox .widget-label-basic { display: flex; gap: .4em; }
.ss-chronology { border-collapse: collapse; margin: .5em 0; }
.ss-chronology th, .ss-chronology td { border-bottom: 1px solid #bbb; padding: .2em .5em;
  text-align: left; vertical-align: top; }
:focus-visible { outline: 3px solid #1a5d9a !important; outline-offset: 2px; }
/* Links look like links; buttons grow to fit their text instead of cutting it off. */
.ss-app a { color: #1a5d9a; text-decoration: underline; }
.ss-app .jupyter-button { width: auto; min-width: 10em; max-width: 100%; padding: 0 1em;
  white-space: normal; height: auto; min-height: 28px; line-height: 1.3; align-self: flex-start; }
/* Once an answer is locked, what the learner chose stands out in words' weight, not a grey dot. */
.ss-app label:has(input:checked:disabled) { font-weight: bold; }
/* Full-width fields keep their right border inside the column (widgets add a 2px margin). */
.ss-app .widget-textarea, .ss-app .widget-dropdown { max-width: calc(100% - 4px); }
</style>
"""
