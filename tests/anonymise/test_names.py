"""Names: real-looking personal names outside the cast, and the words that only look like them."""

from __future__ import annotations

import pytest

from toolkit.anonymise.names import find_names, given_names, known_words

FOUND = [
    ("Emily Walsh raised the concern.", ("Emily Walsh",)),
    ("The teacher told Jordan.", ("Jordan",)),
    ("Jordan's bag was by the door.", ("Jordan",)),
    ("Mrs Hughes rang the nursery.", ("Mrs Hughes",)),
    ("Seen by Dr Ahmed Khan at the clinic.", ("Dr Ahmed Khan",)),
    ("Ms O'Brien and Mr McDonald", ("Ms O'Brien", "Mr McDonald")),
    ("Mx. Jones-Smith phoned.", ("Mx. Jones-Smith",)),
    ("Emily-Rose Taylor arrived.", ("Emily-Rose Taylor",)),
    ("Mrs Emily Walsh", ("Mrs Emily Walsh",)),
    ("Jordan met Emily on Monday.", ("Jordan", "Emily")),
    ("the Victoria Climbié report", ("Victoria Climbié",)),
]

NOT_FOUND = [
    "Child A, 2 years",
    "Mother's partner and Sibling B",
    "Mr X and Mrs B",
    "May I ask who else knows?",
    "Will the front door act today?",
    "Grace period; Hope is not a plan.",
    "On Monday in March, not June.",
    "St Mary's Primary and Saint Anne's",
    "Victoria Road and Queen Elizabeth Hospital",
    "Working Together to Safeguard Children",
    "Keeping Children Safe in Education",
    "The Caldicott guardian and the designated safeguarding lead",
    "Little Acorns Nursery",
    "the Miss Saturday club",
    "emily walsh in lower case",
]


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[c[0] for c in FOUND])
def test_finds_real_looking_names(text: str, expected: tuple[str, ...]):
    """Is a titled name or a common given name (with its surname) found, whole?"""
    assert tuple(m.text for m in find_names(text)) == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_leaves_pseudonyms_and_ordinary_words(text: str):
    """Are pseudonyms, sentence openers, months, places and guidance titles left alone?"""
    assert find_names(text) == []


def test_a_name_in_the_cast_is_not_flagged():
    """Is a given name that is a people label passed, while one outside the cast is not?"""
    cast = known_words(["Jordan, 15 (Child A's brother)", "Mother"])
    found = find_names("Jordan told Emily.", cast)
    assert [m.text for m in found] == ["Emily"]


def test_a_surname_outside_the_cast_is_still_flagged():
    """Does "Jordan Smith" leak a surname even when "Jordan" is in the cast?"""
    assert [m.text for m in find_names("Jordan Smith", known_words(["Jordan"]))] == ["Jordan Smith"]


def test_titled_cast_label_is_not_flagged():
    """Is "Mr Patel" passed when the cast has "Mr Patel (neighbour)"?"""
    assert find_names("Mr Patel saw it.", known_words(["Mr Patel (neighbour)"])) == []


def test_matches_carry_kind_and_offsets():
    """Does each name finding say it is a name and where it sits?"""
    line = "Ask Emily Walsh."
    (match,) = find_names(line)
    assert match.kind == "name"
    assert line[match.start : match.end] == "Emily Walsh"


def test_given_name_list_is_modest_and_free_of_everyday_words():
    """Is the built-in list a few hundred names, without months or sentence openers?"""
    names = given_names()
    assert 250 <= len(names) <= 450
    assert {"Jordan", "Emily", "Mohammed", "Siobhan", "Rhys"} <= names
    assert not names & {"May", "June", "April", "August", "Will", "Grace", "Hope", "Mark"}
