"""Fitting the detector: one logistic regression per label, thresholds from held-out authors.

Training-time only: imports numpy, scipy and scikit-learn (the ``train`` extra), which the
apps and the learner kernel never load. The features and their values are exactly those
the plain-Python scorer uses (:func:`toolkit.scoring.detector.model.feature_values` over
:func:`toolkit.scoring.detector.features.read`), so a trained model scores the same text
the same way in both places.

Choices, each measured by leave-one-author-out evaluation (``safeshare detector eval``):

- a feature is kept only if at least ``min_authors`` different authors used it, so one
  writer's habits do not become the model's idea of a label;
- L2-regularised logistic regression, classes weighted to balance rare labels;
- each label's threshold maximises F1 on predictions for authors held out of the fit
  (grouped folds inside the training rows), never on the rows being fitted;
- weights smaller than ``prune`` are dropped from the exported file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from toolkit.scoring.detector.features import read
from toolkit.scoring.detector.model import FORMAT, VERSION, LinearModel, feature_values
from toolkit.training.corpus import Example, all_labels

THRESHOLD_GRID = tuple(round(0.05 * k, 2) for k in range(2, 19))  # 0.10 … 0.90


@dataclass(frozen=True)
class FitSettings:
    """How a model is fitted (recorded in the model file's provenance)."""

    C: float = 4.0  # noqa: N815 - scikit-learn's name
    min_authors: int = 2
    class_weight: str | None = "balanced"
    prune: float = 0.02
    inner_folds: int = 4
    power: float = 0.5  # text features weigh n ** -power (model.feature_values)
    families: tuple[str, ...] = ("w", "k", "c", "r", "rw", "rx", "s")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=100_000)
def _names(text: str) -> tuple[str, ...]:
    return tuple(o.name for o in read(text).features)


def features_of(text: str, settings: FitSettings) -> dict[str, float]:
    """The model's feature values for one text, limited to the settings' families."""
    keep = tuple(f"{f}:" for f in settings.families)
    return feature_values((n for n in _names(text) if n.startswith(keep)), settings.power)


@dataclass
class Design:
    """The feature matrix for some rows: column names and a CSR matrix."""

    columns: list[str]
    matrix: Any
    index: dict[str, int] = field(default_factory=dict)


def design(rows: Sequence[Example], settings: FitSettings) -> Design:
    """Columns used by at least ``min_authors`` authors; values as the scorer computes them."""
    import numpy as np
    from scipy.sparse import csr_matrix

    values = [features_of(e.text, settings) for e in rows]
    authors: dict[str, set[str]] = defaultdict(set)
    for e, vals in zip(rows, values, strict=True):
        for name in vals:
            authors[name].add(e.author)
    columns = sorted(n for n, who in authors.items() if len(who) >= settings.min_authors)
    index = {n: i for i, n in enumerate(columns)}
    data, cols, ptr = [], [], [0]
    for vals in values:
        for name, v in vals.items():
            j = index.get(name)
            if j is not None:
                cols.append(j)
                data.append(v)
        ptr.append(len(cols))
    matrix = csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(cols, dtype=np.int32), np.asarray(ptr)),
        shape=(len(rows), len(columns)),
    )
    return Design(columns, matrix, index)


def transform(rows: Sequence[Example], d: Design, settings: FitSettings) -> Any:
    """Rows in an existing design's columns (features it lacks are dropped)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    data, cols, ptr = [], [], [0]
    for e in rows:
        for name, v in features_of(e.text, settings).items():
            j = d.index.get(name)
            if j is not None:
                cols.append(j)
                data.append(v)
        ptr.append(len(cols))
    return csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(cols, dtype=np.int32), np.asarray(ptr)),
        shape=(len(rows), len(d.columns)),
    )


@dataclass
class Fitted:
    """Raw per-label coefficients over a design's columns."""

    design: Design
    coef: Any  # (labels, columns)
    bias: list[float]

    def probabilities(self, matrix: Any) -> Any:
        import numpy as np

        scores = matrix @ self.coef.T + np.asarray(self.bias)
        return 1.0 / (1.0 + np.exp(-scores))


