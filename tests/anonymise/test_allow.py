"""Allow-list: reading anonymisation-allow.yaml, its faults, and which files an entry covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.anonymise.allow import (
    ALLOW_FILE,
    Allow,
    AllowEntry,
    find_allow_file,
    load_allow,
    read_allow,
)
from toolkit.errors import CaseFileError

FILES = Path(__file__).parent / "files"
BUNDLED = Path(__file__).parents[2] / "case_studies" / ALLOW_FILE


def test_bundled_allow_list_loads_and_every_entry_has_a_reason():
    """Does the shipped case_studies allow-list load with a reason on every entry?"""
    allow = load_allow(BUNDLED)
    assert all(entry.reason for entry in allow.entries)


def test_reads_entries_with_their_files():
    """Are text, reason and files read, with files relative to the list's folder?"""
    allow = load_allow(FILES / "allow" / ALLOW_FILE)
    assert allow.entries[0] == AllowEntry(
        "Jordan",
        "Invented first name the scenario needs for dialogue.",
        ("scenarios/allowed.yaml",),
    )
    assert allow.root == FILES / "allow"


def test_entry_without_reason_or_text_is_reported_and_dropped():
    """Is each faulty entry named by line and field, while sound entries are kept?"""
    path = FILES / "allow-faulty" / ALLOW_FILE
    allow, problems = read_allow(path)
    assert [entry.text for entry in allow.entries] == ["Jordan"]
    assert [str(p) for p in problems] == [
        f"{path}:4: allow.1.reason: every allow entry needs a reason",
        f"{path}:5: allow.2.text: every allow entry needs the text it allows",
    ]
    with pytest.raises(CaseFileError):
        load_allow(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allow: [oops\n", "yaml"),
        ("- just a list\n", "allow"),
        ("allow: []\nextra: 1\n", "extra"),
        ("allow:\n  - {text: x, reason: y, note: z}\n", "allow.0.note"),
        ("allow:\n  - {text: x, reason: y, files: 3}\n", "allow.0.files"),
        ("allow:\n  - just text\n", "allow.0"),
    ],
)
def test_malformed_allow_lists(tmp_path: Path, text: str, message: str):
    """Is each malformed allow-list reported, naming the faulty field?"""
    path = tmp_path / ALLOW_FILE
    path.write_text(text, encoding="utf-8")
    _, problems = read_allow(path)
    assert [p.field for p in problems] == [message]


def test_empty_allow_list_is_fine(tmp_path: Path):
    """Are an empty file and `allow:` with no entries both valid?"""
    for text in ("", "allow:\n", "# only comments\nallow: []\n"):
        (tmp_path / ALLOW_FILE).write_text(text, encoding="utf-8")
        assert read_allow(tmp_path / ALLOW_FILE) == (Allow(root=tmp_path), [])


@pytest.mark.parametrize(
    ("files", "relative", "covered"),
    [
        ((), "scenarios/a.yaml", True),
        (("scenarios/a.yaml",), "scenarios/a.yaml", True),
        (("scenarios/a.yaml",), "scenarios/b.yaml", False),
        (("scenarios/*.yaml",), "scenarios/b.yaml", True),
        (("scenarios/*.yaml",), "reviews/b.yaml", False),
        (("a.yaml",), "scenarios/a.yaml", True),  # no "/": matches by file name
        (("*.csv",), "chronologies/rv.csv", True),
    ],
)
def test_entry_covers_files(files: tuple[str, ...], relative: str, covered: bool):
    """Does an entry apply to all files, to listed paths, to globs and to bare file names?"""
    assert AllowEntry("x", "why", files).covers(relative) is covered


def test_texts_for_a_file_apply_per_file_entries():
    """Does a file get the global entries plus only the entries that list it?"""
    allow = load_allow(FILES / "allow" / ALLOW_FILE)
    allowed = allow.texts_for(FILES / "allow" / "scenarios" / "allowed.yaml")
    other = allow.texts_for(FILES / "allow" / "scenarios" / "other.yaml")
    assert allowed == ("Jordan", "020 7946 0958", "Victoria Climbié Inquiry")
    assert other == ("020 7946 0958", "Victoria Climbié Inquiry")


def test_finds_the_allow_list_upward(tmp_path: Path):
    """Is the nearest allow-list above a file found, and none when there is none?"""
    (tmp_path / "lib" / "scenarios").mkdir(parents=True)
    (tmp_path / "lib" / ALLOW_FILE).write_text("allow: []\n", encoding="utf-8")
    case = tmp_path / "lib" / "scenarios" / "a.yaml"
    case.write_text("id: a\n", encoding="utf-8")
    assert find_allow_file(case) == tmp_path / "lib" / ALLOW_FILE
    assert find_allow_file(tmp_path / "lib") == tmp_path / "lib" / ALLOW_FILE
    assert find_allow_file(FILES / "clean.yaml") is None
