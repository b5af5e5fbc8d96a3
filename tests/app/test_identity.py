"""Query-string parsing: only well-formed values are trusted."""

import pytest

from toolkit.app.identity import Query, parse_query


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Query()),
        (None, Query()),
        ("scenario=sc-nursery-bruising", Query(scenario="sc-nursery-bruising")),
        ("session=abc234&resume=aaaa-bbbb-cccc-dddd",
         Query(session="ABC234", resume="AAAA-BBBB-CCCC-DDDD")),
        ("scenario=<script>alert(1)</script>", Query()),
        ("scenario=../../etc/passwd", Query()),
        ("session=" + "A" * 200, Query()),
        ("scenario=a&scenario=b", Query(scenario="a")),
    ],
)
def test_parse_query(text, expected):
    """Are hostile or malformed values dropped rather than passed on?"""
    assert parse_query(text) == expected
