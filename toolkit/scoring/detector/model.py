"""The trained detector's weights, and scoring a text with them in plain Python.

The weights live in a versioned data file, ``detector/data/model.json``, written by
``safeshare detector train`` (:mod:`toolkit.training`). Scoring needs no numpy or
scikit-learn: a label's score is its bias plus the weights of the features present, each
text feature weighted ``1/sqrt(n)`` for ``n`` distinct text features (so long texts do not
outscore short ones by length alone) and each rule feature weighted 1. The probability is
the logistic of the score; a label is shown when it reaches the label's threshold, chosen on
author-held-out predictions when the model was trained.

File shape (``format: safeshare-detector``, ``version: 1``)::

    {"format": "safeshare-detector", "version": 1, "labels": ["C-…", …],
     "bias": [b, …], "threshold": [t, …],
     "weights": {"w:wait for proof": [[label_index, weight], …], …},
     "trained": {…provenance: corpus hash, rows, authors, date, settings, metrics…}}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from toolkit.scoring.detector.features import Occurrence

FORMAT = "safeshare-detector"
VERSION = 1


class ModelFileError(ValueError):
    """A detector weights file that is not one this version can read."""


def is_rule(name: str) -> bool:
    """Rule features (``r:``, ``rw:``, ``rx:``) are the only names starting with ``r``."""
    return name[0] == "r"


def feature_values(
    names: Iterable[str], power: float = 0.5, rule_value: float = 1.0
) -> dict[str, float]:
    """Distinct feature names → the value each has in the linear model (see module doc).

    Text features share ``n ** -power`` for ``n`` distinct text features; rule features are
    ``rule_value``.
    """
    distinct = set(names)
    text = [n for n in distinct if not is_rule(n)]
    scale = len(text) ** -power if text else 0.0
    return {n: (rule_value if is_rule(n) else scale) for n in distinct}


@dataclass(frozen=True)
class Contribution:
    """How much one feature occurrence added to one label's score."""

    label: int
    amount: float
    occurrence: Occurrence


@dataclass(frozen=True)
class Scored:
    """Per-label scores (log-odds) and probabilities for one text."""

    scores: tuple[float, ...]
    probabilities: tuple[float, ...]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class LinearModel:
    """One logistic-regression model per label over sparse named features."""

    def __init__(self, data: dict[str, Any]):
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ModelFileError(
                f"not a {FORMAT} v{VERSION} file (format {data.get('format')!r}, "
                f"version {data.get('version')!r}); retrain with `safeshare detector train`"
            )
        self.labels: tuple[str, ...] = tuple(data["labels"])
        n = len(self.labels)
        self.bias: tuple[float, ...] = tuple(float(b) for b in data["bias"])
        self.threshold: tuple[float, ...] = tuple(float(t) for t in data["threshold"])
        if len(self.bias) != n or len(self.threshold) != n:
            raise ModelFileError("bias and threshold need one value per label")
        self.weights: dict[str, tuple[tuple[int, float], ...]] = {
            name: tuple((int(i), float(w)) for i, w in pairs)
            for name, pairs in data["weights"].items()
        }
        self.power = float(data.get("power", 0.5))
        self.rule_value = float(data.get("rule_value", 1.0))
        # feature families the model was trained on (names before the first ':'); all if empty
        self.families = tuple(f"{f}:" for f in data.get("families", ()))
        self.trained: dict[str, Any] = dict(data.get("trained", {}))

    def values(self, occurrences: Sequence[Occurrence]) -> dict[str, float]:
        """Each distinct feature's value in this model (see :func:`feature_values`)."""
        names = (o[0] for o in occurrences)
        if self.families:
            names = (n for n in names if n.startswith(self.families))
        return feature_values(names, self.power, self.rule_value)

    def score(self, occurrences: Sequence[Occurrence]) -> Scored:
        """Scores and probabilities of every label for one text's features.

        The hot path of the detector, so written out: one pass over the distinct names,
        counting text features for the scale and keeping those the model weighs.
        """
        totals = list(self.bias)
        weights, families = self.weights, self.families
        seen: set[str] = set()
        text_features = 0
        weighed: list[tuple[bool, tuple[tuple[int, float], ...]]] = []
        for occ in occurrences:
            name = occ[0]
            if name in seen or (families and not name.startswith(families)):
                continue
            seen.add(name)
            rule = name[0] == "r"
            text_features += not rule
            pairs = weights.get(name)
            if pairs:
                weighed.append((rule, pairs))
        scale = text_features**-self.power if text_features else 0.0
        for rule, pairs in weighed:
            value = self.rule_value if rule else scale
            for i, w in pairs:
                totals[i] += w * value
        return Scored(tuple(totals), tuple(_sigmoid(t) for t in totals))

    def contributions(self, label: int, occurrences: Sequence[Occurrence]) -> list[Contribution]:
        """Each occurrence's positive contribution to one label, largest first."""
        values = self.values(occurrences)
        out = []
        for occ in occurrences:
            for i, w in self.weights.get(occ[0], ()):
                if i == label and w > 0:
                    out.append(Contribution(label, w * values[occ[0]], occ))
        out.sort(key=lambda c: (-c.amount, c.occurrence[1]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "labels": list(self.labels),
            "bias": list(self.bias),
            "threshold": list(self.threshold),
            "power": self.power,
            "rule_value": self.rule_value,
            "families": [f[:-1] for f in self.families],
            "weights": {k: [list(p) for p in v] for k, v in self.weights.items()},
            "trained": self.trained,
        }


def parse_model(text: str) -> LinearModel:
    """A model from the JSON text of a weights file; ModelFileError if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"detector weights are not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ModelFileError("detector weights must be a JSON object")
    return LinearModel(data)


@cache
def bundled() -> LinearModel:
    """The model shipped in the package, read once on first use."""
    text = (
        resources.files("toolkit.scoring.detector").joinpath("data/model.json").read_text("utf-8")
    )
    return parse_model(text)
