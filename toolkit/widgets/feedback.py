"""Feedback after an answer, and the end-of-scenario summary, as escaped HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolkit.guidance import vocabulary
from toolkit.i18n import N_, Translator, translator
from toolkit.scoring.report import from_rationale
from toolkit.widgets.html import esc, markdown, tag, text_tag
from toolkit.widgets.scored_text import translate_line

STEP_ID = re.compile(r"\bS(10|[1-9])\b")
OUTCOME_LABELS = {
    "protected": ("✔", N_("Child protected")),
    "mixed": ("◐", N_("Partly protected")),
    "harmed": ("✖", N_("Child harmed")),
}
ENGLISH = translator("en")


def steps_cited(lines: list[str]) -> list[str]:
    """Step ids mentioned in feedback lines, in order of first mention."""
    seen: list[str] = []
    for line in lines:
        for match in STEP_ID.finditer(line):
            step = f"S{match.group(1)}"
            if step not in seen:
                seen.append(step)
    return seen


def step_notes(step_ids: list[str], t: Translator = ENGLISH) -> str:
    """A short plain-language note on each cited step."""
    steps = vocabulary().steps
    items = "".join(
        tag(
            "li",
            text_tag("strong", f"{s} {t.term(steps[s].short or steps[s].heading)}")
            + " — "
            + esc(t.term(steps[s].summary or steps[s].heading)),
        )
        for s in step_ids
        if s in steps
    )
    return tag("ul", items, class_="ss-steps") if items else ""


QUOTES_PER_LABEL = 2  # the learner's own words shown behind one label


def words_behind(result: Mapping[str, Any], label: str, t: Translator = ENGLISH) -> str:
    """The learner's words that showed ``label`` in their rationale, quoted (escaped), or ""."""
    quotes = [
        e["text"]
        for e in result.get("evidence", [])
        if e.get("id") == label and e.get("text") and from_rationale(e)
    ]
    shown = list(dict.fromkeys(quotes))[:QUOTES_PER_LABEL]
    if not shown:
        return ""
    quoted = ", ".join(f"“{q}”" for q in shown)
    return " (" + esc(t._("you wrote {quotes}", quotes=quoted)) + ")"


def misconception_notes(
    ids: list[str], result: Mapping[str, Any] | None = None, t: Translator = ENGLISH
) -> str:
    """Each misconception named, with the learner's words behind it and a kind correction."""
    vocab = vocabulary().misconceptions
    items = "".join(
        tag(
            "li",
            text_tag("strong", t.term(vocab[m].name))
            + (words_behind(result, m, t) if result else "")
            + ": "
            + esc(t.term(vocab[m].correction or vocab[m].belief)),
        )
        for m in ids
        if m in vocab
    )
    if not items:
        return ""
    intro = text_tag("p", t._("A common belief showed up here. It holds many practitioners back:"))
    return tag("div", intro + tag("ul", items), class_="ss-misconceptions")


def shown_points(value: float) -> str:
    """Points as a learner reads them: at most one decimal (the scorer keeps three)."""
    return f"{round(value, 1):g}"


def points_line(points: float, max_points: float, t: Translator = ENGLISH) -> str:
    return text_tag(
        "p",
        t._(
            "You scored {points} out of {most} for this decision.",
            points=shown_points(points),
            most=shown_points(max_points),
        ),
        class_="ss-points",
    )


def english_only(result: Mapping[str, Any], t: Translator) -> str:
    """In Welsh, after a rationale: the detector read it as English, and what that means."""
    if t.language == "en" or not (result.get("rationale") or {}).get("words"):
        return ""
    text = t._(
        "The reasoning detector reads English only, so it could not read reasoning written "
        "in Welsh: what it found, and your reasoning points, come from any English words "
        "alone. Your words are saved, and your trainer can read them and change the mark."
    )
    return text_tag("p", text, class_="ss-english-only")


