"""Figures for a review report: they draw the analysis tables, never compute them.

Each chart takes DataFrames from the analysis modules and returns a matplotlib ``Figure``
built without pyplot, so no global figure state leaks between notebook cells, tests or app
sessions. ``save`` writes PNG or SVG by the path's suffix.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

# How each kind of flow is drawn on the timeline: solid when shared, dashed when missed.
FLOW_STYLES: dict[str, dict[str, Any]] = {
    "shared": {"color": "#1b7f5b", "linestyle": "-", "label": "shared on time"},
    "late": {"color": "#d97706", "linestyle": "-", "label": "shared late"},
    "missed": {"color": "#c0392b", "linestyle": "--", "label": "missed (should have shared)"},
}
LANE_SHADE = "#f3f4f6"
LANE_LABEL_WIDTH = 26  # characters before a lane name wraps
HEATMAP_LABEL_WIDTH = 22
EVENT_COLOUR = "#374151"
# Label offsets (points) used in turn when events in a lane are too close to label alike.
LABEL_OFFSETS = (7, -14, 16, -23)


def _lane_order(events: pd.DataFrame, flows: pd.DataFrame, lanes: Mapping[str, str] | None):
    if lanes is not None:
        return dict(lanes)
    seen = [*events["agency"], *flows.get("from", []), *flows.get("to", [])]
    names = dict(zip(events["agency"], events.get("agency_name", events["agency"]), strict=False))
    return {agency: names.get(agency, agency) for agency in dict.fromkeys(seen)}


def _draw_lanes(ax: Any, lanes: Mapping[str, str]) -> dict[str, float]:
    rows = {agency: float(len(lanes) - 1 - i) for i, agency in enumerate(lanes)}
    for y in rows.values():
        if int(y) % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color=LANE_SHADE, zorder=0)
    names = [textwrap.fill(lanes[a], LANE_LABEL_WIDTH) for a in rows]
    ax.set_yticks(list(rows.values()), names, fontsize=9)
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    return rows


def _draw_flows(ax: Any, flows: pd.DataFrame, rows: Mapping[str, float]) -> None:
    # ``from`` is a Python keyword, so the column arrives renamed ``source``.
    for flow in flows.itertuples(index=False):
        style = FLOW_STYLES.get(flow.kind)
        end = flow.due if pd.isna(flow.arrived) else flow.arrived
        source, target = rows.get(flow.source), rows.get(flow.to)
        if style is None or source is None or target is None or pd.isna(end):
            continue
        ax.annotate(
            "",
            xy=(mdates.date2num(end), target),
            xytext=(mdates.date2num(flow.date), source),
            arrowprops={
                "arrowstyle": "-|>",
                "color": style["color"],
                "linestyle": style["linestyle"],
                "linewidth": 1.2,
                "shrinkA": 5,
                "shrinkB": 5,
                "connectionstyle": "arc3,rad=0.08",
                "alpha": 0.85,
            },
            zorder=2,
        )


def _draw_events(ax: Any, events: pd.DataFrame, rows: Mapping[str, float], gap: float) -> None:
    """Markers with id labels; a label too close to the previous one in its lane (``gap``
    in date units) takes the next offset in LABEL_OFFSETS so the two do not overprint."""
    last: dict[str, tuple[float, int]] = {}  # lane → (x of the last label, offset index)
    for event in events.itertuples(index=False):
        y = rows.get(event.agency)
        if y is None:
            continue
        x = mdates.date2num(event.date)
        ax.plot(x, y, "o", color=EVENT_COLOUR, markersize=6, mec="white", zorder=3)
        previous_x, level = last.get(event.agency, (float("-inf"), -1))
        level = (level + 1) % len(LABEL_OFFSETS) if x - previous_x < gap else 0
        last[event.agency] = (x, level)
        ax.annotate(
            event.id,
            (x, y),
            xytext=(0, LABEL_OFFSETS[level]),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color=EVENT_COLOUR,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
            zorder=4,
        )


def timeline(
    events: pd.DataFrame,
    flows: pd.DataFrame,
    lanes: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Swimlane timeline: one lane per agency, events as markers labelled by id, shares as
    solid arrows (late ones in amber) and missed shares as dashed red arrows to their due day.

    ``events`` is ``chronology.events_frame``; ``flows`` is ``flows.flow_records``; ``lanes``
    (id → name, top to bottom) defaults to agencies in order of appearance.
    """
    lanes = _lane_order(events, flows, lanes)
    figure = Figure(figsize=(12, 1.2 + 0.75 * max(len(lanes), 1)), layout="constrained")
    ax = figure.add_subplot()
    rows = _draw_lanes(ax, lanes)
    _draw_flows(ax, flows.rename(columns={"from": "source"}), rows)
    dates = [*events["date"], *flows.get("arrived", []), *flows.get("due", [])]
    dates = [d for d in dates if not pd.isna(d)]
    span = (max(dates) - min(dates)).days if dates else 0
    if dates:
        pad = pd.Timedelta(days=max(span * 0.03, 3))
        ax.set_xlim(mdates.date2num(min(dates) - pad), mdates.date2num(max(dates) + pad))
    _draw_events(ax, events, rows, gap=max(span * 0.03, 1))
    locator = mdates.AutoDateLocator(maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    handles = [
        Line2D([], [], color=s["color"], linestyle=s["linestyle"], label=s["label"])
        for s in FLOW_STYLES.values()
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
    )
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure


def flow_heatmap(
    table: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    cmap: str = "Reds",
) -> Figure:
    """A from × to table (``flows.square``) as a heatmap with each non-zero count written in.

    ``labels`` maps agency ids to the names shown (wrapped); ids are shown otherwise.
    """
    labels = labels or {}

    def name(agency: str) -> str:
        return textwrap.fill(labels.get(agency, agency), HEATMAP_LABEL_WIDTH)

    size = max(len(table.columns), 1)
    figure = Figure(figsize=(3 + 0.8 * size, 2.2 + 0.55 * len(table)), layout="constrained")
    ax = figure.add_subplot()
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, vmin=0, aspect="auto")
    ax.set_xticks(
        range(len(table.columns)),
        [name(c) for c in table.columns],
        rotation=35,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
    )
    ax.set_yticks(range(len(table.index)), [name(i) for i in table.index], fontsize=8)
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    peak = values.max() if values.size else 0.0
    for i, j in zip(*values.nonzero(), strict=True):
        dark = values[i, j] > peak * 0.6
        ax.text(
            j,
            i,
            f"{values[i, j]:g}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if dark else "#111827",
        )
    bar = figure.colorbar(image, ax=ax, shrink=0.8)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure


