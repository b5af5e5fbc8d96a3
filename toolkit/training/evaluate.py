"""Honest evaluation of the detector: leave one author out, never a random split.

For each author in turn, a model is fitted on every other author's rows (its thresholds
chosen on those rows alone) and scores the held-out author's rows through the same
plain-Python path the apps use (:func:`toolkit.scoring.rationale.analyse`). Pooling those
predictions gives per-label precision, recall and F1 for writing the model never saw, the
way a new learner's writing is new. The pattern rules alone
(:func:`~toolkit.scoring.rationale.analyse_rules`) are scored on the same rows beside it,
and the confusion between labels shows where a missed label went instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from toolkit.scoring.detector.model import LinearModel
from toolkit.scoring.rationale import RationaleResult, analyse, analyse_rules
from toolkit.training.corpus import Example, all_labels
from toolkit.training.fit import FitSettings, export, featurize, fit_rows

# Labels a reader could mistake for each other: the confusion table always lists these.
CLOSE_PAIRS = (
    ("M-consent-always", "C-consent-not-basis"),
    ("M-tell-family-always", "C-transparency"),
    ("C-transparency", "C-withhold-notice-if-risk"),
    ("C-timely", "C-emergency-action"),
    ("M-wait-for-proof", "C-timely"),
    ("C-right-recipient", "C-seek-advice"),
    ("M-share-everything", "C-minimum-necessary"),
    ("M-paperwork-first", "C-agreement-policy"),
    ("M-no-record", "C-record-decision"),
    ("C-lawful-basis", "C-special-category"),
    ("M-dp-barrier", "M-confidentiality-absolute"),
    ("M-assume-others-know", "C-right-recipient"),
)


@dataclass
class Tally:
    """True and false positives and false negatives per label, and label confusions."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    confusion: Counter = field(default_factory=Counter)  # (missed gold, wrongly shown)
    exact: int = 0
    rows: int = 0

    def add(self, gold: Iterable[str], found: Iterable[str]) -> None:
        gold, found = set(gold), set(found)
        for label in gold & found:
            self.tp[label] += 1
        for label in found - gold:
            self.fp[label] += 1
        for label in gold - found:
            self.fn[label] += 1
        for missed in gold - found:
            for shown in found - gold:
                self.confusion[(missed, shown)] += 1
        self.rows += 1
        self.exact += gold == found

    def prf(self, labels: Iterable[str]) -> tuple[float, float, float]:
        """Micro precision, recall and F1 over ``labels``."""
        labels = list(labels)
        tp = sum(self.tp[x] for x in labels)
        fp = sum(self.fp[x] for x in labels)
        fn = sum(self.fn[x] for x in labels)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def support(self, label: str) -> int:
        return self.tp[label] + self.fn[label]


def concepts() -> tuple[str, ...]:
    return tuple(x for x in all_labels() if x.startswith("C-"))


def misconceptions() -> tuple[str, ...]:
    return tuple(x for x in all_labels() if x.startswith("M-"))


@dataclass
class Evaluation:
    """Pooled author-held-out results for the model and for the rules alone."""

    model: Tally
    rules: Tally
    per_author: dict[str, Tally]  # in the order the authors were scored
    settings: FitSettings | None  # None: a fixed model scored as it is (score_labelled)
    misses: list[tuple[Example, RationaleResult]] = field(default_factory=list)

    @property
    def authors(self) -> list[str]:
        """The authors scored, in order."""
        return list(self.per_author)

    def figures(self) -> dict[str, float]:
        """The headline numbers a regression test pins."""
        _, _, fc = self.model.prf(concepts())
        _, _, fm = self.model.prf(misconceptions())
        return {"concept_micro_f1": round(fc, 4), "misconception_micro_f1": round(fm, 4)}

    def score(self, e: Example, model: LinearModel | None) -> None:
        """Add one labelled row: the model's labels, the rules' labels beside them, a miss."""
        found = analyse(e.text, model)
        got = _labels(found)
        for t in (self.model, self.per_author.setdefault(e.author, Tally())):
            t.add(e.labels, got)
        self.rules.add(e.labels, _labels(analyse_rules(e.text)))
        if got != set(e.labels):
            self.misses.append((e, found))


def _labels(result: RationaleResult) -> set[str]:
    return set(result.concepts) | set(result.misconceptions)


