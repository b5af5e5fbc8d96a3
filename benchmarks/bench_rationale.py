"""Rationale analysis throughput on one core: rationales per second, short and realistic texts.

Run: ``uv run python benchmarks/bench_rationale.py [--repeat 20] [--runs 7]``.

Two corpora, each timed on its own:

- **short** — the dev and holdout sets (tests/scoring/files/rationales_*.jsonl, mean 17
  words), the corpus the target of 2,000 rationales/s was set on;
- **realistic** — every 10th row of the labelled training corpus (all authors, lengths from
  one word to 250, mean about 35).

Each is repeated ``--repeat`` times (the realistic one a quarter as often); each run times
``analyse`` (the trained detector, the pattern rules inside it, evidence and all) over the
whole list in this process, one core. The detector is loaded and caches warmed first, as
in a long-running kernel. Prints median/min/max rationales/s and words/s per corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.scoring.rationale import analyse  # noqa: E402

FILES = ROOT / "tests" / "scoring" / "files"
TARGET = 2000  # rationales per second


def corpus() -> list[str]:
    texts = []
    for name in ("rationales_dev.jsonl", "rationales_holdout.jsonl"):
        with open(FILES / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def realistic() -> list[str]:
    from toolkit.training.corpus import bundled_corpus

    return [e.text for e in bundled_corpus()[::10]]


def run_once(texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        analyse(text)
    return len(texts) / (time.perf_counter() - started)


def measure(name: str, base: list[str], repeat: int, runs: int) -> float:
    texts = base * max(1, repeat)
    for text in base:  # load the model, compile the rules, fill the caches
        analyse(text)
    rates = [run_once(texts) for _ in range(max(5, runs))]
    words = sum(len(t.split()) for t in base) / len(base)
    median = statistics.median(rates)
    print(
        f"{name}: {len(base)} rationales (mean {words:.0f} words) x {repeat} = {len(texts)} per "
        f"run, {len(rates)} runs, one core"
    )
    print(
        f"{name} rationales/s: median {median:,.0f}  min {min(rates):,.0f}  "
        f"max {max(rates):,.0f}  ({median * words:,.0f} words/s)"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the corpus per run")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (at least 5)")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}"
    )
    short = measure("short", corpus(), args.repeat, args.runs)
    measure("realistic", realistic(), max(1, args.repeat // 4), args.runs)
    print(f"rationales/s: median {short:,.0f}  (short corpus; target >= {TARGET:,})")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} > cores; other work shares the CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
