"""The reviewer's tables as HTML: right cells from the hand-worked chronology, text kept text."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from toolkit.problems import Problem
from toolkit.review import (
    agency_lanes,
    agreement_table,
    events_frame,
    flow_matrix,
    known_on,
    lag_by,
    missed_opportunities,
    sin_context_frame,
    theme_frequencies,
    who_knew,
)
from toolkit.widgets import review_tables as tables

LIVE_MARKUP = ("<script", "<img", "<b>", 'onerror="', 'href="http://evil')


def assert_inert(html: str) -> None:
    for markup in LIVE_MARKUP:
        assert markup not in html, markup


@pytest.mark.parametrize(
    "stamp, text",
    [
        (pd.Timestamp("2023-01-10"), "2023-01-10"),
        (pd.Timestamp("2023-01-10 09:30"), "2023-01-10 09:30"),
        (pd.NaT, ""),
        (None, ""),
    ],
)
def test_day(stamp, text):
    """Are dates shown ISO, with a time only when there is one, and blank when missing?"""
    assert tables.day(stamp) == text


@pytest.mark.parametrize(
    "kappa, words",
    [
        (-0.36, "poor (below chance)"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.21, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.606, "substantial"),  # shown as 0.61, so named as 0.61
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (math.nan, "undefined (no variation to agree on)"),
    ],
)
def test_kappa_words(kappa, words):
    """Is kappa named by the Landis and Koch bands, at the two decimals shown?"""
    assert tables.kappa_words(kappa) == words


def test_problems_panel_escapes_and_caps():
    """Are problems listed as file:row: column: message, escaped, the first 50 only?"""
    hostile = Problem("<b>up.csv", 2, "date", "'<script>alert(1)</script>' is not a date")
    problems = [hostile] + [Problem("up.csv", n, "id", "bad") for n in range(3, 63)]
    html = tables.problems_panel(problems, "Fix these:")
    assert_inert(html)
    assert "&lt;b&gt;up.csv:2: date: &#x27;&lt;script&gt;" in html
    assert html.count("<li>") == tables.MAX_PROBLEMS_SHOWN
    assert "and 11 more" in html
    assert 'role="alert"' in html


def test_chronology_table_rows(hand_worked, table_rows):
    """Does each event show its date, agency names and labels, in the frame's order?"""
    lanes = agency_lanes(hand_worked)
    rows = table_rows(tables.chronology_table(events_frame(hand_worked), lanes))
    assert rows[0][:4] == ["Date", "Id", "Recorded by", "What happened"]
    assert [r[1] for r in rows[1:]] == ["ev1", "ev2", "ev3", "ev4", "ev5", "ev6"]
    ev3 = rows[3]
    assert ev3[0] == "2023-02-01"
    assert ev3[2] == "Police"
    assert ev3[5] == "Children's social care\nPrimary school"
    assert ev3[6] == "GP practice"
    assert ev3[7] == "T4, T6, T19"
    assert ev3[8] == "S2, S3, S8"


def test_chronology_table_keeps_hostile_cells_as_text(hostile, table_rows):
    """Do <script>, onerror= and =HYPERLINK(…) from an upload show as text, never markup?"""
    html = tables.chronology_table(events_frame(hostile), agency_lanes(hostile))
    assert_inert(html)
    texts = [row[3] for row in table_rows(html)[1:]]
    assert texts[0] == "<script>alert('event')</script> Child arrives hungry"
    assert texts[1] == "<img src=x onerror=\"alert('img')\"> Mother cannot cope"
    assert texts[2] == '=HYPERLINK("http://evil.example/","click me")'


def test_who_knew_table_by_a_day(hand_worked, table_rows):
    """By 2023-01-10, did the school know ev1, the social care team 'not yet', health never?"""
    lanes = agency_lanes(hand_worked)
    known = known_on(hand_worked, "2023-01-10")
    html = tables.who_knew_table(who_knew(hand_worked), events_frame(hand_worked), lanes, known)
    rows = table_rows(html)
    assert rows[0] == ["Event", "What happened", *lanes.values()]
    ev1 = dict(zip(rows[0], rows[1], strict=True))
    assert ev1["Primary school"] == "knew 2023-01-10"
    assert ev1["Children's social care"] == "not yet, from 2023-01-11"
    assert ev1["Health visiting"] == "never"


