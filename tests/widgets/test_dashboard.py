"""Dashboard and debrief HTML: every figure also in words, every learner string escaped."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from toolkit.widgets.dashboard import (
    bar_row,
    debrief_html,
    distribution_html,
    heatmap_html,
    learner_label,
    learners_html,
    misconceptions_html,
    summary_html,
    where_html,
)
from toolkit.workshop.debrief import Debrief, Guidance

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '=HYPERLINK("http://evil.example")',
    '" onmouseover="alert(3)',
]


def progress(names):
    rows = [
        {
            "learner": f"L-00000000{i:02d}",
            "name": n,
            "scenario": "sc-x",
            "answered": i,
            "current": "d2",
            "current_number": 2.0,
            "current_label": "Second <b>call</b>",
            "finished": False,
            "ending": "",
        }
        for i, n in enumerate(names)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", HOSTILE)
def test_learner_names_render_as_text(name):
    """Is a hostile display name escaped in the learner list, never live markup?"""
    html = learners_html(progress([name]))
    assert name not in html
    assert "<script" not in html and "<img" not in html and 'onmouseover="' not in html


def test_missing_name_gets_a_short_pseudonym():
    """Is a learner without a display name shown by the end of their random id?"""
    assert learner_label("L-1d638290fb", None) == "Learner 90fb"
    assert learner_label("L-1d638290fb", "  ") == "Learner 90fb"


def test_cohort_name_is_escaped_in_the_summary():
    """Is the trainer-typed cohort name escaped in the dashboard heading?"""
    html = summary_html({"joined": 3}, {"name": HOSTILE[0], "code": "ABC234", "closed": False})
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<strong>3</strong>joined" in html and "<strong>0</strong>finished" in html


def test_bars_carry_their_numbers_as_text():
    """Does each bar state its value in words, and clamp its width to 0–100%?"""
    assert 'style="width:100%"' in bar_row("x", 1.7, "17 learners")
    assert 'style="width:0%"' in bar_row("x", float("nan"), "–")
    frame = pd.DataFrame(
        [("a", HOSTILE[1], 3, 0.75, True), ("b", "Wait", 1, 0.25, False)],
        columns=["value", "text", "count", "share", "right"],
    )
    html = distribution_html(frame, "Answers")
    assert "3 (75%)" in html and "1 (25%)" in html and "✔ right" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_where_the_room_is_counts_places():
    """Are learners grouped by the decision they are on, with the label escaped?"""
    html = where_html(progress(["a", "b"]))
    assert "Decision 2: Second &lt;b&gt;call&lt;/b&gt;" in html and "2 learners" in html


def test_heatmap_cells_show_numbers_and_mark_gaps():
    """Does each heatmap cell show its percentage, and a dash where there is no evidence?"""
    frame = pd.DataFrame(
        [[1.0, math.nan] + [0.5] * 8], index=["L-1"], columns=[f"S{n}" for n in range(1, 11)]
    )
    html = heatmap_html(frame, {"L-1": HOSTILE[0]}, "Steps")
    assert ">100%<" in html and ">50%<" in html and 'title="no evidence">–<' in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_misconceptions_empty_and_full():
    """Does an empty list say so, and a full one show the share of the room?"""
    empty = pd.DataFrame(columns=["misconception", "name", "answers", "learners"])
    assert "None shown so far." in misconceptions_html(empty, 0)
    full = pd.DataFrame([("M-x", "Waiting", 2, 2)], columns=empty.columns)
    html = misconceptions_html(full, 8)
    assert "2 of 8 learners" in html and 'style="width:25%"' in html


def test_debrief_escapes_samples_and_renders_markdown_safely():
    """On the projector, is a sample's markup shown as text and notes' raw HTML inert?"""
    dist = pd.DataFrame(
        [("a", "Refer", 2, 1.0, True)], columns=["value", "text", "count", "share", "right"]
    )
    view = Debrief(
        scenario_title="Case",
        number=1,
        of=3,
        label="First",
        prompt="**Now?**",
        type="choice",
        answered=2,
        distribution=dist,
        samples=(HOSTILE[1],),
        guidance=(Guidance("S5", "Assess the risks", "Judge, then share.", ("Point",)),),
        misconceptions=(("Waiting for proof", "Share a concern now.", 1),),
        notes="<script>alert(9)</script> **Ask the room**",
        model_rationale="Refer <now>.",
    )
    html = debrief_html(view)
    assert "<strong>Now?</strong>" in html and "<strong>Ask the room</strong>" in html
    assert "<script>" not in html and "<img" not in html
    assert "decision 1 of 3" in html and "2 learners answered." in html
    assert "S5 Assess the risks" in html and "Waiting for proof" in html
    assert "One way to put it" in html and "Refer &lt;now&gt;." in html
