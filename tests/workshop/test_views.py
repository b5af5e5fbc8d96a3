"""Export views: the sheets a cohort is exported as, built from the live aggregates."""

from __future__ import annotations

import pytest

from toolkit.errors import SafeShareError
from toolkit.workshop.views import VIEWS, export_views


def test_every_view_is_built(frames):
    """Does the workbook get answers, step profile, misconceptions and progress views?"""
    views = export_views(frames)
    assert list(views) == list(VIEWS)
    assert len(views["answers"]) == 11 and len(views["progress"]) == 5
    assert views["answers"]["plan_timing"].dropna().tolist() == ["now", "after-meeting"]


def test_step_profile_ends_with_the_cohort(frames):
    """Is there a row per learner with evidence, then the cohort's score and evidence rows?"""
    view = export_views(frames, ("step profile",))["step profile"]
    assert view["learner"].tolist()[-2:] == ["(cohort)", "(evidence pieces)"]
    assert len(view) == frames.steps["learner"].nunique() + 2


def test_misconceptions_carry_their_correction(frames):
    """Does each misconception row say how to correct it?"""
    view = export_views(frames, ("misconceptions",))["misconceptions"]
    assert view["correction"].str.len().min() > 20


def test_unknown_view_is_refused(frames):
    """Is an unknown view name an error naming the known ones?"""
    with pytest.raises(SafeShareError, match="known: answers"):
        export_views(frames, ("charts",))
