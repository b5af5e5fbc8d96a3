"""Fitting the detector: one logistic regression per label over the corpus's features.

Training-time only: imports numpy, scipy and scikit-learn (the ``train`` extra), which the
apps and the learner kernel never load. The features and their values are exactly those
the plain-Python scorer uses (:func:`toolkit.scoring.detector.model.feature_values` over
:func:`toolkit.scoring.detector.features.read`), so a trained model scores a text the same
way in both places.

Choices, each measured by leave-one-author-out evaluation (``safeshare detector eval``):

- a feature is kept only if at least ``min_authors`` different authors used it, so one
  writer's habits do not become the model's idea of a label — unless a trainer's moderated
  row uses it (such rows also count ``moderation.WEIGHT`` times in the fit);
- L2-regularised logistic regression (liblinear's dual solver), classes weighted so a rare
  label counts as much as a common one;
- an option, off by default (``nb_alpha``): each feature scaled per label by its naive-Bayes
  log-count ratio before the fit (NBSVM, Wang and Manning 2012) and the fitted weight
  multiplied by it again on export, so the file and the scorer are unchanged. Measured
  (docs/scoring.md, "What was tried"): for concepts, at most +0.007 micro-F1 and only at a
  lower threshold that shows concepts on terse texts with no reasoning; for misconceptions
  it let a belief's words outweigh their negation ("I would share without consent" read as
  ``M-consent-always``);
- one probability threshold for concepts and one for misconceptions, fixed settings chosen
  by leave-one-author-out evaluation rather than fitted per label, so the evaluation needs one
  fit per held-out author and a label with few examples cannot get a lucky threshold;
- weights smaller than ``prune`` are dropped from the exported file.

:class:`Featurized` reads every row once; a fit on any subset of rows (one fold of the
evaluation) then only selects rows and columns of that one matrix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from toolkit.scoring.detector.features import FAMILIES, read
from toolkit.scoring.detector.model import FORMAT, VERSION, LinearModel, feature_values, pack
from toolkit.training.corpus import Example, all_labels

SEED = 0  # the same rows and settings always give the same weights
PARALLEL_ROWS = 3000  # fits on fewer rows stay in one process (starting workers costs more)


@dataclass(frozen=True)
class FitSettings:
    """How a model is fitted (recorded in the model file's provenance)."""

    C: float = 8.0  # noqa: N815 - scikit-learn's name
    # naive-Bayes scaling for labels starting with nb_labels (an option, off: see the module
    # docstring): its smoothing (None: no scaling) and the regression's C for those labels
    nb_alpha: float | None = None
    nb_C: float = 1.0  # noqa: N815
    nb_labels: str = "C-"
    # a feature enters the model only if this many authors used it (7: a tenth of the first
    # 71 authors; with 137, a grouped 10-fold run kept 47.2k features at 0.8629 / 0.9047
    # micro-F1, 10 kept 33.6k at 0.8607 / 0.9045, 14 kept 24.4k at 0.8587 / 0.9027)
    min_authors: int = 7
    class_weight: str | None = "balanced"
    prune: float = 0.02
    power: float = 0.2  # text features weigh n ** -power (model.feature_values)
    rule_value: float = 1.0  # what a rule feature weighs (model.feature_values)
    # thresholds on the combined probabilities of detector.windows unless windows is "none"
    concept_threshold: float = 0.75
    misconception_threshold: float = 0.6
    windows: str = "clauses"  # sentences and long sentences' clauses; "sentences"; "none"
    families: tuple[str, ...] = FAMILIES
    loss: str = "logistic"  # or "hinge" (a linear SVM; its margin read as log-odds)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def threshold(self, label: str) -> float:
        return self.misconception_threshold if label.startswith("M-") else self.concept_threshold


@lru_cache(maxsize=100_000)
def _names(text: str) -> tuple[str, ...]:
    return tuple(o[0] for o in read(text).features)


def features_of(text: str, settings: FitSettings) -> dict[str, float]:
    """The model's feature values for one text, limited to the settings' families."""
    keep = tuple(f"{f}:" for f in settings.families)
    names = (n for n in _names(text) if n.startswith(keep))
    return feature_values(names, settings.power, settings.rule_value)


@dataclass
class Featurized:
    """Every row's features in one CSR matrix, and which authors used each column."""

    rows: Sequence[Example]
    columns: list[str]
    matrix: Any  # rows × columns, the scorer's feature values
    used: Any  # authors × columns, 1 where the author used the feature
    authors: list[str]
    labels: tuple[str, ...]
    truth: Any  # rows × labels, bool
    weight: Any  # rows: how much each row counts in the fit (moderation counts more)

    def author_rows(self, author: str) -> Any:
        import numpy as np

        return np.flatnonzero([e.author == author for e in self.rows])


def featurize(rows: Sequence[Example], settings: FitSettings) -> Featurized:
    """Read every row once (see the module docstring)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    index: dict[str, int] = {}
    data, cols, ptr = [], [], [0]
    for e in rows:
        for name, value in features_of(e.text, settings).items():
            cols.append(index.setdefault(name, len(index)))
            data.append(value)
        ptr.append(len(cols))
    matrix = csr_matrix(
        (np.asarray(data), np.asarray(cols, dtype=np.int64), np.asarray(ptr)),
        shape=(len(rows), len(index)),
    )
    authors = sorted({e.author for e in rows})
    who = {a: i for i, a in enumerate(authors)}
    owner = csr_matrix(
        (np.ones(len(rows)), ([who[e.author] for e in rows], range(len(rows)))),
        shape=(len(authors), len(rows)),
    )
    used = ((owner @ (matrix > 0).astype(float)) > 0).astype(float).tocsr()
    labels = all_labels()
    truth = np.asarray([[label in e.labels for label in labels] for e in rows], dtype=bool)
    weight = np.asarray([float(e.meta.get("weight", 1.0)) for e in rows])
    return Featurized(rows, list(index), matrix, used, authors, labels, truth, weight)


@dataclass
class Fitted:
    """Per-label coefficients over some of a Featurized's columns."""

    columns: Any  # indices into Featurized.columns
    coef: Any  # labels × len(columns)
    bias: Any  # labels

    def probabilities(self, fz: Featurized, rows: Any) -> Any:
        import numpy as np

        scores = fz.matrix[rows][:, self.columns] @ self.coef.T + self.bias
        return 1.0 / (1.0 + np.exp(-scores))


def _estimator(settings: FitSettings, c: float) -> Any:
    """One label's scikit-learn estimator for the settings (seeded: training is repeatable)."""
    if settings.loss == "hinge":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=c, class_weight=settings.class_weight, max_iter=5000, random_state=SEED)
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c,
        class_weight=settings.class_weight,
        solver="liblinear",
        dual=True,
        max_iter=2000,
        random_state=SEED,  # liblinear's dual solver visits rows in a random order
    )


