"""The reviewer's tables as escaped HTML: chronology, who knew, flows, misses, themes, kappa.

Each function takes a table from ``toolkit.review`` and returns HTML. Every value from a
case file or an uploaded spreadsheet goes through ``esc``/``text_tag``; states are written in
words ("never", "not yet", "late") so that nothing relies on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from toolkit.guidance import vocabulary
from toolkit.i18n import N_, Translator, translator
from toolkit.problems import Problem
from toolkit.review.flows import MATRIX_COLUMNS
from toolkit.widgets.html import esc, tag, text_tag

MAX_PROBLEMS_SHOWN = 50
RARE_THEMES = N_(
    "Kappa discounts the agreement that two reviewers' own rates would give by chance, so a "
    "rare theme can score low while they agree on nearly every event: read it with the counts."
)
NEVER = N_("never")
ENGLISH = translator("en")

# Landis and Koch (1977): the usual words for kappa's size, by lower bound; a convention.
KAPPA_WORDS: tuple[tuple[float, str], ...] = (
    (0.81, N_("almost perfect")),
    (0.61, N_("substantial")),
    (0.41, N_("moderate")),
    (0.21, N_("fair")),
    (0.0, N_("slight")),
    (-math.inf, N_("poor (below chance)")),
)


# --- cells -----------------------------------------------------------------------------------


def day(stamp: object) -> str:
    """A date as ``2022-09-12`` (with ``HH:MM`` when it has a time of day); blank for NaT."""
    if stamp is None or pd.isna(stamp):
        return ""
    stamp = pd.Timestamp(stamp)
    return stamp.strftime("%Y-%m-%d %H:%M" if stamp != stamp.normalize() else "%Y-%m-%d")


def labelled_ids(ids: Iterable[str], t: Translator = ENGLISH) -> str:
    """Theme or step ids, each with its name as a tooltip (``<abbr title=…>``)."""
    vocab = vocabulary()
    names = {k: theme.name for k, theme in vocab.themes.items()}
    names |= {k: s.short or s.heading for k, s in vocab.steps.items()}
    return ", ".join(tag("abbr", esc(i), title=t.term(names.get(i, i))) for i in ids)


def agency_list(ids: Iterable[str], lanes: Mapping[str, str]) -> str:
    """Agency names, one per line."""
    return "<br>".join(esc(lanes.get(i, i)) for i in ids)


def when(stamp: object) -> str:
    """A date cell that never breaks across lines."""
    return text_tag("span", day(stamp), class_="ss-nowrap") if day(stamp) else ""


def theme_name(theme: str, t: Translator = ENGLISH) -> str:
    """``T6 Assuming someone else knows or has acted`` (the id alone if it is not a theme)."""
    themes = vocabulary().themes
    return esc(f"{theme} {t.term(themes[theme].name)}" if theme in themes else theme)


def number(value: object, digits: int = 0) -> str:
    """A count or measure as text; NaN/NA as an en dash (the cell explains nothing is there)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.{digits}f}" if digits else f"{int(value)}"