def test_who_knew_table_without_a_day_gives_dates(hand_worked, table_rows):
    """Without a day, does every known cell say 'knew' and its date?"""
    lanes = agency_lanes(hand_worked)
    html = tables.who_knew_table(who_knew(hand_worked), events_frame(hand_worked), lanes)
    ev2 = table_rows(html)[2]
    assert ev2[2:] == ["never", "knew 2023-01-20", "knew 2023-01-20", "knew 2023-02-03", "never"]


def test_flow_pairs_table_lists_active_pairs(hand_worked, table_rows):
    """Are only pairs with a flow listed, with shares, late, missed and days late?"""
    rows = table_rows(tables.flow_pairs_table(flow_matrix(hand_worked), agency_lanes(hand_worked)))
    assert len(rows) == 1 + 9
    pairs = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert pairs[("GP practice", "Children's social care")] == ["1", "1", "0", "10"]
    assert pairs[("Primary school", "Health visiting")] == ["0", "0", "1", "0"]
    assert pairs[("Children's social care", "Primary school")] == ["2", "0", "0", "0"]


def test_missed_table_in_rank_order(hand_worked, table_rows):
    """Are misses ranked by lag, with 'never told' and a dash for no due date?"""
    html = tables.missed_table(missed_opportunities(hand_worked), agency_lanes(hand_worked))
    rows = table_rows(html)[1:]
    assert [(r[0], r[1], r[6]) for r in rows] == [
        ("1", "ev1", "69"),
        ("2", "ev3", "47"),
        ("3", "ev5", "19"),
        ("4", "ev5", "14"),
        ("5", "ev2", "14"),
    ]
    assert rows[1][3] == "Police → GP practice"
    assert rows[1][4] == "–" and rows[1][7] == "–"
    assert rows[0][5].startswith("never told")
    assert rows[3][5] == "2023-03-15"


def test_lag_table(hand_worked, table_rows):
    """Does the summary by theme give counts and lags per theme?"""
    lags = lag_by(missed_opportunities(hand_worked), "themes")
    rows = table_rows(tables.lag_table(lags, "themes"))
    assert rows[0][0] == "Theme"
    t13 = next(r for r in rows if r[0] == "T13")
    assert t13 == ["T13", "2", "0", "14.0", "14"]


def test_agreement_html(hand_worked, table_rows):
    """Is pooled kappa stated in words, and each theme's 2×2 counts tabled?"""
    html = tables.agreement_html(agreement_table(hand_worked))
    assert "kappa between R1 and R2: 0.61, substantial" in html
    assert "agree on 84% of theme decisions, 59% would be expected by chance" in html
    rows = table_rows(html)
    t6 = next(r for r in rows if r[0].startswith("T6 "))
    assert t6[1:] == ["5", "0", "1", "2", "2", "40%", "56%", "-0.36", "poor (below chance)"]
    assert rows[-1][0] == "overall (pooled)"


def test_frequency_table_names_nations(hand_worked, table_rows):
    """Are group columns named (England, not england), and zero rows left out?"""
    rows = table_rows(tables.frequency_table(theme_frequencies([hand_worked]), "Themes"))
    assert rows[0] == ["Id", "Name", "England", "Total"]
    assert [r[0] for r in rows[1:]] == ["T4", "T6", "T10", "T12", "T13", "T17", "T19"]


def test_notifications_table_and_sources(table_rows):
    """Does a year without a figure say so in words, and are sources listed once each?"""
    frame = sin_context_frame()
    rows = table_rows(tables.notifications_table(frame))
    missing = next(r for r in rows if r[0] == "2017-18")
    assert missing[1] == "no figure"
    sources = tables.notifications_sources(frame)
    assert sources.startswith("Sources: ")
    assert sources.count("Ofsted, Serious incident notifications statistics 2016–17") == 1
