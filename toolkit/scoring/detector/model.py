"""The trained detector's weights, and scoring a text with them in plain Python.

The weights live in a versioned data file, ``detector/data/model.json``, written by
``safeshare detector train`` (:mod:`toolkit.training`). Scoring needs no numpy or
scikit-learn: a label's score is its bias plus the weights of the features present, each
text feature weighted ``1/sqrt(n)`` for ``n`` distinct text features (so long texts do not
outscore short ones by length alone) and each rule feature weighted 1. The probability is
the logistic of the score; a label is shown when it reaches the label's threshold, chosen on
author-held-out predictions when the model was trained.

File shape (``format: safeshare-detector``, ``version: 2``): JSON, with the weights packed so
that reading them makes no Python object per weight (the learner kernel holds one model)::

    {"format": "safeshare-detector", "version": 2, "labels": ["C-…", …],
     "bias": [b, …], "threshold": [t, …], "power": 0.2, "rule_value": 1.0, "families": […],
     "features": "name\\nname\\n…",   # one line per feature the model weighs
     "weights": "<base64 float32 LE>",  # labels × features, one label's column after another;
                                         # 0 where a feature does not weigh for a label
     "trained": {…provenance: corpus hash, rows, authors, date, settings…}}

Each label's weights are one ``array('f')`` indexed by feature number, so a text's score for a
label is one C-level gather and sum over the features it has (:meth:`LinearModel.score`):
about five times faster than adding weight by weight in Python, and about the same memory as
the sparse layout of version 1 (the weights are 68% dense). Version 1 files are refused with
what to do: retrain.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter
from typing import Any

from toolkit.scoring.detector.features import FAMILIES, Occurrence

FORMAT = "safeshare-detector"
VERSION = 2


WINDOWS = ("none", "sentences")


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
    distinct = dict.fromkeys(names)  # in order of first occurrence: training is repeatable
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


def _unpack(data: dict[str, Any], n: int) -> tuple[dict[str, int], tuple[array, ...]]:
    """Feature → number, and one weight column per label: ModelFileError names what is wrong."""
    try:
        names = data["features"].split("\n") if data["features"] else []
        weights = array("f")
        weights.frombytes(base64.b64decode(data["weights"], validate=True))
    except (KeyError, AttributeError, TypeError, ValueError, binascii.Error) as exc:
        raise ModelFileError(f"detector weights are not packed as expected ({exc})") from None
    if sys.byteorder == "big":  # pragma: no cover - files are little-endian
        weights.byteswap()
    width = len(names)
    if len(weights) != n * width:
        raise ModelFileError(
            f"detector weights: {len(weights)} weights for {n} labels × {width} features"
        )
    index = {name: k for k, name in enumerate(names)}
    if len(index) != width:
        raise ModelFileError("detector weights: a feature is named twice")
    return index, tuple(weights[i * width : (i + 1) * width] for i in range(n))


def pack(weights: dict[str, tuple[tuple[int, float], ...]], n: int) -> dict[str, str]:
    """The packed fields of a model file for ``n`` labels (see the module docstring)."""
    width = len(weights)
    dense = array("f", bytes(4 * n * width))
    for k, pairs in enumerate(weights.values()):
        for i, w in pairs:
            dense[i * width + k] = w
    if sys.byteorder == "big":  # pragma: no cover
        dense.byteswap()
    return {
        "features": "\n".join(weights),
        "weights": base64.b64encode(dense.tobytes()).decode("ascii"),
    }


def _gatherer(rows: list[int]) -> Callable[[array], float]:
    """A function summing a weight column at ``rows``: one C-level gather and sum per label,
    the detector's hot path."""
    if len(rows) > 1:
        take = itemgetter(*rows)
        return lambda column: sum(take(column))
    if rows:
        (row,) = rows
        return lambda column: column[row]
    return lambda column: 0.0


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
        # Compact in memory: feature → number, and one float32 column of weights per label.
        self._index, self._columns = _unpack(data, n)
        self.power = float(data.get("power", 0.5))
        self.rule_value = float(data.get("rule_value", 1.0))
        # feature families the model was trained on (names before the first ':'); empty when
        # it is every family the extractor makes, so scoring need not filter
        families = tuple(data.get("families", ()))
        self.families = () if set(families) >= set(FAMILIES) else tuple(f"{f}:" for f in families)
        self._families_given = families
        # "sentences": also score sentence windows (detector.windows); "none": whole text only
        self.windows = str(data.get("windows", "none"))
        if self.windows not in WINDOWS:
            raise ModelFileError(
                f"windows must be one of {', '.join(WINDOWS)}, not {self.windows!r}"
            )
        self.trained: dict[str, Any] = dict(data.get("trained", {}))

    def pairs(self, name: str) -> tuple[tuple[int, float], ...]:
        """The (label index, weight) pairs of one feature; empty if the model ignores it."""
        k = self._index.get(name)
        if k is None:
            return ()
        return tuple((i, col[k]) for i, col in enumerate(self._columns) if col[k])

    @property
    def weights(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Every feature's pairs (built on demand: for export and inspection, not scoring)."""
        return {name: self.pairs(name) for name in self._index}

    def values(self, occurrences: Sequence[Occurrence]) -> dict[str, float]:
        """Each distinct feature's value in this model (see :func:`feature_values`)."""
        names = (o[0] for o in occurrences)
        if self.families:
            names = (n for n in names if n.startswith(self.families))
        return feature_values(names, self.power, self.rule_value)

    def score(self, occurrences: Sequence[Occurrence]) -> Scored:
        """Scores and probabilities of every label for one text's features.

        The hot path of the detector: one pass over the distinct names, counting text
        features for the scale and keeping the numbers of those the model weighs, then per
        label one gather-and-sum for the text features and one for the rules.
        """
        index, families = self._index, self.families
        text_rows: list[int] = []
        rule_rows: list[int] = []
        text_features = 0
        for name in dict.fromkeys([o[0] for o in occurrences]):
            if families and not name.startswith(families):
                continue
            k = index.get(name)
            if name[0] == "r":
                if k is not None:
                    rule_rows.append(k)
            else:
                text_features += 1
                if k is not None:
                    text_rows.append(k)
        scale = text_features**-self.power if text_features else 0.0
        rule_value = self.rule_value
        text, rule = _gatherer(text_rows), _gatherer(rule_rows)
        totals = tuple(
            b + scale * text(col) + rule_value * rule(col)
            for b, col in zip(self.bias, self._columns, strict=True)
        )
        return Scored(totals, tuple(_sigmoid(t) for t in totals))

    def contributions(
        self, labels: Iterable[int], occurrences: Sequence[Occurrence]
    ) -> dict[int, list[Contribution]]:
        """Each occurrence's positive contribution to each of ``labels``, largest first.

        One pass over the occurrences (an occurrence of a feature seen twice counts at each
        place it occurs, so either can be quoted).
        """
        wanted = sorted(set(labels))
        out: dict[int, list[Contribution]] = {i: [] for i in wanted}
        if not wanted:
            return out
        values = self.values(occurrences)
        index, columns = self._index, self._columns
        for occ in occurrences:
            k = index.get(occ[0])
            if k is None:
                continue
            for i in wanted:
                w = columns[i][k]
                if w > 0:
                    out[i].append(Contribution(i, w * values[occ[0]], occ))
        for found in out.values():
            found.sort(key=lambda c: (-c.amount, c.occurrence[1]))
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
            "families": list(self._families_given),
            "windows": self.windows,
            **pack(self.weights, len(self.labels)),
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
