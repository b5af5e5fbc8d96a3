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
from toolkit.problems import Problem
from toolkit.review.flows import MATRIX_COLUMNS
from toolkit.widgets.html import esc, tag, text_tag

MAX_PROBLEMS_SHOWN = 50
RARE_THEMES = (
    "Kappa discounts the agreement that two reviewers' own rates would give by chance, so a "
    "rare theme can score low while they agree on nearly every event: read it with the counts."
)
NEVER = "never"

# Landis and Koch (1977): the usual words for kappa's size, by lower bound; a convention.
KAPPA_WORDS: tuple[tuple[float, str], ...] = (
    (0.81, "almost perfect"),
    (0.61, "substantial"),
    (0.41, "moderate"),
    (0.21, "fair"),
    (0.0, "slight"),
    (-math.inf, "poor (below chance)"),
)


# --- cells -----------------------------------------------------------------------------------


def day(stamp: object) -> str:
    """A date as ``2022-09-12`` (with ``HH:MM`` when it has a time of day); blank for NaT."""
    if stamp is None or pd.isna(stamp):
        return ""
    stamp = pd.Timestamp(stamp)
    return stamp.strftime("%Y-%m-%d %H:%M" if stamp != stamp.normalize() else "%Y-%m-%d")


def labelled_ids(ids: Iterable[str]) -> str:
    """Theme or step ids, each with its name as a tooltip (``<abbr title=…>``)."""
    vocab = vocabulary()
    names = {k: t.name for k, t in vocab.themes.items()}
    names |= {k: s.short or s.heading for k, s in vocab.steps.items()}
    return ", ".join(tag("abbr", esc(i), title=names.get(i, i)) for i in ids)


def agency_list(ids: Iterable[str], lanes: Mapping[str, str]) -> str:
    """Agency names, one per line."""
    return "<br>".join(esc(lanes.get(i, i)) for i in ids)


def when(stamp: object) -> str:
    """A date cell that never breaks across lines."""
    return text_tag("span", day(stamp), class_="ss-nowrap") if day(stamp) else ""


def theme_name(theme: str) -> str:
    """``T6 Assuming someone else knows or has acted`` (the id alone if it is not a theme)."""
    themes = vocabulary().themes
    return esc(f"{theme} {themes[theme].name}" if theme in themes else theme)


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


def problems_panel(problems: Sequence[Problem], intro: str) -> str:
    """An alert listing each problem as ``file:row: column: message`` (the first 50)."""
    shown = list(problems)[:MAX_PROBLEMS_SHOWN]
    items = "".join(tag("li", text_tag("code", str(p))) for p in shown)
    more = len(problems) - len(shown)
    tail = text_tag("p", f"… and {more} more.") if more > 0 else ""
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


def chronology_table(events: pd.DataFrame, lanes: Mapping[str, str]) -> str:
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
            labelled_ids(e.themes),
            labelled_ids(e.steps),
        ]
        for e in events.itertuples(index=False)
    ]
    header = ["Date", "Id", "Recorded by", "What happened", "Known by", "Shared with"]
    header += ["Should also have been told", "Themes", "Steps"]
    return table("Merged chronology", header, rows)


def _knew_cell(learnt: object, knew_by_then: bool | None) -> str:
    if learnt is None or pd.isna(learnt):
        return text_tag("span", NEVER, class_="ss-muted")
    if knew_by_then is False:
        return esc("not yet, from ") + when(learnt)
    return tag("strong", esc("knew")) + " " + when(learnt)


def who_knew_table(
    knew: pd.DataFrame,
    events: pd.DataFrame,
    lanes: Mapping[str, str],
    known: pd.DataFrame | None = None,
) -> str:
    """Event × agency: when each agency came to know (``who_knew``); with ``known``
    (``known_on`` for a day), dates after that day read "not yet"."""
    texts = dict(zip(events["id"], events["event"], strict=False))
    rows = []
    for event_id, dates in knew.iterrows():
        cells = [esc(event_id), esc(texts.get(event_id, ""))]
        for agency, learnt in dates.items():
            by_then = None if known is None else bool(known.at[event_id, agency])
            cells.append(_knew_cell(learnt, by_then))
        rows.append(cells)
    header = ["Event", "What happened", *(lanes.get(a, a) for a in knew.columns)]
    return table("Who knew what, and from when", header, rows)


def flow_pairs_table(matrix: pd.DataFrame, lanes: Mapping[str, str]) -> str:
    """The agency pairs of a ``flow_matrix`` with any flow, every measure in words."""
    active = matrix[matrix[list(MATRIX_COLUMNS)].sum(axis=1) > 0]
    rows = [
        [esc(lanes.get(source, source)), esc(lanes.get(target, target))]
        + [esc(number(values[c])) for c in MATRIX_COLUMNS]
        for (source, target), values in active.iterrows()
    ]
    header = ["From", "To", "Shares made", "Of which late", "Missed (never made)", "Days late"]
    return table("Information flows between agencies", header, rows)


