"""A room that cannot be exhausted: max_kernels + 10 learners at once, with the cap and without.

Run: ``uv run python benchmarks/bench_capacity.py [--limit 8] [--extra 10] [--runs 5]``.

Each run starts two fresh learner servers in turn, both with a room of 2 warm kernels: one
with ``max_kernels = LIMIT`` and one whose cap is out of reach (what Voilà alone does:
every page gets a kernel). LIMIT + EXTRA light clients (benchmarks/_voila_client.py) then
open the page at once; each either gets its page, connects and sees its first decision, or
gets the "room is full" page (503). Any other failure is counted as such. Measured: pages
admitted and refused, kernels running once the burst is over, the memory of the server and
its kernels, how long a refusal takes to arrive, and (100 more requests to the full room)
the Voilà server's CPU per refusal.
Then, on the capped server, two admitted pages close and the refused clients try again
once a second (a browser's full page tries every 10 s): the seconds until two of them have
their first decision.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import psutil
from _harness import SCENARIO, kernel_processes, load, machine, memory, save, served, summary
from _voila_client import Page
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from toolkit.settings import default_max_kernels

ROOM = 2
PAGE_TIMEOUT = 120.0
REFUSALS = 100  # full pages asked for in a row, to measure what one costs the server


async def visit(url: str) -> tuple[str, float, Page]:
    """One client: ("admitted" | "full" | "failed: …", seconds to the answer, its page)."""
    page = Page(url, f"scenario={SCENARIO}")
    began = time.perf_counter()
    try:
        await page.open(timeout=PAGE_TIMEOUT)
        return "admitted", time.perf_counter() - began, page
    except HTTPClientError as exc:
        outcome = "full" if exc.code == 503 else f"failed: HTTP {exc.code}"
        return outcome, time.perf_counter() - began, page
    except Exception as exc:  # noqa: BLE001 - a failed learner is counted, not fatal
        return f"failed: {type(exc).__name__}", time.perf_counter() - began, page


def settled_kernels(server, quiet: float = 5.0, limit: float = 60.0) -> int:
    """The server's kernel count once it has not changed for `quiet` seconds."""
    count, since, began = len(kernel_processes(server)), time.monotonic(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - began < limit:
        time.sleep(0.5)
        now = len(kernel_processes(server))
        if now != count:
            count, since = now, time.monotonic()
    return count


async def get_in(url: str, clients: int, wanted: int) -> float:
    """Clients retrying once a second: seconds until `wanted` of them are in."""
    began, inside, pages = time.perf_counter(), 0, []

    async def keep_trying() -> None:
        nonlocal inside
        while inside < wanted:
            outcome, _, page = await visit(url)
            if outcome == "admitted":
                inside += 1
                pages.append(page)
                return
            await asyncio.sleep(1.0)

    tasks = [asyncio.ensure_future(keep_trying()) for _ in range(clients)]
    while inside < wanted and time.perf_counter() - began < PAGE_TIMEOUT:
        await asyncio.sleep(0.1)
    took = time.perf_counter() - began
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(p.close() for p in pages), return_exceptions=True)
    return took if inside >= wanted else float("inf")


def one_run(limit: int, extra: int, capped: bool) -> dict:
    cap = limit if capped else limit + extra + ROOM
    with served("learner", ROOM, max_kernels=cap) as (server, _):
        return asyncio.run(measure(server, limit, extra, capped))


async def measure(server, limit: int, extra: int, capped: bool) -> dict:
    """The burst, what it left running, and (capped) the refusals' cost and the way in."""
    results = await asyncio.gather(*(visit(server.url) for _ in range(limit + extra)))
    refused = [seconds for outcome, seconds, _ in results if outcome == "full"]
    kernels = await asyncio.to_thread(settled_kernels, server)
    voila = psutil.Process(server.pid)
    mem = [memory(p) for p in [voila, *kernel_processes(server).values()] if p.is_running()]
    figures = {
        "admitted": sum(outcome == "admitted" for outcome, _, _ in results),
        "full": len(refused),
        "failed": [o for o, _, _ in results if o.startswith("failed")],
        "kernels": kernels,
        "rss": sum(m["rss"] for m in mem),
        "pss": sum(m["pss"] for m in mem),
        "refusal_ms": [s * 1000 for s in refused],
    }
    admitted = [page for outcome, _, page in results if outcome == "admitted"]
    if capped:
        figures["refusal_cpu_ms"] = await refusal_cost(server.url, voila, REFUSALS)
        await asyncio.gather(*(page.close() for page in admitted[:2]))
        figures["get_in_s"] = await get_in(server.url, extra, 2)
        admitted = admitted[2:]
    await asyncio.gather(*(page.close() for page in admitted), return_exceptions=True)
    return figures


