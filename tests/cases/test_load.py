"""Case loading: every rule of CASE_FORMAT.md §2–3 reported as file:line: field: message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.cases import load_case, load_library, validate_paths
from toolkit.cases.model import Scenario
from toolkit.errors import CaseFileError

FILES = Path(__file__).parent / "files"
BAD = sorted((FILES / "bad").glob("*.yaml"))


def expected_lines(path: Path) -> list[str]:
    """The `# expect: Lnn: field: message` header of a bad file, as printed lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path}:{line[len('# expect: L') :]}" for line in lines if line.startswith("# expect: L")
    ]


def test_minimal_scenario_loads():
    """Does a small valid scenario load into typed objects?"""
    case = load_case(FILES / "good" / "minimal.yaml")
    assert isinstance(case, Scenario)
    assert [d.id for d in case.decisions] == ["d1", "d2"]
    assert case.decision("d2").plan.timing == "today"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_reports_exact_problems(path: Path):
    """Does each faulty file produce exactly the problems its header promises, with lines?"""
    expected = expected_lines(path)
    assert expected, f"{path.name} has no '# expect:' header"
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    assert [str(p) for p in info.value.problems] == expected


def test_all_problems_in_one_pass(tmp_path: Path):
    """Are five injected faults of different kinds all reported together?"""
    source = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
    text = source.read_text(encoding="utf-8")
    faults = [
        ("steps: [S1, S5, S9]", "steps: [S1, S5, S11]"),
        (
            "points: 2\n        evidence: {S5: 1, S1: 1}",
            "points: -2\n        evidence: {S5: 1, S1: 1}",
        ),
        (
            "misconception: M-wait-for-proof\n        feedback: >-\n          Waiting",
            "misconception: M-waiting\n        feedback: >-\n          Waiting",
        ),
        ("next: e-harmed\n\n  - id: d2", "next: e-nowhere\n\n  - id: d2"),
        ("      condition: [safeguarding-children]", "      condition: [safeguarding]"),
    ]
    for old, new in faults:
        assert old in text
        text = text.replace(old, new, 1)
    bad = tmp_path / "five-faults.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = validate_paths([bad])
    assert len(problems) == 5
    assert {p.field.split(".")[-1] for p in problems} == {
        "2",
        "points",
        "misconception",
        "next",
        "0",
    }
    assert all(p.line > 0 and str(p).startswith(f"{bad}:{p.line}: ") for p in problems)


def test_library_reports_duplicate_case_ids(tmp_path: Path):
    """Are two files claiming the same case id caught?"""
    for name in ("one.yaml", "two.yaml"):
        shutil.copy(FILES / "good" / "minimal.yaml", tmp_path / name)
    library = load_library([tmp_path])
    assert list(library.scenarios) == ["sc-minimal"]
    assert [p.field for p in library.problems] == ["id"]
    assert "duplicate case id 'sc-minimal'" in library.problems[0].message


@pytest.mark.parametrize(
    "text, field",
    [
        ("", "document"),
        ("- just\n- a list\n", "document"),
        ("kind: poem\n", "kind"),
        ("kind: review\nid: rv-x\n", "title"),
    ],
)
def test_documents_that_are_not_cases(tmp_path: Path, text: str, field: str):
    """Do empty files, lists and unknown kinds give a problem rather than a crash?"""
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    problems = validate_paths([path])
    assert field in [p.field for p in problems]


def test_non_utf8_file(tmp_path: Path):
    """Is a binary or wrongly encoded file reported, not raised?"""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    problems = validate_paths([path])
    assert problems[0].field == "file" and "UTF-8" in problems[0].message


def test_missing_path_is_a_problem(tmp_path: Path):
    """Does naming a file that is not there give a problem?"""
    problems = validate_paths([tmp_path / "nope.yaml"])
    assert problems[0].message == "no such file or folder"
