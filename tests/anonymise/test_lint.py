"""Lint: whole files and folders in, `file:line: kind: text` problems out."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from toolkit.anonymise import Allow, AllowEntry, lint_files, lint_paths, lint_text
from toolkit.problems import Problem, render

FILES = Path(__file__).parent / "files"


@pytest.fixture
def in_files(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the files folder, so printed paths are short and stable."""
    monkeypatch.chdir(FILES)
    return FILES


def test_clean_file_has_no_findings():
    """Does a file full of near misses, with a given name in its cast, lint clean?"""
    assert lint_paths([FILES / "clean.yaml"]) == []


def test_leaky_file_reports_each_kind_once(in_files: Path):
    """Does a file with one of each leak print exactly these lines?"""
    assert render(lint_paths(["leaky.yaml"])).splitlines() == [
        "leaky.yaml:10: postcode: LS6 1AB",
        "leaky.yaml:10: street-address: 14 Oak Road",
        "leaky.yaml:11: nhs-number: 943 476 5919",
        "leaky.yaml:11: ni-number: AB 12 34 56 C",
        "leaky.yaml:12: email: duty.team@example.org",
        "leaky.yaml:12: phone: 07700 900123",
        "leaky.yaml:13: date-of-birth: born 3 March 2015",
        "leaky.yaml:14: name: Emily Walsh",
    ]


def test_problems_use_kind_as_field_and_text_as_message():
    """Is each finding a Problem with the kind as field and the matched text as message?"""
    problems = lint_text("id: x\ncontext: ring 07700 900123\n", "case.yaml")
    assert problems == [Problem("case.yaml", 2, "phone", "07700 900123")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "malformed-elsewhere.yaml",
            [
                "malformed-elsewhere.yaml:6: name: Emily Walsh",
                "malformed-elsewhere.yaml:6: street-address: 14 Oak Road",
            ],
        ),
        (
            "malformed-people.yaml",
            [
                "malformed-people.yaml:4: name: Jordan",
                "malformed-people.yaml:6: name: Jordan",
                "malformed-people.yaml:6: name: Mrs Hughes",
            ],
        ),
    ],
)
def test_malformed_yaml_is_still_scanned(in_files: Path, name: str, expected: list[str]):
    """Does broken YAML still get every line scanned, keeping whatever cast is readable?"""
    assert render(lint_paths([name])).splitlines() == expected


def test_cast_argument_replaces_the_files_own():
    """Does an explicit cast decide which names pass, for text that is not YAML?"""
    text = "Jordan met Emily."
    assert [p.message for p in lint_text(text, "notes.md")] == ["Jordan", "Emily"]
    assert [p.message for p in lint_text(text, "notes.md", cast=["Jordan, 15"])] == ["Emily"]


def test_allowed_strings_pass_as_whole_words():
    """Is a finding passed inside an allowed phrase, but not a name sharing only a prefix?"""
    text = "Emily Walsh called 020 7946 0958.\nAnna rang."
    allowed = ["Emily Walsh", "the drama number 020 7946 0958", "Annabel"]
    assert [str(p) for p in lint_text(text, "t.md", allowed=allowed)] == ["t.md:2: name: Anna"]


def test_allow_list_is_found_upward_and_applied_per_file(in_files: Path):
    """Are global entries applied everywhere and per-file entries only to their files?"""
    assert render(lint_paths(["allow"])).splitlines() == [
        "allow/scenarios/allowed.yaml:7: name: Jordan Smith",
        "allow/scenarios/other.yaml:5: name: Jordan",
    ]


def test_faulty_allow_list_is_reported_with_the_findings(in_files: Path):
    """Is an entry without a reason reported, and its string still flagged?"""
    assert render(lint_paths(["allow-faulty"])).splitlines() == [
        "allow-faulty/anonymisation-allow.yaml:4: allow.1.reason: every allow entry needs a reason",
        "allow-faulty/anonymisation-allow.yaml:5: allow.2.text: "
        "every allow entry needs the text it allows",
        "allow-faulty/case.yaml:2: name: Emily",
    ]


def test_explicit_allow_replaces_discovery(in_files: Path):
    """Does an Allow passed in apply to every file instead of the nearest list?"""
    allow = Allow((AllowEntry("Jordan", "invented"), AllowEntry("Emily", "invented")))
    assert lint_paths(["allow-faulty"], allow=allow) == []


def test_folder_walk_takes_content_files_only_inside_case_studies(in_files: Path):
    """Are CSV and Markdown linted under case_studies, hidden folders and allow-lists not?"""
    assert render(lint_paths(["library"])).splitlines() == [
        "library/case_studies/chronologies/leaky.csv:2: name: Emily Walsh",
        "library/case_studies/notes.md:3: phone: 01632 960001",
    ]


def test_named_files_are_always_linted_once(in_files: Path):
    """Is a file named directly linted whatever its type, and only once if named twice?"""
    readme = Path("library/README.md")
    assert list(lint_files([readme, readme, "library"]))[0] == readme
    assert [p.message for p in lint_paths([readme])] == ["Emily Walsh"]


def test_missing_and_unreadable_files_are_problems(tmp_path: Path):
    """Are a missing path and a non-UTF-8 file reported rather than raised?"""
    binary = tmp_path / "case.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    missing = tmp_path / "nope.yaml"
    assert lint_paths([missing, binary]) == sorted(
        [
            Problem(str(missing), 0, "file", "no such file or folder"),
            Problem(str(binary), 0, "file", "not UTF-8 text"),
        ]
    )


def test_fifty_files_of_five_hundred_lines_lint_in_well_under_a_second(tmp_path: Path):
    """Is linting a realistic library fast enough to run on every save?"""
    lines = (FILES / "clean.yaml").read_text(encoding="utf-8").splitlines()
    body = "\n".join((lines * (500 // len(lines) + 1))[:500])
    for index in range(50):
        (tmp_path / f"case-{index}.yaml").write_text(body, encoding="utf-8")
    started = time.perf_counter()
    problems = lint_paths([tmp_path])
    assert time.perf_counter() - started < 1.0
    assert problems == []
