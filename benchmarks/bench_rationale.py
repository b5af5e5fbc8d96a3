"""Rationale analysis throughput on one core: rationales per second over the eval corpus.

Run: ``uv run python benchmarks/bench_rationale.py [--repeat 20] [--runs 7]``.

The dev and holdout corpora (tests/scoring/files/rationales_*.jsonl) are concatenated and
repeated ``--repeat`` times; each run times ``analyse`` over the whole list in this process
(one core, no parallelism). The registry is compiled and the fold cache warmed before timing,
as in a long-running app. Prints median/min/max rationales per second and the machine.
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


def run_once(texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        analyse(text)
    return len(texts) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the corpus per run")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (at least 5)")
    args = parser.parse_args()
    base = corpus()
    texts = base * args.repeat
    for text in base:  # compile the registry, fill the fold cache
        analyse(text)
    rates = [run_once(texts) for _ in range(max(5, args.runs))]
    words = sum(len(t.split()) for t in base) / len(base)
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}"
    )
    print(
        f"corpus: {len(base)} rationales (mean {words:.0f} words) x {args.repeat} "
        f"= {len(texts)} per run, {len(rates)} runs, one core"
    )
    print(
        f"rationales/s: median {statistics.median(rates):,.0f}  "
        f"min {min(rates):,.0f}  max {max(rates):,.0f}  (target >= {TARGET:,})"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} > cores; other work shares the CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
