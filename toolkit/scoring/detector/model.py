"""The trained detector's weights, and scoring a text with them in plain Python.

The weights live in a versioned data file, ``detector/data/model.json``, written by
``safeshare detector train`` (:mod:`toolkit.training`). Scoring needs no numpy or
scikit-learn: a label's score is its bias plus the weights of the features present, each
text feature weighted ``n ** -power`` for ``n`` distinct text features (so long texts do not
outscore short ones by length alone; ``power`` is 0.2 in the shipped model) and each rule
feature weighted 1. The probability is the logistic of the score; a label is shown when it
reaches the label's threshold, chosen on author-held-out predictions when the model was
trained.

File shape (``format: safeshare-detector``, ``version: 5``): JSON, with the weights packed so
that reading them makes no Python object per weight (the learner kernel holds one model)::

    {"format": "safeshare-detector", "version": 5, "labels": ["C-…", …],
     "bias": [b, …], "threshold": [t, …], "power": 0.2, "rule_value": 1.0, "families": […],
     "features": "name\\nname\\n…",   # one line per feature the model weighs
     "scale": 128.0,                   # fixed-point scale of the weights (a power of two)
     "weights": "<base64>",            # features × labels, one feature's labels together,
                                       # each a 16-bit little-endian lane holding
                                       # round(weight × scale) + 2**11, so 2**11 is a 0
     "trained": {…provenance: corpus hash, rows, authors, date, settings…}}

Each feature's weights for all labels are read into one Python integer, a lane per label
(:class:`Lanes`), so a text's scores for every label are one C-level ``sum`` of the
integers of the features it has, unpacked once per 15 integers: three times faster than
version 2's gather per label over float columns, with no numpy. The scale is the largest power
of two up to 2**16 that keeps every weight in its lane (2**-7 for weights up to 16), so each
weight is within 2**-8 of the fitted one. Versions 3 and 4 (32- and 24-bit lanes: 136 and
108 bytes a feature for 26 labels, where version 5 takes 80; see :class:`Lanes`) are still
read; versions 1 and 2 are refused with what to do: retrain.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from toolkit.scoring.detector.features import FAMILIES, Occurrence

FORMAT = "safeshare-detector"
VERSION = 5  # what `safeshare detector train` writes
READABLE = (3, 4, 5)  # versions read (Lanes.BITS)


WINDOWS = ("none", "sentences", "clauses")


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


class Lanes:
    """Weights for ``n`` labels packed into one integer per feature, and sums of them unpacked.

    A weight ``w`` is stored as ``round(w * scale) + offset`` (non-negative, below
    ``2**value_bits``) in its label's lane of ``lane`` bits, label 0 in the lowest bits.
    Integers add lane by lane with no carry between lanes while at most ``chunk`` of them are
    summed, so the total of any set of features is a plain ``sum`` (in chunks of ``chunk``)
    and each lane less ``count * offset``, over ``scale``, is that label's total weight.

    Files of version 5 have 16-bit lanes with 12 value bits (15 integers summed without a
    carry): each feature's integer is 80 bytes for 26 labels, where version 4's 24-bit lanes
    (17 value bits, 127 integers) took 108 and version 3's 32-bit lanes (22 value bits) 136.
    Both are still read. The price is a coarser step: 2**-7 for weights up to 16 (2**-12 in
    version 4), and more unpacking for long texts.
    """

    BITS = {3: (32, 22), 4: (24, 17), 5: (16, 12)}  # file version -> (lane bits, value bits)

    def __init__(self, n: int, scale: float, version: int = VERSION):
        self.n = n
        self.scale = scale
        self.lane, self.value_bits = self.BITS[version]
        self.offset = 1 << (self.value_bits - 1)
        self.chunk = (1 << (self.lane - self.value_bits)) - 1
        self.mask = (1 << self.lane) - 1
        self.size = n * self.lane // 8  # bytes per feature
        # every bit above a lane's value bits, in every lane: a packed integer has none set
        spill = self.mask ^ ((1 << self.value_bits) - 1)
        self._spill = sum(spill << (self.lane * i) for i in range(n))

    @classmethod
    def scale_for(cls, largest: float, version: int = VERSION) -> float:
        """The largest power of two, up to 2**16, that keeps weights of ``largest`` size in a
        lane."""
        value_bits = cls.BITS[version][1]
        limit = ((1 << (value_bits - 1)) - 1) / max(largest, 2.0**-16)
        return 2.0 ** min(16, math.floor(math.log2(limit)))

    def pack(self, pairs: Iterable[tuple[int, float]]) -> int:
        """One feature's (label, weight) pairs as its integer."""
        values = [self.offset] * self.n
        for i, w in pairs:
            values[i] = round(w * self.scale) + self.offset
        return sum(v << (self.lane * i) for i, v in enumerate(values))

    def encode(self, weights: dict[str, tuple[tuple[int, float], ...]]) -> bytes:
        """Each feature's (label, weight) pairs as its lanes, one feature after another."""
        return self.to_bytes(self.pack(pairs) for pairs in weights.values())

    def decode(self, raw: bytes, width: int) -> list[int]:
        """One integer per feature from :meth:`encode`'s bytes; ModelFileError if a lane holds
        more than its value bits (sums would carry into the next label)."""
        step = self.size
        if len(raw) != step * width:
            raise ModelFileError(
                f"detector weights: {len(raw)} bytes for {self.n} labels × {width} features"
            )
        read, spill = int.from_bytes, self._spill
        packed = [read(raw[k * step : (k + 1) * step], "little") for k in range(width)]
        if any(p & spill for p in packed):
            raise ModelFileError("detector weights: a weight is outside its lane")
        return packed

    def to_bytes(self, packed: Iterable[int]) -> bytes:
        """The inverse of :meth:`decode`."""
        size = self.size
        return b"".join(p.to_bytes(size, "little") for p in packed)

    def totals(self, packed: list[int]) -> list[float]:
        """Each label's total weight over the packed features given."""
        n = self.n
        out = [0.0] * n
        mask, lane, scale, chunk = self.mask, self.lane, self.scale, self.chunk
        for start in range(0, len(packed), chunk):
            part = packed[start : start + chunk]
            total, offset = sum(part), len(part) * self.offset
            for i in range(n):
                out[i] += ((total & mask) - offset) / scale
                total >>= lane
        return out

    def weight(self, packed: int, i: int) -> float:
        """Label ``i``'s weight in one feature's integer."""
        return (((packed >> (self.lane * i)) & self.mask) - self.offset) / self.scale

    def weights(self, packed: int) -> tuple[float, ...]:
        """Every label's weight in one feature's integer."""
        return tuple(self.weight(packed, i) for i in range(self.n))


