"""Tests for toolkit.training.evaluate: held-out authors only, and no regression in the figures.

``files/recorded.json`` holds the figures of the shipped detector: the full leave-one-author-out
run reported in docs/scoring.md, and a run holding out only ``check_authors`` (each still
scored by a model fitted on every other author), which this suite repeats. When the detector
or corpus changes for the better, rerun `safeshare detector eval` (and with `--authors` for
the check) and record the new figures with the change.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolkit.training import evaluate as ev
from toolkit.training.corpus import bundled_corpus
from toolkit.training.fit import FitSettings
from toolkit.training.sources import training_rows

RECORDED = json.loads((Path(__file__).parent / "files" / "recorded.json").read_text())
ALLOWED_DROP = 0.02


@pytest.fixture(scope="module")
def corpus():
    return bundled_corpus()


def test_no_fit_ever_sees_the_author_it_is_scored_on(corpus, monkeypatch):
    """Is every fold's model fitted without a single row by the author it then scores?"""
    first_five = sorted({e.author for e in corpus})[:5]
    authors = first_five[:2]
    seen: list[set[str]] = []
    real = ev.fit_rows

    def spy(fz, rows, settings):
        seen.append({fz.rows[i].author for i in rows})
        return real(fz, rows, settings)

    monkeypatch.setattr(ev, "fit_rows", spy)
    small = [e for e in corpus if e.author in first_five]
    result = ev.leave_one_author_out(small, FitSettings(min_authors=2), held_out=authors)
    assert result.authors == authors and len(seen) == 2
    for author, trained_on in zip(authors, seen, strict=True):
        assert author not in trained_on and len(trained_on) == 4
    assert result.model.rows == sum(e.author in authors for e in small)


def test_unknown_authors_are_refused(corpus):
    """Is asking to hold out an author with no rows an error, not an empty report?"""
    with pytest.raises(ValueError, match="no rows by author"):
        ev.leave_one_author_out(corpus[:50], held_out=["nobody"])


def test_tally_counts_and_confusions():
    """Do the tallies count hits, misses and which label was shown instead of a missed one?"""
    t = ev.Tally()
    t.add({"C-timely", "M-consent-always"}, {"C-timely", "C-consent-not-basis"})
    t.add(set(), set())
    assert (t.tp["C-timely"], t.fn["M-consent-always"], t.fp["C-consent-not-basis"]) == (1, 1, 1)
    assert t.confusion[("M-consent-always", "C-consent-not-basis")] == 1
    assert t.exact == 1 and t.rows == 2
    assert t.prf(["C-timely"]) == (1.0, 1.0, 1.0)


@pytest.mark.slow
def test_author_held_out_figures_have_not_fallen(corpus, artifacts_dir):
    """Are concept and misconception micro-F1, authors held out, within 0.02 of the record?"""
    check = RECORDED["check"]
    result = ev.leave_one_author_out(training_rows(), held_out=check["authors"])
    (artifacts_dir / "detector_check.md").write_text(ev.markdown(result), encoding="utf-8")
    got = result.figures()
    for key in ("concept_micro_f1", "misconception_micro_f1"):
        assert got[key] >= check[key] - ALLOWED_DROP, (key, got[key], check[key])
    recall = {m: result.model.prf([m])[1] for m in ev.misconceptions()}
    assert np.mean(list(recall.values())) >= check["misconception_mean_recall"] - ALLOWED_DROP
