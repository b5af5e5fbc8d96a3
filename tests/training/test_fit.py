"""Tests for toolkit.training.fit: what is trained is what the plain-Python scorer computes."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from toolkit.scoring.detector.features import read
from toolkit.scoring.detector.model import (
    VERSION,
    Lanes,
    LinearModel,
    ModelFileError,
    parse_model,
)
from toolkit.scoring.rationale import analyse
from toolkit.training.corpus import bundled_corpus
from toolkit.training.fit import FitSettings, export, featurize, fit, fit_rows


@pytest.fixture(scope="module")
def small():
    """Four authors' rows: enough to fit every label, quick to fit."""
    rows = bundled_corpus()
    keep = sorted({e.author for e in rows})[:4]
    return [e for e in rows if e.author in keep]


@pytest.fixture(scope="module")
def fitted(small):
    settings = FitSettings(prune=0.0, min_authors=2)
    fz = featurize(small, settings)
    train = np.arange(len(small)) % 5 != 0
    result = fit_rows(fz, np.flatnonzero(train), settings)
    return small, fz, result, np.flatnonzero(~train), settings


def _scores_as_fitted(model, text: str, probabilities) -> bool:
    """Does ``model`` give ``text`` the fit's scores (log-odds), to within what rounding each
    weight to the file's fixed-point step can move them (half a step times each feature's
    value)?"""
    features = read(text).features
    got = np.array(model.score(features).scores)
    p = np.clip(probabilities, 1e-12, 1 - 1e-12)
    want = np.log(p / (1 - p))
    tolerance = 0.5 / model._lanes.scale * sum(model.values(features).values()) + 1e-9
    sure = np.abs(want) < 25  # beyond this the clipped probability says nothing
    return bool(np.all(np.abs(got - want)[sure] <= tolerance))


def test_plain_python_scores_equal_the_fitted_model(fitted):
    """Does the exported model give scikit-learn's fit's scores, text by text?"""
    rows, fz, result, held, settings = fitted
    model = export(fz, result, settings)
    expected = result.probabilities(fz, held)
    for k, i in enumerate(held[:60]):
        assert _scores_as_fitted(model, rows[i].text, expected[k]), rows[i].id


def test_export_round_trips_through_json(fitted):
    """Does a model written to JSON read back with the same weights, thresholds and labels?"""
    rows, fz, result, held, settings = fitted
    model = export(fz, result, settings)
    again = parse_model(json.dumps(model.to_dict()))
    assert again.labels == model.labels
    assert again.threshold == model.threshold
    assert again.weights == model.weights
    text = rows[held[0]].text
    assert analyse(text, again) == analyse(text, model)


@pytest.mark.parametrize("version", [3, 4])
def test_an_older_version_file_still_reads_with_the_same_labels(fitted, version):
    """Is a file written with version 3's 32-bit or version 4's 24-bit lanes still read, each
    weight back to its finer step, and does it score held-out texts as the current file does?"""
    rows, fz, result, held, settings = fitted
    model = export(fz, result, settings)
    assert model.version == VERSION
    weights = model.weights
    largest = max(abs(w) for pairs in weights.values() for _, w in pairs)
    old = Lanes(len(model.labels), Lanes.scale_for(largest, version), version)
    data = {
        **model.to_dict(),
        "version": version,
        "scale": old.scale,
        "weights": base64.b64encode(old.encode(weights)).decode(),
    }
    again = LinearModel(data)
    assert (again.version, again.to_dict()["version"]) == (version, version)
    assert again.weights == weights  # v5's grid (2**-7 and coarser) lies on v4's and v3's
    for i in held[:40]:
        text = rows[i].text
        assert analyse(text, again) == analyse(text, model), rows[i].id


def test_training_rows_are_learnt(small):
    """Does a model fitted on rows find most of their own labels (a sanity floor, not a score)?"""
    model = fit(small, FitSettings(min_authors=2))
    hits = sum(
        set(analyse(e.text, model).concepts) | set(analyse(e.text, model).misconceptions)
        >= e.labels
        for e in small[:100]
    )
    assert hits >= 80


