"""Author views: problems that select their line, the numbered source, coverage, self-test."""

from __future__ import annotations

from pathlib import Path

from toolkit.cases import load_case
from toolkit.cases.template import write_template
from toolkit.problems import Problem
from toolkit.widgets.authoring import (
    AROUND,
    ProblemList,
    SourceView,
    numbered_source,
    review_coverage_html,
    scenario_coverage_html,
    self_test_html,
)

EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
TEXT = "\n".join(f"line {n}" for n in range(1, 41)) + "\n"
UNKNOWN_NEXT = Problem("f.yaml", 12, "decisions.0.next", "unknown decision or ending 'd9'")
NAME = Problem("f.yaml", 30, "name", "Mrs Patel")


def test_numbered_source_marks_problem_lines():
    """Is each problem's line marked, with its message as the row's title?"""
    html = numbered_source(TEXT, [UNKNOWN_NEXT])
    assert html.count('class="ss-bad"') == 1
    assert 'title="decisions.0.next: unknown decision or ending &#x27;d9&#x27;"' in html
    assert html.count("<tr") == 40


def test_focus_shows_the_lines_around_it():
    """Does focusing line 20 show lines 12–28 only, with line 20 highlighted?"""
    html = numbered_source(TEXT, [], focus=20)
    assert f"lines {20 - AROUND}–{20 + AROUND} of 40" in html
    assert html.count("<tr") == 2 * AROUND + 1
    assert '<tr class="ss-focus"><td class="ss-ln">20</td>' in html
    assert ">line 11<" not in html and ">line 29<" not in html


def test_focus_near_the_ends_is_clipped():
    """Does a focus on line 1 or the last line stay inside the file?"""
    assert "lines 1–9 of 40" in numbered_source(TEXT, [], focus=1)
    assert "lines 32–40 of 40" in numbered_source(TEXT, [], focus=40)


def test_source_text_is_escaped():
    """Does YAML holding markup show as text in the numbered source?"""
    html = numbered_source("title: <script>alert(1)</script>\n", [])
    assert "<script" not in html and "&lt;script&gt;" in html


def test_line_button_selects_that_line_in_the_source():
    """Does pressing a problem's "line N" button show the source around line N?"""
    source = SourceView()
    problems = ProblemList(source.show)
    source.update(TEXT, [UNKNOWN_NEXT, NAME])
    problems.update([UNKNOWN_NEXT], [NAME])
    assert [b.description for b in problems.buttons] == ["line 12", "line 30"]
    problems.buttons[1].click()
    assert source.focus == 30
    assert '<tr class="ss-bad ss-focus"' in source.html.value
    source.whole.click()
    assert source.focus is None and source.html.value.count("<tr") == 40


def test_problem_list_groups_validation_and_lint():
    """Are validation problems and lint findings listed under their own headings?"""
    problems = ProblemList(lambda line: None)
    problems.update([UNKNOWN_NEXT], [NAME, Problem("f.yaml", 0, "file", "not UTF-8 text")])
    texts = [getattr(child, "value", "") for child in problems.widget.children]
    assert "<h4>Validation: 1 problem(s)</h4>" in texts
    assert "<h4>Anonymisation lint: 2 problem(s)</h4>" in texts
    assert len(problems.buttons) == 2  # a whole-file finding has no line to show


def test_problem_list_says_when_all_is_well():
    """With nothing to fix, does the list say the file validates and lints clean?"""
    problems = ProblemList(lambda line: None)
    problems.update([], [])
    assert "Validates and lints clean" in problems.widget.children[0].value
    assert problems.buttons == []


def test_scenario_coverage_lists_steps_concepts_and_misconceptions(table_rows):
    """Does the coverage panel show where each step, concept and misconception is exercised?"""
    html = scenario_coverage_html(load_case(EXAMPLE))
    rows = table_rows(html)
    s9 = next(r for r in rows if r[0].startswith("S9"))
    assert s9[1:4] == ["✓", "d1, d1b, d4", "+1 / −3"]
    assert ["C-risk-of-harm", rows_shows(rows, "C-risk-of-harm"), "d1 ×2"] in rows
    assert next(r for r in rows if r[0] == "M-wait-for-proof")[2] == "d1.b, d1b.b"
    assert "Steps no decision or case list names: S3, S6, S10" in html


def rows_shows(rows: list[list[str]], concept: str) -> str:
    return next(r[1] for r in rows if r[0] == concept)


def test_review_coverage_counts_and_cites(tmp_path: Path, table_rows):
    """Does a review's panel count its events and list the steps and themes it cites?"""
    review = load_case(write_template("review", "cover", tmp_path))
    html = review_coverage_html(review)
    assert table_rows(html)[1] == ["4", "4", "2", "3", "2", "2"]
    assert "Steps cited: S2, S3, S5" in html
    assert "Themes cited: T4, T6, T10, T13" in html


def test_self_test_passes_for_the_example():
    """Does the example's model answer pass and its poor answer fail, as the library requires?"""
    html = self_test_html(load_case(EXAMPLE))
    assert "✓ Model answer scores 100%" in html and "✓ Poor answer scores 0%" in html


def test_self_test_flags_a_model_answer_without_rationales():
    """Without model rationales, is the model answer's shortfall marked ✗?"""
    scenario = load_case(EXAMPLE)
    bare = scenario.model_copy(
        update={
            "decisions": [
                d.model_copy(update={"rationale": d.rationale.model_copy(update={"model": None})})
                if d.rationale
                else d
                for d in scenario.decisions
            ]
        }
    )
    assert "✗ Model answer" in self_test_html(bare)
