"""How well does the rationale detector agree with hand labels? (dev and holdout corpora)

``files/rationales_dev.jsonl`` was used to tune the patterns; ``files/rationales_holdout.jsonl``
was written before any pattern existed and never used for tuning (see ``files/README.md``).
Each split is scored on its own: per-label precision, recall and F1, and micro-F1 over all
concepts and over all misconceptions. The tables are printed and written to
``test-artifacts/rationale_eval.md``. A split fails below ``FLOOR`` micro-F1.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from toolkit.guidance import vocabulary
from toolkit.scoring.rationale import analyse

FILES = Path(__file__).parent / "files"
SPLITS = ("dev", "holdout")
STYLES = {"good", "partial", "confused", "negated", "off-topic", "stuffed"}
FLOOR = 0.8


def load(split: str) -> list[dict]:
    with open(FILES / f"rationales_{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Tally:
    """True/false positives and false negatives per label, and exact matches per style."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    rows: Counter = field(default_factory=Counter)

    def add(self, row: dict) -> None:
        result = analyse(row["text"])
        same = True
        for expected, found in (
            (set(row["concepts"]), set(result.concepts)),
            (set(row["misconceptions"]), set(result.misconceptions)),
        ):
            for label in found & expected:
                self.tp[label] += 1
            for label in found - expected:
                self.fp[label] += 1
            for label in expected - found:
                self.fn[label] += 1
            same = same and found == expected
        self.rows[row["style"]] += 1
        self.exact[row["style"]] += same

    def prf(self, labels: list[str]) -> tuple[float, float, float]:
        tp = sum(self.tp[x] for x in labels)
        fp = sum(self.fp[x] for x in labels)
        fn = sum(self.fn[x] for x in labels)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def tally(split: str) -> Tally:
    t = Tally()
    for row in load(split):
        t.add(row)
    return t


def table(split: str, t: Tally) -> str:
    vocab = vocabulary()
    lines = [
        f"### {split}: {sum(t.rows.values())} rationales",
        "",
        "| label | support | P | R | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for group, labels in (
        ("concepts", list(vocab.concepts)),
        ("misconceptions", list(vocab.misconceptions)),
    ):
        for label in labels:
            p, r, f = t.prf([label])
            lines.append(f"| {label} | {t.tp[label] + t.fn[label]} | {p:.2f} | {r:.2f} | {f:.2f} |")
        p, r, f = t.prf(labels)
        lines.append(f"| **micro {group}** | | **{p:.3f}** | **{r:.3f}** | **{f:.3f}** |")
    lines += ["", "| style | rows | exact match |", "|---|---:|---:|"]
    lines += [f"| {s} | {n} | {t.exact[s] / n:.2f} |" for s, n in sorted(t.rows.items())]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tallies(artifacts_dir: Path) -> dict[str, Tally]:
    results = {split: tally(split) for split in SPLITS}
    report = "## Rationale detector vs hand labels\n\n" + "\n".join(
        table(split, results[split]) for split in SPLITS
    )
    (artifacts_dir / "rationale_eval.md").write_text(report, encoding="utf-8")
    return results


@pytest.mark.parametrize("split", SPLITS)
def test_micro_f1_floor(
    split: str, tallies: dict[str, Tally], capsys: pytest.CaptureFixture
) -> None:
    """Do concepts and misconceptions each reach micro-F1 ≥ 0.8 on this split?"""
    t, vocab = tallies[split], vocabulary()
    with capsys.disabled():
        print("\n" + table(split, t))
    concepts = t.prf(list(vocab.concepts))[2]
    misconceptions = t.prf(list(vocab.misconceptions))[2]
    assert concepts >= FLOOR and misconceptions >= FLOOR, (split, concepts, misconceptions)


@pytest.mark.parametrize("split", SPLITS)
def test_corpus_is_well_formed(split: str) -> None:
    """Does every row have a unique id, known labels and one of the six styles?"""
    rows, vocab = load(split), vocabulary()
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["style"] in STYLES, row["id"]
        assert set(row["concepts"]) <= set(vocab.concepts), row["id"]
        assert set(row["misconceptions"]) <= set(vocab.misconceptions), row["id"]
        assert 0 < len(row["text"]) < 600, row["id"]


def test_corpus_size_and_coverage() -> None:
    """Are there ≥100 dev and ≥50 holdout rows, with every label positive several times?"""
    dev, holdout = load("dev"), load("holdout")
    assert len(dev) >= 100 and len(holdout) >= 50
    counts = Counter(label for r in dev + holdout for label in r["concepts"] + r["misconceptions"])
    vocab = vocabulary()
    thin = {x: counts[x] for x in [*vocab.concepts, *vocab.misconceptions] if counts[x] < 5}
    assert not thin, thin
    held = Counter(label for r in holdout for label in r["concepts"] + r["misconceptions"])
    assert all(held[x] >= 2 for x in [*vocab.concepts, *vocab.misconceptions]), held