def _unpack(data: dict[str, Any], n: int, version: int) -> tuple[list[str], Lanes, list[int]]:
    """Feature names, their lanes and each one's integer: ModelFileError names what is wrong."""
    try:
        names = data["features"].split("\n") if data["features"] else []
        scale = float(data["scale"])
        raw = base64.b64decode(data["weights"], validate=True)
    except (KeyError, AttributeError, TypeError, ValueError, binascii.Error) as exc:
        raise ModelFileError(f"detector weights are not packed as expected ({exc})") from None
    if not (math.isfinite(scale) and scale > 0 and math.frexp(scale)[0] == 0.5):
        raise ModelFileError(f"detector weights: scale {scale!r} is not a power of two")
    lanes = Lanes(n, scale, version)
    packed = lanes.decode(raw, len(names))
    if len(set(names)) != len(names):
        raise ModelFileError("detector weights: a feature is named twice")
    return names, lanes, packed


def pack(weights: dict[str, tuple[tuple[int, float], ...]], n: int) -> dict[str, Any]:
    """The packed fields of a model file for ``n`` labels (see the module docstring)."""
    largest = max((abs(w) for pairs in weights.values() for _, w in pairs), default=0.0)
    lanes = Lanes(n, Lanes.scale_for(largest))
    return {
        "features": "\n".join(weights),
        "scale": lanes.scale,
        "weights": base64.b64encode(lanes.encode(weights)).decode("ascii"),
    }