def nb_ratios(x: Any, y: Any, weight: Any, alpha: float) -> Any:
    """Each column's naive-Bayes log-count ratio for one label: log of its smoothed share of
    the (weighted) occurrences in rows with the label over its share in rows without."""
    import numpy as np

    present = (x > 0).astype(float).multiply(weight[:, None]).tocsr()
    p = alpha + np.asarray(present[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def _fit_label(label: str, x: Any, y: Any, weight: Any, settings: FitSettings) -> tuple[Any, float]:
    """One label's coefficients and bias; a label every row has (or none has) is a constant."""
    import numpy as np

    if y.min() == y.max():
        return np.zeros(x.shape[1]), (8.0 if y.min() else -8.0)
    ratio, c = None, settings.C
    if settings.nb_alpha is not None and label.startswith(settings.nb_labels):
        ratio, c = nb_ratios(x, y, weight, settings.nb_alpha), settings.nb_C
        x = x.multiply(ratio).tocsr()
    model = _estimator(settings, c)
    model.fit(x, y, sample_weight=weight)
    coef = model.coef_[0] if ratio is None else model.coef_[0] * ratio
    return coef, float(model.intercept_[0])


def fit_rows(fz: Featurized, rows: Any, settings: FitSettings) -> Fitted:
    """One logistic regression per label on the given rows of ``fz``."""
    import numpy as np

    authors = sorted({fz.rows[i].author for i in rows})
    keep = [fz.authors.index(a) for a in authors]
    counts = np.asarray(fz.used[keep].sum(axis=0)).ravel()
    # a trainer's moderated row (weight > 1) vouches for its own wording
    moderated = rows[fz.weight[rows] > 1]
    vouched = np.asarray(fz.matrix[moderated].sum(axis=0)).ravel() > 0
    columns = np.flatnonzero((counts >= settings.min_authors) | vouched)
    if not len(columns):
        raise ValueError(
            f"no feature is used by {settings.min_authors} or more of the {len(authors)} "
            "authors trained on: add authors or lower FitSettings.min_authors"
        )
    x = fz.matrix[rows][:, columns]
    weight = fz.weight[rows]
    # Labels fit in parallel processes (liblinear's random state is global to a process, so
    # threads would interleave it); each fit is seeded, so the result is the same as in turn.
    from joblib import Parallel, delayed

    jobs = min(2, os.cpu_count() or 1) if len(rows) >= PARALLEL_ROWS else 1
    fits = Parallel(n_jobs=jobs)(
        delayed(_fit_label)(label, x, fz.truth[rows, i].astype(int), weight, settings)
        for i, label in enumerate(fz.labels)
    )
    coef = np.vstack([c for c, _ in fits]) if fits else np.zeros((0, len(columns)))
    bias = np.asarray([b for _, b in fits])
    return Fitted(columns, coef, bias)


def export(fz: Featurized, fitted: Fitted, settings: FitSettings) -> LinearModel:
    """The plain-Python model: weights at least ``prune`` in size, grouped by feature."""
    import numpy as np

    weights: dict[str, tuple[tuple[int, float], ...]] = {}
    big = np.abs(fitted.coef) >= settings.prune
    for k in np.flatnonzero(big.any(axis=0)):
        pairs = tuple((int(i), float(fitted.coef[i, k])) for i in np.flatnonzero(big[:, k]))
        weights[fz.columns[fitted.columns[k]]] = pairs
    return LinearModel(
        {
            "format": FORMAT,
            "version": VERSION,
            "labels": list(fz.labels),
            "bias": [round(float(b), 4) for b in fitted.bias],
            "threshold": [settings.threshold(label) for label in fz.labels],
            "power": settings.power,
            "rule_value": settings.rule_value,
            "families": list(settings.families),
            "windows": settings.windows,
            **pack(weights, len(fz.labels)),
        }
    )


def fit(rows: Sequence[Example], settings: FitSettings | None = None) -> LinearModel:
    """A model fitted on all of ``rows``."""
    import numpy as np

    settings = settings or FitSettings()
    fz = featurize(rows, settings)
    model = export(fz, fit_rows(fz, np.arange(len(rows)), settings), settings)
    model.trained["settings"] = settings.to_dict()
    model.trained["features"] = len(model.weights)
    return model
