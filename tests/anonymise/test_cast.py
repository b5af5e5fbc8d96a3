"""Cast: the people labels and agency names read from a case file, even a broken one."""

from __future__ import annotations

from pathlib import Path

from toolkit.anonymise.cast import cast_of

FILES = Path(__file__).parent / "files"


def test_reads_people_labels_and_agency_names():
    """Are both flow-style labels and agency names part of the cast?"""
    cast = cast_of((FILES / "clean.yaml").read_text(encoding="utf-8"))
    assert "Jordan, 15 (Child A's brother)" in cast
    assert "Little Acorns Nursery" in cast
    assert "Mr Patel (neighbour)" in cast


def test_reads_block_style_and_plain_string_entries():
    """Does a block-style list, or a list of bare labels, count too?"""
    text = "people:\n- id: a\n  label: Child A\n- Mother\nagencies:\n  - name: Oak Tree School\n"
    assert cast_of(text) == ("Child A", "Mother", "Oak Tree School")


def test_a_fault_elsewhere_keeps_the_cast():
    """Does a syntax error after the cast leave the cast readable?"""
    text = (FILES / "malformed-elsewhere.yaml").read_text(encoding="utf-8")
    assert cast_of(text) == ("Jordan, 15",)


def test_a_fault_in_the_people_block_loses_only_that_block():
    """Is a broken `people` block skipped without losing the agencies?"""
    text = "people:\n  - {label: Child A\nagencies:\n  - {id: s, name: Oak School}\n"
    assert cast_of(text) == ("Oak School",)


def test_files_without_a_cast():
    """Do nested or absent `people` keys, and non-YAML text, give an empty cast?"""
    assert cast_of("decisions:\n  - people: [{label: Jordan}]\n") == ()
    assert cast_of("just, some, csv\n1,2,3\n") == ()
    assert cast_of("") == ()
