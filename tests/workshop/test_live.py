"""Live aggregates: exact counts for the seeded room, and empty frames that do not break."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from toolkit.export.frames import cohort_frames
from toolkit.workshop.cohorts import CohortRecord
from toolkit.workshop.live import (
    STEP_IDS,
    answered_per_decision,
    misconception_counts,
    option_distribution,
    plan_distribution,
    progress_summary,
    snapshot,
    step_heatmap,
    step_profile,
)


def test_progress_summary_counts_heads(frames):
    """Are joined, started and finished counted once per learner?"""
    assert progress_summary(frames.progress) == {"joined": 5, "started": 4, "finished": 2}


def test_choice_distribution_counts_each_option(frames, nursery):
    """Does each option show how many chose it, unpicked options included, best marked?"""
    d1 = option_distribution(frames.answers, nursery.id, nursery.decision("d1"))
    assert list(d1["value"]) == ["a", "b", "c", "d"]
    assert list(d1["count"]) == [2, 1, 1, 0]
    assert list(d1["share"]) == [0.5, 0.25, 0.25, 0.0]
    assert list(d1["right"]) == [True, False, False, False]


def test_multi_distribution_counts_ticks(frames, nursery):
    """For tick-all-that-apply, is each option's count the learners who ticked it?"""
    d2 = option_distribution(frames.answers, nursery.id, nursery.decision("d2"))
    assert dict(zip(d2["value"], d2["count"], strict=True)) == {"a": 1, "b": 1, "c": 1, "d": 1}
    assert list(d2["right"]) == [True, True, True, False]


def test_plan_distribution_counts_each_field(frames, nursery):
    """Does every share-plan field show the values chosen, with the accepted ones marked?"""
    plan = plan_distribution(frames.answers, nursery.id, nursery.decision("d3"))
    assert set(plan) == {
        "items",
        "recipients",
        "lawful_basis",
        "condition",
        "timing",
        "tell_family",
        "record",
    }
    items = plan["items"].set_index("value")
    assert items.loc["body-map", "count"] == 1 and items.loc["body-map", "right"]
    assert items.loc["whole-file", "count"] == 1 and not items.loc["whole-file", "right"]
    basis = plan["lawful_basis"].set_index("value")
    assert basis.loc["consent", "count"] == 1 and basis.loc["public-task", "count"] == 0
    record = plan["record"].set_index("value")
    assert (record.loc["true", "count"], record.loc["false", "count"]) == (1, 1)


def test_misconceptions_ranked_by_learners(frames):
    """Are misconceptions ordered by how many learners showed them, limited to the top n?"""
    top = misconception_counts(frames.misconceptions, top=2)
    assert list(top["misconception"]) == ["M-wait-for-proof", "M-consent-always"]
    assert list(top["learners"]) == [2, 1] and list(top["answers"]) == [2, 2]


def test_heatmap_by_learner_is_share_of_sound_evidence(frames):
    """Is each cell positive / (positive + negative) for that learner and step?"""
    heat = step_heatmap(frames.steps, "learner")
    assert list(heat.columns) == list(STEP_IDS)
    steps = frames.steps
    for learner, row in heat.iterrows():
        mine = steps[steps["learner"] == learner].groupby("step")[["positive", "negative"]].sum()
        for step in STEP_IDS:
            if step in mine.index:
                plus, minus = mine.loc[step]
                assert row[step] == pytest.approx(plus / (plus + minus))
            else:
                assert math.isnan(row[step])


def test_heatmap_by_decision(frames):
    """Is there one row per answered (scenario, decision)?"""
    heat = step_heatmap(frames.steps, "decision")
    assert set(heat.index.get_level_values("decision")) == {"d1", "d1b", "d2", "d3", "d4"}


def test_profile_covers_all_ten_steps(frames):
    """Does the cohort profile list S1–S10, with NaN where nobody gave evidence?"""
    profile = step_profile(frames.steps).set_index("step")
    assert list(profile.index) == list(STEP_IDS)
    assert math.isnan(profile.loc["S6", "score"]) and profile.loc["S6", "pieces"] == 0
    assert 0 < profile.loc["S5", "score"] < 1 and profile.loc["S5", "learners"] == 4


def test_answered_per_decision(frames, nursery):
    """Is each decision's count the learners who answered it?"""
    counts = answered_per_decision(frames.answers)
    assert counts[(nursery.id, "d1")] == 4 and counts[(nursery.id, "d4")] == 2


def test_an_empty_room_gives_empty_charts(scenarios, nursery):
    """Does a cohort nobody has joined yet aggregate without error?"""
    empty = cohort_frames(CohortRecord(cohort={"id": 1, "code": "X"}), scenarios)
    snap = snapshot(empty)
    assert snap.summary == {"joined": 0, "started": 0, "finished": 0}
    assert snap.misconceptions.empty and snap.heatmap.empty and snap.decision_heatmap.empty
    assert len(snap.profile) == 10 and snap.profile["pieces"].sum() == 0
    d1 = snap.distribution(nursery, "d1")
    assert list(d1["count"]) == [0, 0, 0, 0]
    plan = snap.distribution(nursery, "d3")
    assert all(isinstance(f, pd.DataFrame) and f["count"].sum() == 0 for f in plan.values())
