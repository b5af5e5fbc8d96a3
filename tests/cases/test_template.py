"""`safeshare new` templates: sound as written, every vocabulary listed, never overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.anonymise import lint_paths
from toolkit.cases import load_case, validate_paths
from toolkit.cases.template import KINDS, LISTS, case_id, render, vocabulary_comment, write_template
from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary


@pytest.mark.parametrize("kind", list(KINDS))
def test_new_file_validates_and_lints_clean_before_any_edit(kind: str, tmp_path: Path):
    """Does a freshly written template pass both `safeshare validate` and `safeshare lint`?"""
    path = write_template(kind, "first-draft", tmp_path)
    assert path == tmp_path / KINDS[kind].folder / f"{KINDS[kind].prefix}first-draft.yaml"
    assert [str(p) for p in validate_paths([path])] == []
    assert [str(p) for p in lint_paths([path])] == []
    assert load_case(path).id == path.stem


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_marker_is_replaced_and_the_id_filled_in(kind: str):
    """Are all `#@ list` markers and the @ID@ token gone from the written text?"""
    text = render(kind, "sc-x" if kind == "scenario" else "rv-x")
    assert "#@" not in text and "@ID@" not in text
    assert f"\nid: {'sc-x' if kind == 'scenario' else 'rv-x'}\n" in text


SCENARIO_LISTS = [
    "steps",
    "concepts",
    "misconceptions",
    "bases",
    "conditions",
    "nations",
    "sectors",
    "timing",
    "tell_family",
    "outcomes",
    "tags",
]
REVIEW_LISTS = ["steps", "themes", "nations", "sectors"]


@pytest.mark.parametrize(
    "kind, name",
    [("scenario", n) for n in SCENARIO_LISTS] + [("review", n) for n in REVIEW_LISTS],
)
def test_each_vocabulary_is_listed_in_full(kind: str, name: str):
    """Does the template list every id of each vocabulary its fields use, with a meaning?"""
    text = render(kind, f"{KINDS[kind].prefix}x")
    for key, meaning in LISTS[name]():
        line = next((ln for ln in text.splitlines() if ln.lstrip().startswith(f"#   {key} ")), "")
        assert line, f"{name}: {key} is not listed"
        assert meaning.split()[0] in line, f"{name}: {key} is listed without its meaning"


def test_concepts_listed_with_their_steps():
    """Is each concept's comment followed by the steps it evidences, as authors weigh them?"""
    block = vocabulary_comment("concepts")
    flat = " ".join(part.strip("# ") for part in block.splitlines())
    for concept in vocabulary().concepts.values():
        assert f"({' '.join(concept.steps)})" in flat


def test_comment_lines_stay_within_width():
    """Are the generated comment lines wrapped (none over 100 characters)?"""
    for name in LISTS:
        assert all(len(line) <= 100 for line in vocabulary_comment(name, "      ").splitlines())


def test_scenario_template_teaches_by_example(tmp_path: Path):
    """Does the example's model answer score high and its poor answer low, as the library's do?"""
    from toolkit.scoring import model_answer, poor_answer, score_attempt

    scenario = load_case(write_template("scenario", "example", tmp_path))
    model = score_attempt(scenario, model_answer(scenario))
    poor = score_attempt(scenario, poor_answer(scenario))
    assert model.score >= 0.9 and model.ending == "e-protected"
    assert poor.score <= 0.4


@pytest.mark.parametrize(
    "kind, name, expected",
    [
        ("scenario", "school-trip", "sc-school-trip"),
        ("scenario", "sc-school-trip", "sc-school-trip"),
        ("scenario", "2nd-visit", "sc-2nd-visit"),
        ("review", "jigsaw", "rv-jigsaw"),
        ("review", "rv-jigsaw", "rv-jigsaw"),
    ],
)
def test_name_gets_its_prefix(kind: str, name: str, expected: str):
    """Is sc-/rv- added to a bare NAME, and left alone when present?"""
    assert case_id(kind, name) == expected


@pytest.mark.parametrize(
    "kind, name",
    [
        ("scenario", "School-Trip"),
        ("scenario", "school trip"),
        ("scenario", "school_trip"),
        ("scenario", "trip.yaml"),
        ("scenario", "-trip"),
        ("scenario", ""),
        ("scenario", "../escape"),
        ("scenario", "sc-"),
        ("scenario", "rv-jigsaw"),
        ("review", "sc-nursery"),
        ("review", "x" * 80),
        ("essay", "trip"),
    ],
)
def test_bad_name_is_refused(kind: str, name: str, tmp_path: Path):
    """Is a NAME that cannot be a case id (or a wrong kind) refused before anything is written?"""
    with pytest.raises(SafeShareError):
        write_template(kind, name, tmp_path)
    assert list(tmp_path.rglob("*")) == []


def test_existing_file_is_never_overwritten(tmp_path: Path):
    """Does a second `new` with the same NAME refuse and leave the author's edits in place?"""
    path = write_template("scenario", "mine", tmp_path)
    path.write_text("edited by the author\n", encoding="utf-8")
    with pytest.raises(SafeShareError, match="already exists"):
        write_template("scenario", "sc-mine", tmp_path)
    assert path.read_text(encoding="utf-8") == "edited by the author\n"