def _fit_raw(rows: Sequence[Example], settings: FitSettings, labels: Sequence[str]) -> Fitted:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    d = design(rows, settings)
    coef = np.zeros((len(labels), len(d.columns)))
    bias = []
    for i, label in enumerate(labels):
        y = np.asarray([label in e.labels for e in rows], dtype=int)
        if y.sum() == 0 or y.sum() == len(y):
            bias.append(-8.0 if y.sum() == 0 else 8.0)
            continue
        lr = LogisticRegression(
            C=settings.C, class_weight=settings.class_weight, solver="liblinear", max_iter=1000
        )
        lr.fit(d.matrix, y)
        coef[i] = lr.coef_[0]
        bias.append(float(lr.intercept_[0]))
    return Fitted(d, coef, bias)


def _groups(rows: Sequence[Example], folds: int) -> list[list[int]]:
    """Row indices split into ``folds`` groups of whole authors, balanced by row count."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(rows):
        by_author[e.author].append(i)
    groups: list[list[int]] = [[] for _ in range(min(folds, len(by_author)))]
    for _, idx in sorted(by_author.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(groups, key=len).extend(idx)
    return groups


def out_of_author(
    rows: Sequence[Example],
    settings: FitSettings,
    labels: Sequence[str],
    folds: int,
    fit: Callable[..., Fitted] = _fit_raw,
) -> Any:
    """Each row's probabilities from a model fitted without its author (grouped folds)."""
    import numpy as np

    probs = np.zeros((len(rows), len(labels)))
    for held in _groups(rows, folds):
        held_set = set(held)
        train = [e for i, e in enumerate(rows) if i not in held_set]
        fitted = fit(train, settings, labels)
        test = [rows[i] for i in held]
        probs[held] = fitted.probabilities(transform(test, fitted.design, settings))
    return probs


def best_threshold(truth: Sequence[bool], probs: Sequence[float]) -> float:
    """The grid threshold with the best F1 (ties: nearest 0.5); 0.5 with no positives."""
    if not any(truth):
        return 0.5
    best, best_key = 0.5, (-1.0, 0.0)
    for t in THRESHOLD_GRID:
        tp = sum(1 for y, p in zip(truth, probs, strict=True) if y and p >= t)
        fp = sum(1 for y, p in zip(truth, probs, strict=True) if not y and p >= t)
        fn = sum(1 for y, p in zip(truth, probs, strict=True) if y and p < t)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        key = (round(f1, 6), -abs(t - 0.5))
        if key > best_key:
            best, best_key = t, key
    return best


def thresholds(rows: Sequence[Example], settings: FitSettings, labels: Sequence[str]) -> list[float]:
    """Per-label thresholds chosen on out-of-author predictions within ``rows``."""
    probs = out_of_author(rows, settings, labels, settings.inner_folds)
    return [
        best_threshold([label in e.labels for e in rows], list(probs[:, i]))
        for i, label in enumerate(labels)
    ]


def export(
    fitted: Fitted, cuts: Sequence[float], labels: Sequence[str], settings: FitSettings
) -> LinearModel:
    """The plain-Python model: weights at or above ``prune`` in size, grouped by feature."""
    prune, power = settings.prune, settings.power
    weights: dict[str, list[list[float]]] = {}
    for j, name in enumerate(fitted.design.columns):
        pairs = [
            [i, round(float(fitted.coef[i, j]), 4)]
            for i in range(len(labels))
            if abs(fitted.coef[i, j]) >= prune
        ]
        if pairs:
            weights[name] = pairs
    return LinearModel(
        {
            "format": FORMAT,
            "version": VERSION,
            "labels": list(labels),
            "bias": [round(b, 4) for b in fitted.bias],
            "threshold": list(cuts),
            "power": power,
            "weights": weights,
        }
    )


def fit(rows: Sequence[Example], settings: FitSettings | None = None) -> LinearModel:
    """A model from labelled rows: thresholds from held-out authors, then one fit on all rows."""
    settings = settings or FitSettings()
    labels = all_labels()
    cuts = thresholds(rows, settings, labels)
    model = export(_fit_raw(rows, settings, labels), cuts, labels, settings)
    model.trained["settings"] = settings.to_dict()
    model.trained["features"] = len(model.weights)
    return model
