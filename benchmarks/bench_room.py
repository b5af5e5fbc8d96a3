"""A room joining at once: 1, 10 and 30 learners on a warm pool, with light clients.

Run: ``uv run python benchmarks/bench_room.py [--sizes 1 10 30] [--runs 5]``.

For each room size N and each run: a fresh learner server with ``--room N`` is started and
timed to "ready" (every warm kernel has built the app: this is warming a pool of N), then
N light clients (benchmarks/_voila_client.py) ask for the workshop link
``?session=CODE&scenario=…`` at the same instant. Each one fetches the page and its
scripts and styles, connects to its kernel and waits for the first decision in the widget
state. Every learner is counted: a run passes only if all N first decisions rendered. The
memory of the server and all its kernels is read right after the burst. Room-scale load
uses light clients because 30 browsers on 2 cores would measure the browsers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import psutil
from _harness import (
    SCENARIO,
    browser_assets,
    kernel_processes,
    load,
    machine,
    memory,
    save,
    served,
    summary,
)
from _voila_client import Page, Timing

from toolkit.errors import SafeShareError

SERVED_TARGET, RENDERED_TARGET, WARM_30_TARGET = 1.0, 5.0, 60.0
READY_TIMEOUT = 240.0  # 4× the 60 s target for a room of 30: past it the run has failed


async def burst(
    url: str,
    query: str,
    size: int,
    timeout: float,
    measure: Callable[[], list[dict[str, float]]],
    assets: list[str] | bool = True,
) -> tuple[list[Timing | str], list[dict[str, float]]]:
    """N pages requested together; each one's timing (or the error that stopped it), and
    `measure()` taken while every page is still open."""
    pages = [Page(url, query) for _ in range(size)]

    async def one(page: Page) -> Timing | str:
        try:
            return await page.open(assets=assets, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - a failed learner is counted, not fatal
            return f"{type(exc).__name__}: {exc}"

    results = await asyncio.gather(*(one(p) for p in pages))
    taken = measure()
    await asyncio.gather(*(p.close() for p in pages), return_exceptions=True)
    return results, taken


def seed_cohort(database_url: str) -> str:
    """A workshop cohort offering the benchmark scenario; its join code."""
    from toolkit.storage import open_store

    return open_store(database_url).add_cohort("Benchmark room", [SCENARIO])["code"]


def one_run(size: int, timeout: float, assets: list[str] | bool) -> dict:
    """One fresh server and one burst; a server that never gets ready is a failed run."""
    try:
        return _one_run(size, timeout, assets)
    except SafeShareError as exc:
        empty: list[float] = []
        return {
            "warm": float("inf"),
            "served": empty,
            "connected": empty,
            "rendered": empty,
            "failed": [f"server: {exc}"],
            "voila_cpu": 0.0,
            "rss_total": 0.0,
            "pss_total": 0.0,
        }


def _one_run(size: int, timeout: float, assets: list[str] | bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="safeshare-room-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'room.db'}"
        code = seed_cohort(url)
        with served("learner", size, database_url=url, ready_timeout=READY_TIMEOUT) as (
            server,
            warm,
        ):
            query = f"session={code}&scenario={SCENARIO}"

            def measure() -> list[dict[str, float]]:
                procs = [psutil.Process(server.pid), *kernel_processes(server).values()]
                return [memory(p) for p in procs if p.is_running()]

            voila = psutil.Process(server.pid)
            cpu_before = sum(voila.cpu_times()[:2])
            results, mem = asyncio.run(burst(server.url, query, size, timeout, measure, assets))
            voila_cpu = (sum(voila.cpu_times()[:2]) - cpu_before) / size
    timings = [r for r in results if isinstance(r, Timing) and r.rendered is not None]
    return {
        "warm": warm,
        "served": [t.served for t in timings],
        "connected": [t.connected for t in timings],
        "rendered": [t.rendered for t in timings],
        "failed": [r for r in results if isinstance(r, str)],
        "voila_cpu": voila_cpu,
        "rss_total": sum(m["rss"] for m in mem),
        "pss_total": sum(m["pss"] for m in mem),
    }


def report(size: int, runs: list[dict]) -> dict:
    served_max = [max(r["served"], default=float("inf")) for r in runs]
    rendered_max = [max(r["rendered"], default=float("inf")) for r in runs]
    rendered_med = [
        statistics.median(r["rendered"]) if r["rendered"] else float("inf") for r in runs
    ]
    counted = [len(r["rendered"]) for r in runs]
    warm = [r["warm"] for r in runs]
    print(f"\n### {size} learner{'s' if size > 1 else ''} at once, room of {size}\n")
    print("| per run | median | min | max | runs |\n|---|---:|---:|---:|---:|")
    for label, values, unit in [
        (f"start → ready (pool of {size} warm)", warm, "s"),
        ("slowest page served (HTML complete)", served_max, "s"),
        ("median first decision rendered", rendered_med, "s"),
        ("slowest first decision rendered", rendered_max, "s"),
        ("Voilà server CPU per page during the burst", [r["voila_cpu"] * 1000 for r in runs], "ms"),
        ("memory after the burst, server + kernels: RSS", [r["rss_total"] for r in runs], "MiB"),
        ("same: PSS (shared pages counted once)", [r["pss_total"] for r in runs], "MiB"),
    ]:
        s = summary(values)
        digits = 0 if unit in ("MiB", "ms") else 2
        print(
            f"| {label} | {s['median']:.{digits}f} {unit} | {s['min']:.{digits}f} | "
            f"{s['max']:.{digits}f} | {s['n']} |"
        )
    print(f"\nfirst decisions rendered, counted per run: {counted} of {size} each")
    for r in runs:
        for failure in r["failed"][:3]:
            print(f"- failed: {failure}")
    return {
        "warm": summary(warm),
        "served_max": summary(served_max),
        "rendered_max": summary(rendered_max),
        "rendered_median": summary(rendered_med),
        "counted": counted,
        "all_rendered": all(c == size for c in counted),
        "rss_total": summary([r["rss_total"] for r in runs]),
        "pss_total": summary([r["pss_total"] for r in runs]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0, help="per page, seconds")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with served("learner", 1) as (server, _):
        assets = browser_assets(f"{server.url}?scenario={SCENARIO}")
    count = len(assets) if isinstance(assets, list) else "the page's own"
    print(f"\nEach light client fetches the page, then {count} static files (what chromium")
    print("fetched for one page with an empty cache), then connects to its kernel.")
    figures = {}
    for size in args.sizes:
        runs = [one_run(size, args.timeout, assets) for _ in range(max(5, args.runs))]
        figures[str(size)] = report(size, runs)
    print(f"\nafter the run: {load()}")
    save("room", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