class LinearModel:
    """One logistic-regression model per label over sparse named features."""

    def __init__(self, data: dict[str, Any]):
        version = data.get("version")
        if data.get("format") != FORMAT or version not in READABLE:
            raise ModelFileError(
                f"not a {FORMAT} v{READABLE[0]}–v{VERSION} file (format {data.get('format')!r}, "
                f"version {data.get('version')!r}); retrain with `safeshare detector train`"
            )
        self.labels: tuple[str, ...] = tuple(data["labels"])
        n = len(self.labels)
        self.bias: tuple[float, ...] = tuple(float(b) for b in data["bias"])
        self.threshold: tuple[float, ...] = tuple(float(t) for t in data["threshold"])
        if len(self.bias) != n or len(self.threshold) != n:
            raise ModelFileError("bias and threshold need one value per label")
        # Compact in memory and quick to sum: feature name → its weights packed (Lanes).
        self.version: int = version
        names, self._lanes, packed = _unpack(data, n, version)
        self._packed: dict[str, int] = dict(zip(names, packed, strict=True))
        self.power = float(data.get("power", 0.5))
        self.rule_value = float(data.get("rule_value", 1.0))
        # feature families the model was trained on (names before the first ':'); empty when
        # it is every family the extractor makes, so scoring need not filter
        families = tuple(data.get("families", ()))
        self.families = () if set(families) >= set(FAMILIES) else tuple(f"{f}:" for f in families)
        self._families_given = families
        # also score windows of the text (detector.windows): "sentences", "clauses" (sentences
        # and the clauses of long ones), or "none" (the whole text only)
        self.windows = str(data.get("windows", "none"))
        if self.windows not in WINDOWS:
            raise ModelFileError(
                f"windows must be one of {', '.join(WINDOWS)}, not {self.windows!r}"
            )
        self.trained: dict[str, Any] = dict(data.get("trained", {}))

    def pairs(self, name: str) -> tuple[tuple[int, float], ...]:
        """The (label index, weight) pairs of one feature; empty if the model ignores it."""
        packed = self._packed.get(name)
        if packed is None:
            return ()
        return tuple((i, w) for i, w in enumerate(self._lanes.weights(packed)) if w)

    @property
    def weights(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Every feature's pairs (built on demand: for export and inspection, not scoring)."""
        return {name: self.pairs(name) for name in self._packed}

    def values(self, occurrences: Sequence[Occurrence]) -> dict[str, float]:
        """Each distinct feature's value in this model (see :func:`feature_values`)."""
        names = (o[0] for o in occurrences)
        if self.families:
            names = (n for n in names if n.startswith(self.families))
        return feature_values(names, self.power, self.rule_value)

    def score(self, occurrences: Sequence[Occurrence]) -> Scored:
        """Scores and probabilities of every label for one text's features.

        The hot path of the detector: one pass over the distinct names, counting text
        features for the scale and keeping the packed weights of those the model weighs, then
        one sum of the text features' integers and one of the rules', each unpacked per label.
        """
        packed, families = self._packed, self.families
        text_rows: list[int] = []
        rule_rows: list[int] = []
        text_features = 0
        for name in dict.fromkeys([o[0] for o in occurrences]):
            if families and not name.startswith(families):
                continue
            weights = packed.get(name)
            if name[0] == "r":
                if weights is not None:
                    rule_rows.append(weights)
            else:
                text_features += 1
                if weights is not None:
                    text_rows.append(weights)
        scale = text_features**-self.power if text_features else 0.0
        rule_value = self.rule_value
        text, rule = self._lanes.totals(text_rows), self._lanes.totals(rule_rows)
        totals = tuple(
            b + scale * t + rule_value * r for b, t, r in zip(self.bias, text, rule, strict=True)
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
        packed, weight = self._packed, self._lanes.weight
        for occ in occurrences:
            weights = packed.get(occ[0])
            if weights is None:
                continue
            for i in wanted:
                w = weight(weights, i)
                if w > 0:
                    out[i].append(Contribution(i, w * values[occ[0]], occ))
        for found in out.values():
            found.sort(key=lambda c: (-c.amount, c.occurrence[1]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "labels": list(self.labels),
            "bias": list(self.bias),
            "threshold": list(self.threshold),
            "power": self.power,
            "rule_value": self.rule_value,
            "families": list(self._families_given),
            "windows": self.windows,
            "features": "\n".join(self._packed),
            "scale": self._lanes.scale,
            "weights": base64.b64encode(self._lanes.to_bytes(self._packed.values())).decode(),
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
