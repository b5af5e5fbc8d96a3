"""Tests for toolkit/guidance/notifications.py: England's serious incident notifications."""

from __future__ import annotations

from toolkit.guidance.notifications import COUNTS, serious_incident_notifications

ROWS = serious_incident_notifications()


def test_parts_add_up_to_total_where_all_present() -> None:
    """Where deaths, serious harm and other are all known, do they sum to the total?"""
    complete = [r for r in ROWS if all(r[k] is not None for k in COUNTS)]
    assert len(complete) == 5  # 2020-21 to 2024-25
    for row in complete:
        assert row["child_death"] + row["serious_harm"] + row["other"] == row["total"], row["year"]


def test_years_run_in_order_without_gaps() -> None:
    """Does every April–March year from 2014-15 to 2024-25 appear once, oldest first?"""
    assert [r["year"] for r in ROWS] == [f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2025)]


def test_missing_and_derived_years_are_flagged() -> None:
    """Is 2017-18 blank with a note saying so, and 2014-15 marked as derived?"""
    by_year = {r["year"]: r for r in ROWS}
    assert all(by_year["2017-18"][k] is None for k in COUNTS)
    assert "missing" in by_year["2017-18"]["note"]
    assert "derived" in by_year["2014-15"]["note"]


def test_figures_match_published_checks() -> None:
    """Do the figures pass the dossier's cross-checks (2024 is 93 below 2019)?"""
    by_year = {r["year"]: r for r in ROWS}
    assert by_year["2018-19"]["total"] - by_year["2023-24"]["total"] == 93
    assert by_year["2020-21"]["total"] - by_year["2014-15"]["total"] == 151


def test_callers_get_their_own_copy() -> None:
    """Can a caller change the rows it got without changing what the next caller sees?"""
    mine = serious_incident_notifications()
    mine[0]["total"] = -1
    mine.clear()
    assert serious_incident_notifications() == ROWS
    assert ROWS[0]["total"] == 385
