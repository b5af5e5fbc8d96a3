"""Write benchmarks/results.md: the issue-8 targets table, then every benchmark's own output.

Run by `make bench` after the benchmarks, with BENCH_OUT naming the folder where each one
left its Markdown (<name>.md) and, for the serving benchmarks, its figures (<name>.json).
The rationale, scoring and dashboard benchmarks belong to other areas and only print; their
headline numbers are read from their printed lines. A figure that is missing (a benchmark
failed or was skipped) is reported as such, never as met.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import ROOT, load, machine

ORDER = [
    "bench_tti",
    "bench_click",
    "bench_memory",
    "bench_room",
    "bench_capacity",
    "bench_fork",
    "bench_scaleout",
    "serve_startup",
    "bench_scoring",
    "bench_rationale",
    "bench_dashboard",
]


class Figures:
    """The benchmarks' outputs in BENCH_OUT: JSON figures and printed Markdown."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def json(self, name: str) -> dict[str, Any]:
        path = self.folder / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def text(self, name: str) -> str:
        path = self.folder / f"{name}.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def number(self, name: str, pattern: str) -> float | None:
        match = re.search(pattern, self.text(name))
        return float(match.group(1).replace(",", "")) if match else None


def dig(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


# label, reader (value, text), test of the value; a None test marks a row for information.
Target = tuple[str, Callable[[Figures], tuple[float | None, str]], Callable[[float], bool] | None]


def _fmt(value: float | None, unit: str, digits: int = 2) -> str:
    return "not measured" if value is None else f"{value:.{digits}f} {unit}".strip()


def _tti_ratio(f: Figures) -> tuple[float | None, str]:
    ratio = dig(f.json("tti"), "ratio")
    learner, bare = dig(f.json("tti"), "learner", "median"), dig(f.json("tti"), "bare", "median")
    if ratio is None:
        return None, "not measured"
    return ratio, f"{ratio:.2f}× ({learner:.2f} s vs {bare:.2f} s, medians)"


def _value(getter: Callable[[Figures], Any], unit: str, digits: int = 2) -> Callable:
    def read(f: Figures) -> tuple[float | None, str]:
        value = getter(f)
        return value, _fmt(value, unit, digits)

    return read


def _room_30(key: str, stat: str) -> Callable[[Figures], Any]:
    return lambda f: dig(f.json("room"), "30", key, stat)


def _all_counted(f: Figures) -> tuple[float | None, str]:
    room = dig(f.json("room"), "30")
    if not room:
        return None, "not measured"
    counted = room["counted"]
    worst = room["rendered_max"]["max"]
    value = room["rendered_max"]["median"] if room["all_rendered"] else float("inf")
    return value, (
        f"{value:.2f} s slowest (median run; worst run {worst:.2f} s); rendered per run: {counted}"
    )


def _room_ready(f: Figures) -> tuple[float | None, str]:
    room = dig(f.json("room"), "30")
    if not room:
        return None, "not measured"
    if room["warm"]["max"] == float("inf"):
        return 0.0, "a server did not get ready in one or more runs (see bench_room)"
    return 1.0, f"`--room 30` ready after all 30 warm, in every run ({room['warm']['n']} runs)"


def _capacity(f: Figures) -> tuple[float | None, str]:
    figures = f.json("capacity")
    if not figures:
        return None, "not measured"
    limit, extra = figures["limit"], figures["extra"]
    text = (
        f"{limit} + {extra} at once: exactly {limit} kernels and {extra} full pages in every "
        f"run: {figures['exact']}; other failures: {figures['failures']}; "
        f"RSS {figures['capped_rss']['median']:.0f} MiB (no cap: "
        f"{figures['open_rss']['median']:.0f} MiB)"
    )
    return (1.0 if figures["exact"] and not figures["failures"] else 0.0), text


def _fork(*keys: str) -> Callable[[Figures], Any]:
    return lambda f: dig(f.json("fork"), "fork", *keys)


def _fork_joins(f: Figures) -> tuple[float | None, str]:
    fork = dig(f.json("fork"), "fork")
    if not fork:
        return None, "not measured"
    slowest = fork["joins_slowest"]
    value = slowest["median"] if fork["joins_all_rendered"] else float("inf")
    local = dig(f.json("fork"), "local", "joins_slowest", "median")
    before = f"; ordinary kernels {local:.1f} s" if local is not None else ""
    return value, (
        f"{slowest['median']:.2f} s slowest (median run; worst {slowest['max']:.2f} s); rendered "
        f"per run: {fork['joins_counted']}{before}"
    )


def _fork_uss(f: Figures) -> tuple[float | None, str]:
    uss = _fork("uss", "median")(f)
    if uss is None:
        return None, "not measured"
    local = dig(f.json("fork"), "local", "uss", "median")
    before = f" (ordinary kernels {local:.1f} MiB)" if local is not None else ""
    return uss, f"{uss:.1f} MiB{before}"


def _fork_start(f: Figures) -> tuple[float | None, str]:
    start = _fork("start_ms")(f)
    if not start:
        return None, "not measured"
    local = dig(f.json("fork"), "local", "start_ms", "p95")
    before = f" (ordinary kernels {local:.0f} ms)" if local is not None else ""
    return start["p95"], f"p50 {start['p50']:.0f} ms, p95 {start['p95']:.0f} ms{before}"


def _per_gib(f: Figures) -> tuple[float | None, str]:
    def get(kind: str, key: str) -> float | None:
        return dig(f.json("fork"), kind, key, "median")

    marginal = get("fork", "per_gib_marginal")
    if marginal is None:
        return None, "not measured"
    local = [get("local", k) or 0.0 for k in ("per_gib_marginal", "per_gib_whole")]
    return marginal, (
        f"{marginal:.0f} ({local[0]:.0f}); {get('fork', 'per_gib_whole'):.0f} ({local[1]:.0f})"
    )


TARGETS: list[Target] = [
    ("learner TTI ≤ 1.25× bare ipywidgets notebook, same Voilà", _tti_ratio, lambda v: v <= 1.25),
    (
        "learner TTI ≤ 1 s median, warm pool (browser)",
        _value(lambda f: dig(f.json("tti"), "learner", "median"), "s"),
        lambda v: v <= 1.0,
    ),
    (
        "click → feedback p95 ≤ 150 ms",
        _value(lambda f: dig(f.json("click"), "submit_ms", "p95"), "ms", 0),
        lambda v: v <= 150,
    ),
    (
        "learner kernel RSS ≤ 70 MiB (in use, after first answer)",
        _value(
            lambda f: dig(f.json("memory"), "learner", "first answer", "rss", "median"), "MiB", 1
        ),
        lambda v: v <= 70,
    ),
    (
        "warming a pool of 30 ≤ 60 s (start → ready)",
        _value(_room_30("warm", "median"), "s", 1),
        lambda v: v <= 60,
    ),
    ("`--room N` warms N kernels and says when ready", _room_ready, lambda v: v == 1.0),
    (
        "30 at once, warm pool: all pages served ≤ 1 s",
        _value(_room_30("served_max", "median"), "s (slowest page, median run)"),
        lambda v: v <= 1.0,
    ),
    ("30 at once: every first decision rendered ≤ 5 s, counted", _all_counted, lambda v: v <= 5),
    (
        "dashboard refresh for 200 learners ≤ 300 ms",
        _value(lambda f: f.number("bench_dashboard", r"median refresh (\d+) ms"), "ms", 0),
        lambda v: v <= 300,
    ),
    (
        "scoring ≥ 2,000 rationales/s (rationale detector)",
        _value(lambda f: f.number("bench_rationale", r"rationales/s: median ([\d,]+)"), "/s", 0),
        lambda v: v >= 2000,
    ),
    (
        "for information, not a target: whole `score_attempt` per decision with a rationale",
        _value(
            lambda f: f.number("bench_scoring", r"with rationale detector:.*?([\d,]+) decisions/s"),
            "/s",
            0,
        ),
        None,
    ),
    ("a room that cannot be exhausted (issue 15): max_kernels holds", _capacity, lambda v: v == 1),
    (
        "forked kernels (issue 17): USS per learner ≤ 15 MiB, 30 in use, each answered once",
        _fork_uss,
        lambda v: v <= 15,
    ),
    (
        "forked kernels: kernel start p95 ≤ 150 ms (request → ready)",
        _fork_start,
        lambda v: v <= 150,
    ),
    (
        "forked kernels: 30 join with no warm pool, every first decision rendered ≤ 5 s",
        _fork_joins,
        lambda v: v <= 5,
    ),
    (
        "for information: learners per GiB, forked (ordinary): one more; whole server at 30",
        _per_gib,
        None,
    ),
    (
        "scale-out: 30 through nginx → 2 servers → PostgreSQL, every answer stored",
        lambda f: (
            (1.0, f"answers counted {dig(f.json('scaleout'), 'counted')}")
            if dig(f.json("scaleout"), "all_counted")
            else (None if not f.json("scaleout") else 0.0, "not all counted / not measured")
        ),
        lambda v: v == 1.0,
    ),
]


def targets_table(figures: Figures) -> str:
    rows = ["| target | measured | met |", "|---|---|---|"]
    for label, read, met in TARGETS:
        value, text = read(figures)
        if met is None:
            verdict = "—"
        elif value is None:
            verdict = "not measured"
        else:
            verdict = "yes" if met(value) else "**no**"
        rows.append(f"| {label} | {text} | {verdict} |")
    return "\n".join(rows)


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "none"
    except OSError:
        return "none"


def main() -> int:
    folder = Path(os.environ["BENCH_OUT"])
    figures = Figures(folder)
    started = (folder / "load-at-start.txt").read_text(encoding="utf-8").strip()
    print("# Benchmark results\n")
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}.  ")
    print(f"Machine: {machine().rsplit(', load', 1)[0]}.  ")
    rerun = folder / "load-rerun.txt"
    if rerun.exists():
        started += f"; {rerun.read_text(encoding='utf-8').strip()}"
    print(f"Load at the start: {started}. At the end: {load()}.  ")
    print("The machine is shared: a load above the core count means other work competed")
    print("with the benchmarks.\n")
    print("How each is measured, and the history of changes: docs/performance.md.\n")
    print("## Targets (issues 8, 15 and 17)\n")
    print(targets_table(figures))
    for name in ORDER:
        text = figures.text(name)
        if text:
            print(f"\n## {name}\n\n{text.rstrip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
