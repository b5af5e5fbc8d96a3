"""Tests for toolkit.review.charts: each chart draws, and saves as PNG or SVG.

Sample figures are written to test-artifacts/review/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from toolkit.cases import load_library
from toolkit.review import charts
from toolkit.review.chronology import agency_lanes, events_frame
from toolkit.review.flows import flow_matrix, flow_records, square
from toolkit.review.themes import sin_context_frame, theme_frequencies

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "review"


@pytest.fixture(scope="module")
def library():
    return load_library([ROOT / "case_studies" / "reviews"])


def _arrows(figure: Figure) -> list:
    return [t for t in figure.axes[0].texts if getattr(t, "arrow_patch", None) is not None]


def test_timeline_draws_one_arrow_per_flow(hand_worked):
    """Are there a lane per agency, a marker per event and an arrow per flow, missed dashed?"""
    flows = flow_records(hand_worked)
    figure = charts.timeline(events_frame(hand_worked), flows, agency_lanes(hand_worked))
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Primary school",
        "GP practice",
        "Health visiting",
        "Children's social care",
        "Police",
    ]
    assert len(ax.lines) == 6  # one marker per event
    arrows = _arrows(figure)
    assert len(arrows) == len(flows) == 10
    styles = [a.arrow_patch.get_linestyle() for a in arrows]
    assert styles.count("--") == 3  # the three missed flows
    assert {label.get_text() for label in ax.texts if label.get_text()} == {
        "ev1",
        "ev2",
        "ev3",
        "ev4",
        "ev5",
        "ev6",
    }


def test_timeline_without_lanes_uses_event_agencies(hand_worked):
    """Without lanes, are the agencies taken from the events and flows, by name?"""
    figure = charts.timeline(events_frame(hand_worked), flow_records(hand_worked))
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0] == "Primary school" and len(labels) == 5


def test_heatmap_writes_counts(hand_worked):
    """Does the heatmap show the from × to table with each non-zero count written in?"""
    table = square(flow_matrix(hand_worked), "missed")
    figure = charts.flow_heatmap(table, agency_lanes(hand_worked))
    written = sorted(t.get_text() for t in figure.axes[0].texts)
    assert written == ["1", "1", "1"]


def test_theme_bars_skip_unused_themes(hand_worked, second_review):
    """Does the bar chart show only themes in use, lowest id at the top, stacked by nation?"""
    table = theme_frequencies([hand_worked, second_review])
    figure = charts.theme_bars(table)
    ax = figure.axes[0]
    by_height = dict(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    )
    assert len(by_height) == 8
    assert by_height[max(by_height)].startswith("T4 ")
    assert by_height[min(by_height)].startswith("T19 ")
    assert figure.axes[0].get_legend() is not None


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_save_by_suffix(tmp_path, hand_worked, suffix):
    """Does `save` write a real PNG or SVG chosen by the suffix?"""
    figure = charts.flow_heatmap(square(flow_matrix(hand_worked), "shared"))
    path = charts.save(figure, tmp_path / f"heatmap{suffix}")
    head = path.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in head or b"<?xml" in head


def test_save_refuses_other_formats(tmp_path, hand_worked):
    """Is an unsupported suffix a clear error?"""
    figure = charts.flow_heatmap(square(flow_matrix(hand_worked), "shared"))
    with pytest.raises(ValueError, match="png"):
        charts.save(figure, tmp_path / "figure.jpg")


def test_registry_names_every_chart():
    """Is every chart reachable by name?"""
    assert set(charts.CHARTS) == {"timeline", "flow-heatmap", "theme-bars", "notifications-bars"}


def test_notifications_bars_mark_gap_and_derived_year():
    """Is the missing year marked "no data" and the derived one hatched, one bar per figure?"""
    figure = charts.notifications_bars(sin_context_frame())
    ax = figure.axes[0]
    assert len(ax.patches) == 10  # 11 years, one without a figure
    assert "no data" in [t.get_text() for t in ax.texts]
    assert ax.patches[0].get_hatch() == "//" and not ax.patches[1].get_hatch()


def test_sample_figures_for_review(library):
    """Do the bundled reviews draw sample figures (saved for a person to inspect)?"""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    review = library.reviews["rv-neglect-jigsaw"]
    lanes = agency_lanes(review)
    figures = {
        "timeline.png": charts.timeline(
            events_frame(review), flow_records(review), lanes, title=review.title
        ),
        "flow-missed.png": charts.flow_heatmap(
            square(flow_matrix(review), "missed"), lanes, title="Missed flows"
        ),
        "themes-by-nation.png": charts.theme_bars(
            theme_frequencies(library.reviews.values()), title="Themes across the bundled reviews"
        ),
        "notifications.png": charts.notifications_bars(
            sin_context_frame(), title="Serious incident notifications, England (DfE)"
        ),
    }
    for name, figure in figures.items():
        assert charts.save(figure, ARTIFACTS / name).stat().st_size > 10_000