def decision_feedback(
    result: Mapping[str, Any], t: Translator = ENGLISH, heading_id: str | None = None
) -> str:
    """The panel shown straight after an answer: points, feedback, steps, misconceptions.

    ``heading_id`` names its heading, where the app moves focus after Submit.
    """
    lines = list(result.get("feedback", []))
    found = [c for c in result.get("concepts", [])]
    concepts = vocabulary().concepts
    parts = [
        tag("h4", esc(t._("Feedback")), id=heading_id, tabindex="-1"),
        points_line(result.get("points", 0), result.get("max_points", 0), t),
        english_only(result, t),
        tag("ul", "".join(text_tag("li", translate_line(t, line)) for line in lines))
        if lines
        else "",
    ]
    if found:
        items = "".join(
            tag("li", text_tag("strong", t.term(concepts[c].name)) + words_behind(result, c, t))
            for c in found
            if c in concepts
        )
        parts.append(
            text_tag("p", t._("Your reasoning showed:")) + tag("ul", items, class_="ss-showed")
        )
    parts.append(misconception_notes(list(result.get("misconceptions", [])), result, t))
    cited = steps_cited(lines)
    if cited:
        parts.append(text_tag("h5", t._("The guidance behind this")))
        parts.append(step_notes(cited, t))
    return tag(
        "div", "".join(parts), class_="ss-feedback", role="region", aria_label=t._("Feedback")
    )