def _bar_label(theme: str, frequencies: pd.DataFrame) -> str:
    name = frequencies.at[theme, "name"] if "name" in frequencies.columns else ""
    return f"{theme} {name}".strip()


def theme_bars(
    frequencies: pd.DataFrame,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    xlabel: str = "count",
) -> Figure:
    """Horizontal bars per theme (``themes.theme_frequencies``), stacked by ``columns``.

    ``columns`` defaults to the group columns (nations or sectors), else ``total``. Rows
    that are zero in every drawn column are left out; T1 is at the top.
    """
    numeric = [c for c in frequencies.columns if c != "name"]
    columns = list(columns or [c for c in numeric if c != "total"] or ["total"])
    shown = frequencies[frequencies[columns].sum(axis=1) > 0]
    figure = Figure(figsize=(9, 1.2 + 0.35 * max(len(shown), 1)), layout="constrained")
    ax = figure.add_subplot()
    positions = list(range(len(shown)))[::-1]
    left = pd.Series(0.0, index=shown.index)
    colours = matplotlib.colormaps["tab10"]
    for k, column in enumerate(columns):
        ax.barh(positions, shown[column], left=left, color=colours(k % 10), label=column)
        left += shown[column]
    ax.set_yticks(positions, [_bar_label(t, frequencies) for t in shown.index], fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(columns) > 1:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure


def notifications_bars(notifications: pd.DataFrame, title: str | None = None) -> Figure:
    """Yearly totals (``themes.sin_context_frame``) as bars; a year with no figure is marked
    "no data" and a derived figure (its note starts "derived") is hatched and footnoted."""
    figure = Figure(figsize=(8, 3.4), layout="constrained")
    ax = figure.add_subplot()
    totals = notifications["total"]
    notes = notifications.get("note", pd.Series("", index=notifications.index)).fillna("")
    lift = float(totals.max()) * 0.03 if totals.notna().any() else 1.0
    derived_any = False
    for x, (year, total) in enumerate(totals.items()):
        if pd.isna(total):
            ax.text(
                x,
                lift,
                "no data",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=8,
                color="#6b7280",
            )
            continue
        derived = str(notes[year]).startswith("derived")
        derived_any |= derived
        ax.bar(
            x,
            total,
            color="#9ca3af" if derived else "#4b5563",
            hatch="//" if derived else None,
            edgecolor="white",
        )
        ax.text(x, total, f"{total}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(
        range(len(totals)), list(notifications.index), rotation=45, ha="right", fontsize=8
    )
    ax.set_ylabel("notifications")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if derived_any:
        ax.annotate(
            "hatched: derived, not published",
            (1, -0.32),
            xycoords="axes fraction",
            ha="right",
            fontsize=7,
            color="#6b7280",
        )
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure


CHARTS: dict[str, Callable[..., Figure]] = {
    "timeline": timeline,
    "flow-heatmap": flow_heatmap,
    "theme-bars": theme_bars,
    "notifications-bars": notifications_bars,
}
FORMATS: dict[str, dict[str, Any]] = {
    ".png": {"format": "png", "dpi": 150},
    ".svg": {"format": "svg"},
}


def save(figure: Figure, path: Path | str) -> Path:
    """Write the figure as PNG or SVG, chosen by the path's suffix; return the path."""
    path = Path(path)
    options = FORMATS.get(path.suffix.lower())
    if options is None:
        raise ValueError(f"cannot save a figure as '{path.suffix}' (use {', '.join(FORMATS)})")
    figure.savefig(path, bbox_inches="tight", facecolor="white", **options)
    return path
