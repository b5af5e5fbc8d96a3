"""Tests for toolkit.cases.chronology_cells: the one-cell syntax of chronology sheets."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.cases.chronology_cells import (
    PARSERS,
    Context,
    format_missed,
    format_shared,
    parse_when,
    when_text,
)
from toolkit.cases.model import Missed, Shared


def test_cell_formats_invert_the_reader():
    """Do the share and missed cell writers produce the syntax the module documents?"""
    shares = [
        Shared(to="csc", date=dt.date(2022, 3, 16), method="phone", recorded=True),
        Shared(to="police", date=dt.datetime(2022, 3, 17, 10, 15), method="secure email"),
    ]
    assert (
        format_shared(shares)
        == "csc@2022-03-16 phone recorded; police@2022-03-17T10:15 secure-email"
    )
    misses = [
        Missed(to="hv", by=dt.date(2022, 3, 14), themes=["T6"], steps=["S2"]),
        Missed(to="gp"),
    ]
    assert format_missed(misses) == "hv by 2022-03-14 T6 S2; gp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-14", dt.date(2022, 3, 14)),
        ("2022-03-14 09:30", dt.datetime(2022, 3, 14, 9, 30)),
        ("2022-03-14T09:30:15", dt.datetime(2022, 3, 14, 9, 30, 15)),
    ],
)
def test_parse_when_accepts_iso(text, expected):
    """Are ISO dates and local date-times taken?"""
    assert parse_when(text) == expected


@pytest.mark.parametrize("text", ["14/03/2022", "20220314", "2022-W11-1", "2022-03-14+01:00", ""])
def test_parse_when_refuses_ambiguous_or_zoned(text):
    """Are locale dates, compact and week forms and time zones refused?"""
    with pytest.raises(ValueError):
        parse_when(text)


def test_times_keep_their_seconds_only_when_they_have_some():
    """Is a whole-minute time written without seconds, and a time with seconds kept whole?"""
    assert when_text(dt.datetime(2022, 3, 14, 9, 30), "T") == "2022-03-14T09:30"
    assert when_text(dt.datetime(2022, 3, 14, 9, 30, 15)) == "2022-03-14 09:30:15"
    assert when_text(dt.date(2022, 3, 14)) == "2022-03-14"


@pytest.mark.parametrize(
    ("column", "cell", "value", "faults"),
    [
        ("known_by", "school;csc\nhv", ["school", "csc", "hv"], []),
        ("known_by", "school csc", ["school", "csc"], []),
        (
            "shared",
            "csc@2022-03-16 NOT-RECORDED",
            [{"to": "csc", "date": dt.date(2022, 3, 16), "recorded": False}],
            [],
        ),
        (
            "shared",
            "@2022-03-16",
            [],
            ["'@2022-03-16': a share starts TO@DATE, e.g. csc@2022-03-16"],
        ),
        (
            "missed",
            "gp by",
            [{"to": "gp", "themes": [], "steps": []}],
            ["'gp by': by '' is not a date; write YYYY-MM-DD or YYYY-MM-DD HH:MM"],
        ),
        (
            "missed",
            "gp t6",
            [{"to": "gp", "themes": [], "steps": []}],
            ["'gp t6': unexpected 't6' (write TO [by DATE] then themes T1–T20 and steps S1–S10)"],
        ),
        ("date", None, None, ["a date is required"]),
        (
            "date",
            dt.time(9, 30),
            None,
            ["'09:30:00' is not a date; format the cell as a date or write YYYY-MM-DD"],
        ),
    ],
)
def test_cell_parsers(column, cell, value, faults):
    """Does each column's parser read its syntax and note, rather than raise, each fault?"""
    found: list[str] = []
    assert PARSERS[column](cell, Context(agencies=None), found) == value
    assert found == faults
