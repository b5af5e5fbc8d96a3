"""The trainer's live dashboard and the projector's debrief view: charts drawn as HTML/CSS bars.

Every chart carries its numbers and labels as text, so colour is never the only signal and
a screen reader reads the same figures. Every string that came from a learner or a trainer
(display names, rationales, cohort names) passes through ``toolkit.widgets.html``.

``LiveDashboard.show`` is called on every refresh. It only sets the ``value`` of widgets
that already exist, and only when the HTML changed, so the trainer's place — the decision
chosen, the heatmap's axis, the scroll position — survives every refresh.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from toolkit.cases import Scenario
from toolkit.i18n import N_, Translator, translator
from toolkit.widgets.html import esc, markdown, tag, text_tag
from toolkit.workshop.debrief import Debrief
from toolkit.workshop.live import STEP_IDS, Snapshot

ENGLISH = translator("en")
# How toolkit.workshop.live labels a share-plan field's values (its ids, spaced out).
PLAN_VALUES = (
    N_("now"),
    N_("today"),
    N_("after meeting"),
    N_("not needed"),
    N_("yes first"),
    N_("yes after"),
    N_("not if risk"),
    N_("no"),
    N_("recorded"),
    N_("not recorded"),
)
PLAN_FIELD_NAMES = {
    "items": N_("Plan: items"),
    "recipients": N_("Plan: recipients"),
    "lawful_basis": N_("Plan: lawful basis"),
    "condition": N_("Plan: condition"),
    "timing": N_("Plan: timing"),
    "tell_family": N_("Plan: tell family"),
    "record": N_("Plan: record"),
}

CSS = """<style>
.ss-dash { font-size: 15px; line-height: 1.4; }
.ss-dash h3 { margin: .6em 0 .3em; font-size: 1.15em; }
.ss-count { display: inline-block; margin-right: 1.5em; }
.ss-count strong { font-size: 1.8em; display: block; }
.ss-chart { margin: .3em 0 .8em; }
.ss-row { display: grid; grid-template-columns: minmax(10em, 22em) 1fr 10em; gap: .6em;
  align-items: center; margin: .2em 0; }