async def refusal_cost(url: str, voila: psutil.Process, count: int) -> float:
    """Voilà's CPU per full page, over `count` page requests to a full room (ms)."""
    client = AsyncHTTPClient(force_instance=True)
    before = sum(voila.cpu_times()[:2])
    try:
        for _ in range(count):
            response = await client.fetch(url + f"?scenario={SCENARIO}", raise_error=False)
            assert response.code == 503, response.code
    finally:
        client.close()
    return (sum(voila.cpu_times()[:2]) - before) / count * 1000


def report(limit: int, extra: int, capped: list[dict], open_: list[dict]) -> dict:
    def line(label: str, values: list[float], unit: str, digits: int = 0) -> None:
        s = summary(values)
        print(
            f"| {label} | {s['median']:.{digits}f} {unit} | {s['min']:.{digits}f} | "
            f"{s['max']:.{digits}f} | {s['n']} |"
        )

    print(f"\n### {limit + extra} learners at once, room of {ROOM}\n")
    print("| per run | median | min | max | runs |\n|---|---:|---:|---:|---:|")
    for name, runs in ((f"max_kernels {limit}", capped), ("no cap (Voilà alone)", open_)):
        line(f"{name}: pages admitted", [r["admitted"] for r in runs], "")
        line(f"{name}: full pages (503)", [r["full"] for r in runs], "")
        line(f"{name}: kernels running after the burst", [r["kernels"] for r in runs], "")
        line(f"{name}: memory, server + kernels, RSS", [r["rss"] for r in runs], "MiB")
        line(f"{name}: same, PSS", [r["pss"] for r in runs], "MiB")
    refusals = [ms for r in capped for ms in r["refusal_ms"]]
    line("full page served, during the burst (every refusal of every run)", refusals, "ms")
    cost = [r["refusal_cpu_ms"] for r in capped]
    line("Voilà CPU per full page (100 in a row, room full)", cost, "ms", 1)
    line(
        "two pages closed → two waiting learners in (retrying every 1 s)",
        [r["get_in_s"] for r in capped],
        "s",
        1,
    )
    failures = [f for r in capped + open_ for f in r["failed"]]
    print(f"\nfailures other than the full page, all runs: {len(failures)} {failures[:5]}")
    exact = all(
        r["admitted"] == limit and r["kernels"] == limit and r["full"] == extra for r in capped
    )
    print(f"capped runs with exactly {limit} admitted, {limit} kernels, {extra} full: {exact}")
    return {
        "limit": limit,
        "extra": extra,
        "exact": exact,
        "failures": len(failures),
        "capped_rss": summary([r["rss"] for r in capped]),
        "open_rss": summary([r["rss"] for r in open_]),
        "open_kernels": summary([r["kernels"] for r in open_]),
        "refusal_ms": summary(refusals) if refusals else None,
        "refusal_cpu_ms": summary([r["refusal_cpu_ms"] for r in capped]),
        "get_in_s": summary([r["get_in_s"] for r in capped]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--extra", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"\nmax_kernels by default on this machine: {default_max_kernels()}")
    capped, open_ = [], []
    for _ in range(max(5, args.runs)):
        capped.append(one_run(args.limit, args.extra, capped=True))
        open_.append(one_run(args.limit, args.extra, capped=False))
    figures = report(args.limit, args.extra, capped, open_)
    figures["default_max_kernels"] = default_max_kernels()
    print(f"\nafter the run: {load()}")
    save("capacity", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