def step_bars(steps: Mapping[str, Mapping[str, Any]], t: Translator = ENGLISH) -> str:
    """A bar per step S1–S10: a labelled figure, with the value in text, not colour alone."""
    vocab = vocabulary().steps
    rows = []
    for step_id in vocab:
        entry = steps.get(step_id)
        if entry is None:
            value, label = 0, t._("not covered")
        else:
            value = round(100 * entry["score"])
            pieces = t.ngettext(
                "{n} piece of evidence", "{n} pieces of evidence", entry["evidence"]
            )
            label = t._("{value}% ({pieces})", value=value, pieces=pieces)
        bar = tag("div", "", class_="ss-bar-fill", style=f"width:{value}%")
        rows.append(
            tag(
                "div",
                text_tag("span", f"{step_id} {t.term(vocab[step_id].short)}", class_="ss-bar-label")
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
        aria_label=t._("Your score for each of the ten steps"),
    )


def _step_list(ids: list[str], t: Translator) -> str:
    vocab = vocabulary().steps
    if not ids:
        return text_tag("p", t._("None."))
    return tag("ul", "".join(text_tag("li", f"{s} {t.term(vocab[s].heading)}") for s in ids))


def summary(
    report: Mapping[str, Any],
    ending: Any,
    scenario_title: str,
    t: Translator = ENGLISH,
    case_lang: str | None = None,
) -> str:
    """The end-of-scenario summary: outcome, score, step bars, strengths, what to revisit.

    ``case_lang`` marks the ending's text when the case is written in another language.
    """
    icon, outcome = OUTCOME_LABELS.get(ending.outcome, ("", ending.outcome))
    steps = report.get("steps", {})
    strong = [s for s, v in steps.items() if v["score"] >= 0.75]
    weak = [s for s, v in steps.items() if v["score"] < 0.5]
    parts = [
        tag(
            "div",
            text_tag("span", icon, aria_hidden="true")
            + " "
            + text_tag("strong", t._(outcome))
            + " — "
            + tag("span", esc(ending.title), lang=case_lang)
            + tag("div", markdown(ending.text), lang=case_lang),
            class_=f"ss-ending ss-{ending.outcome}",
            role="status",
        ),
        text_tag("h3", t._("Your result: {percent}%", percent=round(100 * report.get("score", 0)))),
        text_tag(
            "p",
            t._(
                "{points} of {most} points in “{title}”.",
                points=shown_points(report.get("points", 0)),
                most=shown_points(report.get("max_points", 0)),
                title=scenario_title,
            ),
        ),
        text_tag("h4", t._("Your profile across the ten steps")),
        step_bars(steps, t),
        text_tag("h4", t._("Strengths")),
        _step_list(strong, t),
        text_tag("h4", t._("What to revisit")),
        _step_list(weak, t),
    ]
    if report.get("misconceptions"):
        parts.append(text_tag("h4", t._("Beliefs to unlearn")))
        parts.append(misconception_notes(list(report["misconceptions"]), t=t))
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
/* Focus moved by the app (a new decision's heading, the feedback) shows where it is. */
.ss-app [tabindex="-1"]:focus { outline: 3px solid #1a5d9a; outline-offset: 2px; }
/* Targets at least 24 by 24 CSS pixels (WCAG 2.5.8), the whole label clickable too. */
.ss-app input[type=radio], .ss-app input[type=checkbox] { width: 24px; height: 24px;
  min-width: 24px; margin: 0; accent-color: #1a5d9a; }
.ss-app .widget-radio-box label { min-height: 28px; }
.ss-app .jupyter-button, .ss-app select, .ss-app .widget-text input { min-height: 32px; }
.ss-app .ss-legend { font-weight: bold; margin: .6em 0 .2em; }
.ss-english-only { border-left: 4px solid #8a4b00; padding: .2em .6em; background: #fff6ea; }
/* The language switch: its two choices side by side. */
.ss-app .ss-lang-switch .widget-radio-box { flex-direction: row; flex-wrap: wrap; gap: 0 1.2em; }
.ss-app .ss-lang-switch .widget-radio-box label { flex-direction: row-reverse; width: auto; }
/* Tabs (trainer, reviewer): labels at 4.5:1 or more; the open tab said by weight and an
   underline, not by its colour alone. */
.ss-app .lm-TabBar-tab, .ss-app .lm-TabBar-tabLabel { color: #333 !important; }
.ss-app .lm-TabBar-tab { min-height: 28px; }
.ss-app .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel { font-weight: bold;
  text-decoration: underline; text-underline-offset: .2em; }
.ss-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
/* 320 px wide, or 1280 px at 400% zoom: nothing wider than the screen, labels above fields. */
.ss-app .jupyter-widgets, .ss-app .widget-html-content { max-width: 100%; min-width: 0; }
.ss-app .ss-scroll { overflow-x: auto; max-width: 100%; }
.ss-app .widget-radio { width: auto; }
.ss-app img { max-width: 100%; height: auto; }
.ss-app .ss-page-helper { display: none; }
@media (max-width: 40em) {
  .ss-app { font-size: 16px; }
  .ss-app .widget-inline-hbox { flex-wrap: wrap; height: auto; }
  .ss-app .widget-inline-hbox > .widget-label { width: 100% !important; max-width: 100%;
    text-align: left; }
  .ss-app .widget-inline-hbox > select, .ss-app .widget-inline-hbox > input,
  .ss-app .widget-inline-hbox > textarea { flex: 1 1 100%; max-width: 100%; }
  .ss-app .widget-hbox { flex-wrap: wrap; }
  .ss-bar-row { flex-wrap: wrap; gap: 0 .6em; }
  .ss-bar-label { width: 100%; }
  .ss-bar-value { width: auto; white-space: normal; }
  .ss-app .widget-html-content { overflow-wrap: anywhere; }
  .ss-app .ss-row { grid-template-columns: 1fr; gap: 0; }
  .ss-app .ss-join-code { font-size: 1.6em; }
  /* Tabs wrap onto more rows instead of cutting their labels short. */
  .ss-app .lm-TabBar, .ss-app .lm-TabBar-content { height: auto !important; min-height: 0; }
  .ss-app .lm-TabBar-content { flex-wrap: wrap; }
  .ss-app .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important; }
  .ss-app .lm-TabBar-tabLabel { overflow: visible; text-overflow: clip; }
}
</style>
"""