.ss-track { background: #e6e6e6; border: 1px solid #777; height: 1.1em; }
.ss-fill { background: #1a5d9a; height: 100%; }
.ss-right .ss-fill { background: #1b6e2a; }
.ss-wrong .ss-fill { background: #8a4b00; }
.ss-num { font-variant-numeric: tabular-nums; }
.ss-tag { font-size: .85em; border: 1px solid #555; border-radius: 3px; padding: 0 .3em; }
table.ss-heat { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.ss-heat th, table.ss-heat td { border: 1px solid #999; padding: .2em .45em;
  text-align: center; }
table.ss-heat th[scope=row] { text-align: left; font-weight: normal; max-width: 18em; }
table.ss-heat td.ss-none { color: #666; background: #fff; }
.ss-learners { columns: 2 22em; margin: 0; padding-left: 1.2em; }
.ss-projector { font-size: 22px; line-height: 1.45; max-width: 60em; }
.ss-projector h2 { font-size: 1.5em; margin: .2em 0; }
.ss-sample { border-left: 5px solid #1a5d9a; background: #f3f7fb; padding: .3em .8em;
  margin: .4em 0; white-space: pre-wrap; }
.ss-muted { color: #444; }
.ss-msg { padding: .3em .6em; margin: .3em 0; border-left: 4px solid #1a5d9a; }
.ss-error { border: 2px solid #a00; background: #fff0f0; color: #600; }
.ss-join-code { font-size: 2.2em; letter-spacing: .08em; margin: .2em 0; }
.ss-join-url { font-size: 1.3em; }
</style>"""


def percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{round(100 * value)}%"


def bar_row(label: str, share: float, value_text: str, state: str = "") -> str:
    """One labelled bar: the label, the bar (width = share), the value as text."""
    width = 0 if share is None or math.isnan(share) else max(0, min(100, round(100 * share)))
    fill = tag("div", "", class_="ss-fill", style=f"width:{width}%")
    return tag(
        "div",
        tag("span", label)
        + tag("div", fill, class_="ss-track", role="presentation")
        + text_tag("span", value_text, class_="ss-num"),
        class_=f"ss-row {state}".strip(),
    )


def chart(title: str, rows: list[str], empty: str) -> str:
    body = "".join(rows) if rows else text_tag("p", empty, class_="ss-muted")
    return tag(
        "div", text_tag("h3", title) + body, class_="ss-chart", role="group", aria_label=title
    )


def learner_label(learner: str, name: str | None, t: Translator = ENGLISH) -> str:
    """What the trainer sees for a learner: their display name, else a short pseudonym."""
    return name.strip() if name and name.strip() else t._("Learner {id}", id=learner[-4:])


def summary_html(
    summary: Mapping[str, int], cohort: Mapping[str, Any], t: Translator = ENGLISH
) -> str:
    counts = "".join(
        tag("span", text_tag("strong", summary.get(key, 0)) + esc(t._(label)), class_="ss-count")
        for key, label in (
            ("joined", N_("joined")),
            ("started", N_("started")),
            ("finished", N_("finished")),
        )
    )
    state = t._("closed to new learners") if cohort.get("closed") else t._("open")
    head = text_tag(
        "h2",
        t._(
            "{name} — code {code} ({state})", name=cohort["name"], code=cohort["code"], state=state
        ),
    )
    return head + tag("div", counts)


def _place(row: Any, t: Translator = ENGLISH) -> tuple[str, str]:
    """(where a learner is, in words for the room chart; their status for the list)."""
    if row.finished:
        ending = row.current_label.removeprefix("Finished: ")
        return t._("Finished"), t._("finished ({ending})", ending=ending)
    if row.scenario is None or pd.isna(row.current_number):
        return t._("Not started"), t._("joined, not started")
    number = int(row.current_number)
    return (
        t._("Decision {number}: {title}", number=number, title=row.current_label),
        t.ngettext(
            "on decision {number} ({n} answered)",
            "on decision {number} ({n} answered)",
            int(row.answered),
            number=number,
        ),
    )


def where_html(progress: pd.DataFrame, t: Translator = ENGLISH) -> str:
    """How many learners are on each decision, plus finished and not started."""
    total = max(1, len(progress))
    places = pd.Series([_place(r, t)[0] for r in progress.itertuples()], dtype=object)
    counts = places.value_counts(sort=False)
    rows = [
        bar_row(esc(k), n / total, t.ngettext("{n} learner", "{n} learners", int(n)))
        for k, n in counts.items()
    ]
    return chart(t._("Where the room is"), rows, t._("Nobody has joined yet."))


def learners_html(progress: pd.DataFrame, t: Translator = ENGLISH) -> str:
    items = "".join(
        tag(
            "li",
            text_tag("strong", learner_label(r.learner, r.name, t)) + " — " + esc(_place(r, t)[1]),
        )
        for r in progress.itertuples()
    )
    return text_tag("h3", t._("Learners")) + tag("ul", items, class_="ss-learners")


def distribution_html(frame: pd.DataFrame, title: str, t: Translator = ENGLISH) -> str:
    """Options as bars; the right ones say so in words (✔ best), not only in colour."""
    rows = []
    for _, row in frame.iterrows():
        right = text_tag("span", "✔ " + t._("right"), class_="ss-tag") + " "
        mark = right if row["right"] else ""
        label = mark + text_tag("strong", f"{row['value']}") + " " + esc(t.term(row["text"]))
        state = "ss-right" if row["right"] else "ss-wrong"
        rows.append(
            bar_row(label, row["share"], f"{row['count']} ({percent(row['share'])})", state)
        )
    return chart(title, rows, t._("Nothing yet."))


def plan_distribution_html(
    fields: Mapping[str, pd.DataFrame], title: str, t: Translator = ENGLISH
) -> str:
    parts = [text_tag("h3", title)]
    for name, frame in fields.items():
        label = PLAN_FIELD_NAMES.get(name, name.replace("_", " "))
        parts.append(distribution_html(frame, t._(label), t))
    return "".join(parts)


def misconceptions_html(counts: pd.DataFrame, joined: int, t: Translator = ENGLISH) -> str:
    """Each misconception as the share of the room's learners who showed it."""
    room = max(1, joined)
    rows = [
        bar_row(
            esc(t.term(r.name)),
            r.learners / room,
            t.ngettext(
                "{n} of {joined} learners",
                "{n} of {joined} learners",
                int(r.learners),
                joined=joined,
            ),
            "ss-wrong",
        )
        for r in counts.itertuples()
    ]
    return chart(t._("Most common misconceptions"), rows, t._("None shown so far."))


def _cell(value: float, t: Translator = ENGLISH) -> str:
    if value is None or math.isnan(value):
        return text_tag("td", "–", class_="ss-none", title=t._("no evidence"))
    # Diverging shade: strong orange at 0%, pale at 50%, strong blue at 100%. The number is
    # always printed in the cell, so the shade is never the only signal.
    hue, strength = (30 if value < 0.5 else 210), abs(2 * value - 1)
    light = 95 - round(55 * strength)
    colour = "#fff" if light < 60 else "#000"
    style = f"background:hsl({hue},65%,{light}%);color:{colour}"
    return text_tag("td", percent(value), style=style)


def heatmap_html(
    heatmap: pd.DataFrame, labels: Mapping[Any, str], title: str, t: Translator = ENGLISH
) -> str:
    """Rows × S1–S10, each cell the share of positive evidence as a number and a shade."""
    if heatmap.empty:
        return chart(title, [], t._("No evidence on any step yet."))
    corner = tag("td", "")
    head = tag("tr", corner + "".join(text_tag("th", s, scope="col") for s in STEP_IDS))
    values = heatmap.reindex(columns=list(STEP_IDS)).to_numpy(dtype=float)
    body = "".join(
        tag(
            "tr",
            text_tag("th", labels.get(key, str(key)), scope="row")
            + "".join(_cell(v, t) for v in cells),
        )
        for key, cells in zip(heatmap.index, values, strict=True)
    )
    table = tag(
        "table",
        text_tag("caption", title) + tag("thead", head) + tag("tbody", body),
        class_="ss-heat",
    )
    return tag("div", table, class_="ss-scroll", role="region", aria_label=title, tabindex="0")


def profile_html(profile: pd.DataFrame, t: Translator = ENGLISH) -> str:
    rows = [
        bar_row(
            esc(f"{r['step']} {t.term(r['label'])}"),
            r["score"],
            t.ngettext(
                "{percent} · {n} piece",
                "{percent} · {n} pieces",
                int(r["pieces"]),
                percent=percent(r["score"]),
            ),
        )
        for _, r in profile.iterrows()
    ]
    return chart(t._("The cohort across the ten steps"), rows, t._("Nothing yet."))


def decision_options(scenarios: Mapping[str, Scenario], offered: list[str]) -> list:
    """Dropdown options: (label, (scenario id, decision id)) for every decision on offer."""
    out = []
    for sid in offered:
        scenario = scenarios.get(sid)
        for number, d in enumerate(scenario.decisions if scenario else [], start=1):
            name = d.title or d.id
            prefix = f"{scenario.title} · " if len(offered) > 1 else ""
            out.append((f"{prefix}{number}. {name}", (sid, d.id)))
    return out


class LiveDashboard:
    """The dashboard's widgets; ``show(snapshot, cohort)`` updates them in place."""

    def __init__(self, scenarios: Mapping[str, Scenario], t: Translator = ENGLISH):
        self.scenarios, self.t = scenarios, t
        self.snapshot: Snapshot | None = None
        self.cohort: Mapping[str, Any] = {}
        self.panels = {
            name: w.HTML()
            for name in (
                "summary",
                "where",
                "learners",
                "distribution",
                "misconceptions",
                "heatmap",
                "profile",
                "updated",
            )
        }
        self.decision = w.Dropdown(
            description=t._("Decision"), options=[], layout=w.Layout(width="44em")
        )
        # Radio buttons, not toggle buttons: the chosen one is said by its state, not a colour.
        self.axis = w.RadioButtons(
            options=[(t._("By learner"), "learner"), (t._("By decision"), "decision")],
            description=t._("Heatmap rows"),
            style={"description_width": "initial"},
        )
        self.axis.add_class("ss-lang-switch")
        self.decision.observe(lambda _: self._render_distribution(), "value")
        self.axis.observe(lambda _: self._render_heatmap(), "value")
        p = self.panels
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                p["summary"],
                p["updated"],
                p["where"],
                self.decision,
                p["distribution"],
                p["misconceptions"],
                self.axis,
                p["heatmap"],
                p["profile"],
                p["learners"],
            ]
        )
        self.widget.add_class("ss-dash")

    def _set(self, name: str, html: str) -> None:
        if self.panels[name].value != html:
            self.panels[name].value = html

    def show(self, snapshot: Snapshot, cohort: Mapping[str, Any], when: str = "") -> None:
        """Show a new snapshot, keeping the trainer's chosen decision and heatmap axis."""
        self.snapshot, self.cohort = snapshot, cohort
        options = decision_options(self.scenarios, list(cohort.get("scenarios") or []))
        if [o[1] for o in options] != [o[1] for o in self.decision.options]:
            keep = self.decision.value
            self.decision.options = options
            values = [o[1] for o in options]
            self.decision.value = keep if keep in values else (values[0] if values else None)
        t = self.t
        self._set("summary", summary_html(snapshot.summary, cohort, t))
        updated = text_tag("p", t._("Updated {time}", time=when), class_="ss-muted")
        self._set("updated", updated if when else "")
        self._set("where", where_html(snapshot.progress, t))
        self._set("learners", learners_html(snapshot.progress, t))
        joined = snapshot.summary.get("joined", 0)
        self._set("misconceptions", misconceptions_html(snapshot.misconceptions, joined, t))
        self._set("profile", profile_html(snapshot.profile, t))
        self._render_distribution()
        self._render_heatmap()

    def _render_distribution(self) -> None:
        if self.snapshot is None or not self.decision.value:
            return
        sid, did = self.decision.value
        scenario = self.scenarios[sid]
        n = self.snapshot.answered.get((sid, did), 0)
        label = dict((v, k) for k, v in self.decision.options).get((sid, did), did)
        t = self.t
        title = t.ngettext(
            "Answers to {label} ({n} learner)", "Answers to {label} ({n} learners)", n, label=label
        )
        found = self.snapshot.distribution(scenario, did)
        html = (
            plan_distribution_html(found, title, t)
            if isinstance(found, dict)
            else distribution_html(found, title, t)
        )
        self._set("distribution", html)

    def _render_heatmap(self) -> None:
        if self.snapshot is None:
            return
        if self.axis.value == "learner":
            names = dict(
                zip(self.snapshot.progress["learner"], self.snapshot.progress["name"], strict=False)
            )
            order = [
                k
                for k in dict.fromkeys(self.snapshot.progress["learner"])
                if k in self.snapshot.heatmap.index
            ]
            frame = self.snapshot.heatmap.reindex(order)
            labels = {k: learner_label(k, names.get(k), self.t) for k in order}
            title = self.t._("Steps by learner (share of evidence that was sound)")
        else:
            frame = self.snapshot.decision_heatmap
            labels = {key: f"{key[0]} · {key[1]}" for key in frame.index}
            title = self.t._("Steps by decision (share of evidence that was sound)")
        self._set("heatmap", heatmap_html(frame, labels, title, self.t))


def debrief_html(view: Debrief, t: Translator = ENGLISH) -> str:
    """The projector page for one decision: nothing on it names or identifies a learner.

    The guidance's key points are shown as written (English): the catalogue holds the
    guidance a learner sees, not the trainers' notes (docs/translation.md)."""
    room = t._("How the room answered")
    if isinstance(view.distribution, dict):
        chart_html = plan_distribution_html(view.distribution, room, t)
    else:
        chart_html = distribution_html(view.distribution, room, t)
    where = t._(
        "{title} — decision {number} of {of}",
        title=view.scenario_title,
        number=view.number,
        of=view.of,
    )
    head = text_tag("p", where, class_="ss-muted") + text_tag(
        "h2", view.label or t._("This decision")
    )
    samples = "".join(text_tag("blockquote", s, class_="ss-sample") for s in view.samples)
    guidance = "".join(
        tag(
            "li",
            text_tag("strong", f"{g.step} {t.term(g.heading)}")
            + tag("p", esc(t.term(g.summary)))
            + tag("ul", "".join(text_tag("li", k) for k in g.key_points), lang="en"),
        )
        for g in view.guidance
    )
    beliefs = "".join(
        tag(
            "li",
            text_tag("strong", t.term(name))
            + " ("
            + esc(t.ngettext("{n} learner", "{n} learners", n))
            + "): "
            + esc(t.term(fix)),
        )
        for name, fix, n in view.misconceptions
    )
    parts = [
        head,
        tag("div", markdown(view.prompt)),
        text_tag("p", t.ngettext("{n} learner answered.", "{n} learners answered.", view.answered)),
        chart_html,
        text_tag("h3", t._("What people wrote")) + samples if samples else "",
        text_tag("h3", t._("Beliefs that showed up")) + tag("ul", beliefs) if beliefs else "",
        text_tag("h3", t._("One way to put it"))
        + text_tag("blockquote", view.model_rationale, class_="ss-sample ss-model")
        if view.model_rationale
        else "",
        text_tag("h3", t._("The guidance")) + tag("ul", guidance) if guidance else "",
        text_tag("h3", t._("Trainer's notes")) + tag("div", markdown(view.notes)),
    ]
    return tag("div", CSS + "".join(parts), class_="ss-projector ss-dash")