def test_pruning_drops_small_weights(fitted):
    """Are weights under the prune size left out of the exported file?"""
    rows, fz, result, held, settings = fitted
    full = export(fz, result, settings)
    pruned = export(fz, result, FitSettings(prune=0.5, min_authors=2))
    assert len(pruned.weights) < len(full.weights)
    assert all(abs(w) >= 0.5 for pairs in pruned.weights.values() for _, w in pairs)


# one feature, every lane full
_ALL_ONES = base64.b64encode(b"\xff" * (Lanes.BITS[VERSION][0] // 8) * 26).decode()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "other"}, "not a safeshare-detector v3–v5 file"),
        ({"version": 2}, "not a safeshare-detector v3–v5 file.*retrain"),
        ({"bias": [0.0]}, "one value per label"),
        ({"weights": "AAAAAA=="}, r"4 bytes for 26 labels × \d+ features"),
        ({"weights": "not base64!"}, "not packed as expected"),
        ({"features": "w:a\nw:a"}, "bytes for 26 labels × 2 features"),
        ({"scale": 3.0}, "scale 3.0 is not a power of two"),
        ({"scale": "inf"}, "scale inf is not a power of two"),
        ({"scale": None}, "not packed as expected"),
        ({"features": "w:a", "weights": _ALL_ONES}, "a weight is outside its lane"),
    ],
)
def test_a_wrong_weights_file_is_refused_with_what_to_do(fitted, change, message):
    """Is a weights file of another format, version or shape refused, naming the fix?"""
    rows, fz, result, held, settings = fitted
    data = {**export(fz, result, settings).to_dict(), **change}
    with pytest.raises(ModelFileError, match=message):
        LinearModel(data)


def test_weights_that_are_not_json_are_refused():
    """Is a corrupt weights file a clear error rather than a crash deep in scoring?"""
    with pytest.raises(ModelFileError, match="not valid JSON"):
        parse_model("{not json")


def test_too_few_authors_for_the_settings_is_said_plainly(small):
    """With fewer authors than min_authors, is the fit refused with what to change?"""
    with pytest.raises(ValueError, match="lower FitSettings.min_authors"):
        fit(small, FitSettings(min_authors=5))


_FIT_SMALL = """
import hashlib, json
from toolkit.training.corpus import bundled_corpus
from toolkit.training.fit import FitSettings, fit
rows = bundled_corpus()
keep = sorted({e.author for e in rows})[:2]
model = fit([e for e in rows if e.author in keep], FitSettings(min_authors=2))
print(hashlib.sha256(json.dumps(model.to_dict()).encode()).hexdigest())
"""


def test_training_twice_writes_the_same_file():
    """Do two trainings on the same rows write byte-identical weights, even with Python's
    string hashing seeded differently (feature order and the solver's row order fixed)?"""
    import os
    import subprocess
    import sys

    digests = {
        subprocess.run(
            [sys.executable, "-c", _FIT_SMALL],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert len(digests) == 1, digests


def test_naive_bayes_scaling_is_an_option_for_concepts_only(small):
    """With ``nb_alpha`` set, are concepts fitted on naive-Bayes-scaled features (different
    weights) and misconceptions as before, and does the exported model still score as the
    fit does (the ratios folded into the weights)?"""
    plain_settings = FitSettings(prune=0.0, min_authors=2)
    nb_settings = FitSettings(prune=0.0, min_authors=2, nb_alpha=1.0)
    fz = featurize(small, plain_settings)
    rows = np.arange(len(small))
    plain, scaled = fit_rows(fz, rows, plain_settings), fit_rows(fz, rows, nb_settings)
    concepts = [i for i, label in enumerate(fz.labels) if label.startswith("C-")]
    beliefs = [i for i, label in enumerate(fz.labels) if label.startswith("M-")]
    assert not np.allclose(plain.coef[concepts], scaled.coef[concepts])
    assert np.array_equal(plain.coef[beliefs], scaled.coef[beliefs])
    model = export(fz, scaled, nb_settings)
    expected = scaled.probabilities(fz, rows[:40])
    for k in range(40):
        assert _scores_as_fitted(model, small[k].text, expected[k]), small[k].id
