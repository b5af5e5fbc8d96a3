"""Tests for the detector's packed weights (model.Lanes): sums over packed integers are the
sums of the weights, for any weights, any number of features and any sign."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.scoring.detector.features import read
from toolkit.scoring.detector.model import VERSION, Lanes, bundled

LABELS = 5
weight = st.floats(min_value=-40.0, max_value=40.0, allow_nan=False)
feature = st.lists(st.tuples(st.integers(0, LABELS - 1), weight), max_size=LABELS)


def _lanes(
    weights: dict[str, tuple[tuple[int, float], ...]], version: int = VERSION
) -> tuple[Lanes, list[int]]:
    largest = max((abs(w) for pairs in weights.values() for _, w in pairs), default=0.0)
    lanes = Lanes(LABELS, Lanes.scale_for(largest, version), version)
    return lanes, lanes.decode(lanes.encode(weights), len(weights))


@pytest.mark.parametrize("version", [3, 4, 5])
@settings(max_examples=60, deadline=None)
@given(st.lists(feature, min_size=1, max_size=40), st.integers(1, 3000))
def test_a_sum_of_packed_features_is_the_sum_of_their_weights(version, features, repeat):
    """Whatever the weights and however many features are summed (past the 15 (version 5),
    127 (version 4) or 1,023 (version 3) that one integer sum can hold), is each label's
    total the float total to the scale's step?"""
    weights = {f"w:{k}": tuple(dict(pairs).items()) for k, pairs in enumerate(features)}
    lanes, packed = _lanes(weights, version)
    chosen = [k % len(packed) for k in range(repeat)]
    got = lanes.totals([packed[k] for k in chosen])
    columns = list(weights.values())
    for i in range(LABELS):
        want = sum(dict(columns[k]).get(i, 0.0) for k in chosen)
        assert math.isclose(got[i], want, abs_tol=repeat / lanes.scale), (i, got[i], want)


def test_each_weight_reads_back_to_the_scale_step():
    """Does a weight on the scale's grid read back exactly, one under half a step as 0, and an
    empty sum as zeros?"""
    lanes, packed = _lanes({"w:a": ((0, -3.25), (4, 7.5)), "w:b": ((1, 1e-9),), "w:c": ()})
    assert lanes.weights(packed[0]) == (-3.25, 0.0, 0.0, 0.0, 7.5)
    assert lanes.weights(packed[1]) == (0.0,) * LABELS  # smaller than a step: nothing
    assert lanes.totals([]) == [0.0] * LABELS


def test_bundled_scores_are_the_plain_sum_of_weights():
    """Does the packed sum give each label bias + scale × text weights + rule weights, as a
    weight-by-weight float sum over the same features does, for real texts?"""
    model = bundled()
    for text in (
        "I'd share with the social worker today because he is at risk of significant harm.",
        "Consent isn't needed where asking would put her at risk; I'll record why.",
        "GDPR means I can't say anything without mum's OK.",
    ):
        occurrences = read(text).features
        values = model.values(occurrences)
        want = list(model.bias)
        for name, value in values.items():
            for i, w in model.pairs(name):
                want[i] += value * w
        got = model.score(occurrences).scores
        assert all(math.isclose(g, w, abs_tol=1e-9) for g, w in zip(got, want, strict=True))