def leave_one_author_out(
    rows: Sequence[Example],
    settings: FitSettings | None = None,
    *,
    held_out: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Fit without each author in turn and score that author's rows (module docstring).

    ``held_out`` limits which authors take a turn (all by default); every fit still uses
    all the other authors' rows, so a subset gives the same per-author figures as a full run.
    """
    import numpy as np

    settings = settings or FitSettings()
    fz = featurize(rows, settings)
    turns = [a for a in fz.authors if held_out is None or a in held_out]
    unknown = sorted(set(held_out or ()) - set(fz.authors))
    if unknown:
        raise ValueError(f"no rows by author(s): {', '.join(unknown)}")
    ev = Evaluation(Tally(), Tally(), {}, settings)
    for author in turns:
        if progress:
            progress(author)
        held_rows = fz.author_rows(author)
        others = np.setdiff1d(np.arange(len(rows)), held_rows)
        model = export(fz, fit_rows(fz, others, settings), settings)
        for i in held_rows:
            ev.score(rows[i], model)
    return ev


def score_labelled(rows: Sequence[Example], model: LinearModel | None = None) -> Evaluation:
    """Score labelled rows with a fixed model (the shipped one by default), refitting nothing.

    For writing the model was never trained on: a new author's file, an independent test
    set, a cohort's moderated answers. Rows are grouped by their ``author``; the pattern
    rules are scored beside the model as in :func:`leave_one_author_out`.
    """
    ev = Evaluation(Tally(), Tally(), {}, None)
    for e in rows:
        ev.score(e, model)
    return ev


def _author_f1(t: Tally, labels: Sequence[str]) -> str:
    """An author's micro-F1, or, where they wrote none of these labels (the generated lists
    of terms), how many were wrongly shown: an F1 there would read 0 or 1 whatever happened."""
    if not any(t.support(x) for x in labels):
        return f"— (no labels; {sum(t.fp[x] for x in labels)} shown)"
    return _pct(t.prf(labels)[2])


def _pct(x: float) -> str:
    return f"{x:.3f}"


def markdown(ev: Evaluation) -> str:
    """The evaluation as Markdown tables (docs/scoring.md carries a copy)."""
    how = "Leave-one-author-out over" if ev.settings else "A fixed model (no refit) on"
    held = "held-out author" if ev.settings else "author"
    lines = [
        f"{how} {ev.model.rows} rationales by {len(ev.authors)} authors ({', '.join(ev.authors)}).",
        "",
        "| | trained detector P | R | F1 | pattern rules P | R | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, labels in (
        ("concepts (micro)", concepts()),
        ("misconceptions (micro)", misconceptions()),
    ):
        m, r = ev.model.prf(labels), ev.rules.prf(labels)
        lines.append(f"| **{name}** | " + " | ".join(_pct(x) for x in (*m, *r)) + " |")
    lines += [
        "",
        "| label | support | trained P | R | F1 | rules P | R | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in all_labels():
        m, r = ev.model.prf([label]), ev.rules.prf([label])
        lines.append(
            f"| {label} | {ev.model.support(label)} | "
            + " | ".join(_pct(x) for x in (*m, *r))
            + " |"
        )
    lines += ["", f"Per {held} (trained detector, micro-F1):", ""]
    lines += ["| author | rows | concepts F1 | misconceptions F1 |", "|---|---|---|---|"]
    for author, t in ev.per_author.items():
        lines.append(
            f"| {author} | {t.rows} | {_author_f1(t, concepts())} | "
            f"{_author_f1(t, misconceptions())} |"
        )
    lines += [
        "",
        "Confusion between close labels (trained detector): rows where the first label was "
        "missed and the second shown instead, and the reverse.",
        "",
    ]
    lines += ["| label A | label B | A missed, B shown | B missed, A shown |", "|---|---|---|---|"]
    for a, b in CLOSE_PAIRS:
        lines.append(f"| {a} | {b} | {ev.model.confusion[(a, b)]} | {ev.model.confusion[(b, a)]} |")
    top = [kv for kv in ev.model.confusion.most_common(8) if kv[1] > 1]
    if top:
        lines += ["", "Most frequent confusions overall:", ""]
        lines += [f"- {a} missed, {b} shown: {n}" for (a, b), n in top]
    return "\n".join(lines) + "\n"