def table(caption: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A captioned table in a scrollable region. ``header`` is plain text; cells are HTML."""
    head = tag("tr", "".join(text_tag("th", h, scope="col") for h in header))
    body = "".join(tag("tr", "".join(tag("td", cell) for cell in row)) for row in rows)
    content = text_tag("caption", caption) + tag("thead", head) + tag("tbody", body)
    return tag(
        "div",
        tag("table", content, class_="ss-table"),
        class_="ss-scroll",
        role="region",
        aria_label=caption,
        tabindex="0",
    )


# --- panels of text --------------------------------------------------------------------------


def problems_panel(problems: Sequence[Problem], intro: str, t: Translator = ENGLISH) -> str:
    """An alert listing each problem as ``file:row: column: message`` (the first 50).

    The problems themselves are the case checker's words (English), marked so."""
    shown = list(problems)[:MAX_PROBLEMS_SHOWN]
    items = "".join(tag("li", text_tag("code", str(p), lang="en")) for p in shown)
    more = len(problems) - len(shown)
    tail = text_tag("p", t.ngettext("… and {n} more.", "… and {n} more.", more)) if more > 0 else ""
    return tag(
        "div",
        text_tag("p", intro) + tag("ul", items) + tail,
        class_="ss-msg ss-error",
        role="alert",
    )


def message(text: str, kind: str = "info") -> str:
    """A one-line notice; ``kind`` is ``info`` (a status) or ``error`` (an alert)."""
    role = "alert" if kind == "error" else "status"
    return text_tag("div", text, class_=f"ss-msg ss-{kind}", role=role)


# --- per-review tables -----------------------------------------------------------------------


def chronology_table(
    events: pd.DataFrame, lanes: Mapping[str, str], t: Translator = ENGLISH
) -> str:
    """The merged chronology (``events_frame``, already filtered and sorted)."""
    rows = [
        [
            when(e.date),
            esc(e.id),
            esc(lanes.get(e.agency, e.agency_name)),
            esc(e.event),
            agency_list(e.known_by, lanes),
            agency_list(e.shared_to, lanes),
            agency_list(e.missed_to, lanes),
            labelled_ids(e.themes, t),
            labelled_ids(e.steps, t),
        ]
        for e in events.itertuples(index=False)
    ]
    header = [N_("Date"), N_("Id"), N_("Recorded by"), N_("What happened"), N_("Known by")]
    header += [N_("Shared with"), N_("Should also have been told"), N_("Themes"), N_("Steps")]
    return table(t._("Merged chronology"), [t._(h) for h in header], rows)


def _knew_cell(learnt: object, knew_by_then: bool | None, t: Translator = ENGLISH) -> str:
    if learnt is None or pd.isna(learnt):
        return text_tag("span", t._(NEVER), class_="ss-muted")
    if knew_by_then is False:
        return esc(t._("not yet, from {date}", date="\0")).replace("\0", when(learnt))
    return tag("strong", esc(t._("knew"))) + " " + when(learnt)


def who_knew_table(
    knew: pd.DataFrame,
    events: pd.DataFrame,
    lanes: Mapping[str, str],
    known: pd.DataFrame | None = None,
    t: Translator = ENGLISH,
) -> str:
    """Event × agency: when each agency came to know (``who_knew``); with ``known``
    (``known_on`` for a day), dates after that day read "not yet"."""
    texts = dict(zip(events["id"], events["event"], strict=False))
    rows = []
    for event_id, dates in knew.iterrows():
        cells = [esc(event_id), esc(texts.get(event_id, ""))]
        for agency, learnt in dates.items():
            by_then = None if known is None else bool(known.at[event_id, agency])
            cells.append(_knew_cell(learnt, by_then, t))
        rows.append(cells)
    header = [t._("Event"), t._("What happened"), *(lanes.get(a, a) for a in knew.columns)]
    return table(t._("Who knew what, and from when"), header, rows)


def flow_pairs_table(
    matrix: pd.DataFrame, lanes: Mapping[str, str], t: Translator = ENGLISH
) -> str:
    """The agency pairs of a ``flow_matrix`` with any flow, every measure in words."""
    active = matrix[matrix[list(MATRIX_COLUMNS)].sum(axis=1) > 0]
    rows = [
        [esc(lanes.get(source, source)), esc(lanes.get(target, target))]
        + [esc(number(values[c])) for c in MATRIX_COLUMNS]
        for (source, target), values in active.iterrows()
    ]
    header = [N_("From"), N_("To"), N_("Shares made"), N_("Of which late")]
    header += [N_("Missed (never made)"), N_("Days late")]
    return table(t._("Information flows between agencies"), [t._(h) for h in header], rows)


def missed_table(missed: pd.DataFrame, lanes: Mapping[str, str], t: Translator = ENGLISH) -> str:
    """Missed opportunities (``missed_opportunities``) in rank order."""
    rows = []
    for rank, m in missed.iterrows():
        reached = (
            t._("never told (lag runs to the chronology's end)")
            if m["never"]
            else day(m["reached"])
        )
        rows.append(
            [
                esc(rank),
                esc(m["event"]),
                when(m["date"]),
                esc(f"{lanes.get(m['from'], m['from'])} → {lanes.get(m['to'], m['to'])}"),
                when(m["by"]) or "–",
                esc(reached) if m["never"] else when(m["reached"]),
                esc(number(m["lag_days"])),
                esc(number(m["days_late"])),
                labelled_ids(m["themes"], t),
                labelled_ids(m["steps"], t),
                esc(m["text"]),
            ]
        )
    header = [N_("Rank"), N_("Event"), N_("Known"), N_("Should have gone"), N_("Due by")]
    header += [N_("Recipient knew"), N_("Lag (days)"), N_("Days late"), N_("Themes")]
    header += [N_("Steps"), N_("What happened")]
    return table(t._("Missed opportunities, longest delay first"), [t._(h) for h in header], rows)


def lag_table(lags: pd.DataFrame, key: str, t: Translator = ENGLISH) -> str:
    """``lag_by`` per theme (``key="themes"``) or step (``"steps"``)."""
    label = t._("Theme") if key == "themes" else t._("Step")
    rows = [
        [
            labelled_ids([ident], t),
            esc(number(r["missed"])),
            esc(number(r["never"])),
            esc(number(r["mean_lag"], 1)),
            esc(number(r["max_lag"])),
        ]
        for ident, r in lags.iterrows()
    ]
    header = [label] + [
        t._(h)
        for h in (N_("Missed"), N_("Never shared"), N_("Mean lag (days)"), N_("Longest lag (days)"))
    ]
    caption = (
        t._("Missed opportunities by theme")
        if key == "themes"
        else t._("Missed opportunities by step")
    )
    return table(caption, header, rows)


# --- across reviews --------------------------------------------------------------------------


def group_name(column: str, t: Translator = ENGLISH) -> str:
    """A nation's or sector's name for its id; anything else unchanged."""
    vocab = vocabulary()
    record = vocab.nations.get(column) or vocab.sectors.get(column)
    return t.term(record.name) if record else column


def frequency_table(frequencies: pd.DataFrame, caption: str, t: Translator = ENGLISH) -> str:
    """``theme_frequencies``/``step_frequencies``: one row per id with a non-zero total."""
    groups = [c for c in frequencies.columns if c not in ("name", "total")]
    shown = frequencies[frequencies["total"] > 0]
    rows = [
        [esc(ident), esc(t.term(r["name"]))]
        + [esc(number(r[g])) for g in groups]
        + [esc(r["total"])]
        for ident, r in shown.iterrows()
    ]
    header = [t._("Id"), t._("Name"), *(group_name(g, t) for g in groups), t._("Total")]
    return table(caption, header, rows)


def notifications_table(notifications: pd.DataFrame, t: Translator = ENGLISH) -> str:
    """``sin_context_frame``: each year's counts, with its note and source in words."""
    counts = ["total", "child_death", "serious_harm", "other"]
    rows = [
        [esc(year)]
        + [esc(number(r[c]) if not pd.isna(r[c]) else t._("no figure")) for c in counts]
        + [
            tag("span", esc(r["note"] or ""), lang="en"),
            tag("span", esc(r["source"] or ""), lang="en"),
        ]
        for year, r in notifications.iterrows()
    ]
    header = [N_("Year (April–March)"), N_("Total"), N_("Child died"), N_("Serious harm")]
    header += [N_("Other"), N_("Note"), N_("Source")]
    caption = t._("Serious incident notifications, England")
    return table(caption, [t._(h) for h in header], rows)


def notifications_sources(notifications: pd.DataFrame, t: Translator = ENGLISH) -> str:
    """The distinct sources of the figures, in first-cited order, as one line of text."""
    sources = [s for s in dict.fromkeys(notifications["source"].fillna("")) if s]
    return t._("Sources: {sources}.", sources="; ".join(sources))


# --- agreement -------------------------------------------------------------------------------


def kappa_words(kappa: float, t: Translator = ENGLISH) -> str:
    """Kappa in the usual words (Landis and Koch, 1977); "undefined" when it is NaN."""
    if kappa is None or math.isnan(kappa):
        return t._("undefined (no variation to agree on)")
    return t._(next(words for lower, words in KAPPA_WORDS if round(kappa, 2) >= lower))


def agreement_html(agreement: pd.DataFrame, t: Translator = ENGLISH) -> str:
    """``agreement_table``: the pooled kappa in words, then each theme's 2×2 counts."""
    first, second = agreement.attrs.get("reviewers", ("first", "second"))
    overall = agreement.loc["overall"]
    summary = t._(
        "Overall (pooled over themes) kappa between {first} and {second}: {kappa}, {words}; "
        "they agree on {observed}% of theme decisions, {expected}% would be expected by chance.",
        first=first,
        second=second,
        kappa=number(overall["kappa"], 2),
        words=kappa_words(overall["kappa"], t),
        observed=number(100 * overall["observed"], 0),
        expected=number(100 * overall["expected"], 0),
    )
    rows = [
        [
            theme_name(theme, t)
            if theme != "overall"
            else tag("strong", esc(t._("overall (pooled)")))
        ]
        + [esc(number(r[c])) for c in ("events", "both", "first_only", "second_only", "neither")]
        + [esc(f"{number(100 * r['observed'], 0)}%"), esc(f"{number(100 * r['expected'], 0)}%")]
        + [esc(number(r["kappa"], 2)), esc(kappa_words(r["kappa"], t))]
        for theme, r in agreement.iterrows()
    ]
    header = [t._("Theme"), t._("Events"), t._("Both"), t._("{name} only", name=first)]
    header += [t._("{name} only", name=second), t._("Neither"), t._("Observed")]
    header += [t._("By chance"), t._("Kappa"), t._("In words")]
    caption = t._("Agreement per theme: {first} and {second}", first=first, second=second)
    return (
        text_tag("p", summary, class_="ss-lead")
        + text_tag("p", t._(RARE_THEMES), class_="ss-muted")
        + table(caption, header, rows)
    )


CSS = """
<style>
.ss-app.ss-reviewer { max-width: 90em; }
.ss-app .ss-controls { margin: .4em 0; align-items: center; gap: .3em 1.2em; }
.ss-app .ss-controls .widget-dropdown { width: auto; }
.ss-app .ss-controls .widget-dropdown select { max-width: 24em; }
.ss-app .widget-tab { margin-top: .6em; }
.ss-app .ss-scroll { overflow-x: auto; margin: .6em 0; max-width: 100%; }
.ss-app .ss-table { border-collapse: collapse; font-size: 13px; }
.ss-app .ss-table caption { text-align: left; font-weight: bold; padding: .3em 0; }
.ss-app .ss-table th, .ss-app .ss-table td { border: 1px solid #bbb; padding: .2em .45em;
  text-align: left; vertical-align: top; line-height: 1.35; }
.ss-app .ss-nowrap { white-space: nowrap; }
.ss-app .ss-table th { background: #eef1f4; }
.ss-app .ss-table tbody tr:nth-child(even) { background: #f7f8fa; }
.ss-app .ss-table abbr { text-decoration: underline dotted; cursor: help; }
.ss-app .ss-figure { margin: .6em 0; }
.ss-app .ss-chart { max-width: 100%; height: auto; border: 1px solid #ddd; }
.ss-app .ss-figure figcaption { font-size: .9em; color: #333; }
.ss-app a.ss-download { display: inline-block; margin-right: 1.2em; font-weight: bold;
  color: #1a5d9a; text-decoration: underline; }
.ss-app a.ss-download::before { content: "⬇ "; text-decoration: none; }
.ss-app .ss-lead { font-size: 1.05em; }
.ss-app .ss-review-heading h2 { margin-bottom: .1em; }
.ss-app .ss-source { align-items: center; gap: 1em; flex-wrap: wrap; }
</style>
"""
