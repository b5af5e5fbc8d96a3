"""Do the bundled review cases and example spreadsheets give the analyses something to show?"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.cases import load_library
from toolkit.cases.chronology_io import read_agencies, read_chronology
from toolkit.review import agreement_table, flow_matrix, kappa, missed_opportunities

ROOT = Path(__file__).parents[2]
NATIONS = {
    "rv-neglect-jigsaw": "england",
    "rv-wales-transitions": "wales",
    "rv-scotland-adolescent": "scotland",
    "rv-ni-adult-risk": "northern-ireland",
}
# Example spreadsheets and the review each was written from. After editing a review,
# regenerate its example: write_chronology(review.chronology, path, review.agencies).
EXAMPLES = {
    "rv-neglect-jigsaw.xlsx": "rv-neglect-jigsaw",
    "rv-wales-transitions.csv": "rv-wales-transitions",
}


@pytest.fixture(scope="module")
def library():
    library = load_library([ROOT / "case_studies" / "reviews"])
    assert library.problems == []
    return library


@pytest.mark.parametrize("review_id", NATIONS)
def test_review_is_a_rich_chronology(library, review_id):
    """Is each review 15–40 events over several agencies, with shares on time and late,
    missed shares and findings that carry themes, steps and events?"""
    review = library.reviews[review_id]
    assert review.nation == NATIONS[review_id]
    assert 15 <= len(review.chronology) <= 40
    assert len(review.agencies) >= 5 and review.sectors and review.sources and review.summary
    dates = [e.date for e in review.chronology]
    assert (max(dates) - min(dates)).days < 2 * 366
    totals = flow_matrix(review).sum()
    assert totals["shared"] > totals["late"] > 0 and totals["missed"] > 0
    assert len(missed_opportunities(review)) >= 10
    assert len(review.findings) >= 5
    assert all(f.themes and f.steps and f.events for f in review.findings)


@pytest.mark.parametrize("review_id", NATIONS)
def test_two_reviewers_mostly_agree(library, review_id):
    """Did R1 and R2 both code most events, agreeing often but not always?"""
    review = library.reviews[review_id]
    table = agreement_table(review, pair=("R1", "R2"))
    assert table.loc["overall", "events"] >= 0.7 * len(review.chronology)
    assert 0.4 < kappa(review, pair=("R1", "R2")) < 0.9
    assert (table["kappa"] == 1).any() and (table["kappa"] < 0.5).any()


def test_reviews_and_examples_lint_clean():
    """Do the review files and example spreadsheets hold nothing that looks like real
    personal data (names outside the cast, phone numbers, postcodes…)?"""
    from toolkit.anonymise import lint_paths

    files = [ROOT / "case_studies" / "reviews" / f"{review_id}.yaml" for review_id in NATIONS]
    files += [ROOT / "case_studies" / "chronologies" / name for name in EXAMPLES if ".csv" in name]
    assert lint_paths(files) == []


@pytest.mark.parametrize(("name", "review_id"), EXAMPLES.items())
def test_example_spreadsheet_matches_its_review(library, name, review_id):
    """Does each example spreadsheet read back as exactly its review's chronology?"""
    review = library.reviews[review_id]
    path = ROOT / "case_studies" / "chronologies" / name
    assert read_chronology(path, [a.id for a in review.agencies]) == review.chronology
    if path.suffix == ".xlsx":
        assert read_agencies(path) == review.agencies