def missed_table(missed: pd.DataFrame, lanes: Mapping[str, str]) -> str:
    """Missed opportunities (``missed_opportunities``) in rank order."""
    rows = []
    for rank, m in missed.iterrows():
        reached = (
            "never told (lag runs to the chronology's end)" if m["never"] else day(m["reached"])
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
                labelled_ids(m["themes"]),
                labelled_ids(m["steps"]),
                esc(m["text"]),
            ]
        )
    header = ["Rank", "Event", "Known", "Should have gone", "Due by", "Recipient knew"]
    header += ["Lag (days)", "Days late", "Themes", "Steps", "What happened"]
    return table("Missed opportunities, longest delay first", header, rows)


def lag_table(lags: pd.DataFrame, key: str) -> str:
    """``lag_by`` per theme (``key="themes"``) or step (``"steps"``)."""
    label = "Theme" if key == "themes" else "Step"
    rows = [
        [
            labelled_ids([ident]),
            esc(number(r["missed"])),
            esc(number(r["never"])),
            esc(number(r["mean_lag"], 1)),
            esc(number(r["max_lag"])),
        ]
        for ident, r in lags.iterrows()
    ]
    header = [label, "Missed", "Never shared", "Mean lag (days)", "Longest lag (days)"]
    return table(f"Missed opportunities by {label.lower()}", header, rows)


# --- across reviews --------------------------------------------------------------------------


def group_name(column: str) -> str:
    """A nation's or sector's name for its id; anything else unchanged."""
    vocab = vocabulary()
    record = vocab.nations.get(column) or vocab.sectors.get(column)
    return record.name if record else column


def frequency_table(frequencies: pd.DataFrame, caption: str) -> str:
    """``theme_frequencies``/``step_frequencies``: one row per id with a non-zero total."""
    groups = [c for c in frequencies.columns if c not in ("name", "total")]
    shown = frequencies[frequencies["total"] > 0]
    rows = [
        [esc(ident), esc(r["name"])] + [esc(number(r[g])) for g in groups] + [esc(r["total"])]
        for ident, r in shown.iterrows()
    ]
    header = ["Id", "Name", *(group_name(g) for g in groups), "Total"]
    return table(caption, header, rows)


def notifications_table(notifications: pd.DataFrame) -> str:
    """``sin_context_frame``: each year's counts, with its note and source in words."""
    counts = ["total", "child_death", "serious_harm", "other"]
    rows = [
        [esc(year)]
        + [esc(number(r[c]) if not pd.isna(r[c]) else "no figure") for c in counts]
        + [esc(r["note"] or ""), esc(r["source"] or "")]
        for year, r in notifications.iterrows()
    ]
    header = ["Year (April–March)", "Total", "Child died", "Serious harm", "Other", "Note"]
    header.append("Source")
    return table("Serious incident notifications, England", header, rows)


def notifications_sources(notifications: pd.DataFrame) -> str:
    """The distinct sources of the figures, in first-cited order, as one line of text."""
    sources = [s for s in dict.fromkeys(notifications["source"].fillna("")) if s]
    return "Sources: " + "; ".join(sources) + "."


# --- agreement -------------------------------------------------------------------------------


def kappa_words(kappa: float) -> str:
    """Kappa in the usual words (Landis and Koch, 1977); "undefined" when it is NaN."""
    if kappa is None or math.isnan(kappa):
        return "undefined (no variation to agree on)"
    return next(words for lower, words in KAPPA_WORDS if round(kappa, 2) >= lower)


def agreement_html(agreement: pd.DataFrame) -> str:
    """``agreement_table``: the pooled kappa in words, then each theme's 2×2 counts."""
    first, second = agreement.attrs.get("reviewers", ("first", "second"))
    overall = agreement.loc["overall"]
    summary = (
        f"Overall (pooled over themes) kappa between {first} and {second}: "
        f"{number(overall['kappa'], 2)}, {kappa_words(overall['kappa'])}; they agree on "
        f"{number(100 * overall['observed'], 0)}% of theme decisions, "
        f"{number(100 * overall['expected'], 0)}% would be expected by chance."
    )
    rows = [
        [theme_name(theme) if theme != "overall" else tag("strong", "overall (pooled)")]
        + [esc(number(r[c])) for c in ("events", "both", "first_only", "second_only", "neither")]
        + [esc(f"{number(100 * r['observed'], 0)}%"), esc(f"{number(100 * r['expected'], 0)}%")]
        + [esc(number(r["kappa"], 2)), esc(kappa_words(r["kappa"]))]
        for theme, r in agreement.iterrows()
    ]
    header = ["Theme", "Events", "Both", f"{first} only", f"{second} only", "Neither"]
    header += ["Observed", "By chance", "Kappa", "In words"]
    return (
        text_tag("p", summary, class_="ss-lead")
        + text_tag("p", RARE_THEMES, class_="ss-muted")
        + table(f"Agreement per theme: {first} and {second}", header, rows)
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
