"""Kernel memory per learner: the learner app's kernel against a bare ipywidgets notebook's.

Run: ``uv run python benchmarks/bench_memory.py [--kernels 5]``.

Each notebook is served with a warm pool of ``--kernels`` kernels. Memory is read with
psutil from every kernel process three times: warm in the pool (nobody has asked yet), in
use (a light client opened the page and answered the first decision), and, for the learner,
after a whole scenario. RSS is what the target is set on; USS (pages no other process
shares) is what each extra learner really adds, since code pages of Python and its
libraries are shared between kernels.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import psutil
from _harness import (
    SCENARIO,
    TABLE_HEAD,
    kernel_processes,
    load,
    machine,
    memory,
    row,
    save,
    served,
    summary,
)
from _voila_client import Page, decision_ready, feedback_shown, is_submit
from bench_click import fill, go_on, play

RSS_TARGET_MIB = 70


async def first_answer(url: str, query: str) -> Page:
    """Open a page and answer its first decision; the page stays open."""
    page = Page(url, query)
    await page.open()
    fill(page)
    page.click(page.widgets.find(page.root, is_submit)[0])
    await page.wait_for(feedback_shown)
    return page


async def to_the_end(page: Page) -> None:
    """From the first decision's feedback, play the rest of the scenario."""
    await page.wait_for(lambda *_: bool(go_on(page)))
    page.click(go_on(page))
    await page.wait_for(decision_ready)
    await play(page, [], [])


def measure(notebook: str, kernels: int) -> dict[str, list[dict[str, float]]]:
    query = f"scenario={SCENARIO}" if notebook == "learner" else ""
    with served(notebook, kernels) as (server, _):
        warm = [memory(p) for p in kernel_processes(server).values()]
        figures = {"warm": warm}

        async def stages() -> None:
            pages = [await first_answer(server.url, query) for _ in range(kernels)]
            procs = kernel_processes(server)
            figures["first answer"] = [memory(procs[p.kernel_id]) for p in pages]
            if notebook == "learner":
                for page in pages:
                    await to_the_end(page)
                figures["whole scenario"] = [memory(procs[p.kernel_id]) for p in pages]
            figures["server"] = [memory(psutil.Process(server.pid))]
            for page in pages:
                await page.close()

        asyncio.run(stages())
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=5)
    args = parser.parse_args()
    kernels = max(5, args.kernels)
    print(f"machine: {machine()}\n")
    results = {name: measure(name, kernels) for name in ("learner", "bare")}
    print(f"{kernels} kernels per notebook; MiB per kernel process.\n")
    print(TABLE_HEAD)
    for name, stages in results.items():
        for stage, values in stages.items():
            if stage == "server":
                continue
            for kind in ("rss", "uss"):
                label = f"{name} kernel, {stage}: {kind.upper()}"
                print(row(label, [v[kind] for v in values], "MiB"))
    for name, stages in results.items():
        print(row(f"{name} Voilà server process: RSS", [v["rss"] for v in stages["server"]], "MiB"))
    learner = summary([v["rss"] for v in results["learner"]["first answer"]])
    bare = summary([v["rss"] for v in results["bare"]["first answer"]])
    print(
        f"\nlearner kernel in use: **{learner['median']:.0f} MiB RSS** (target ≤ "
        f"{RSS_TARGET_MIB}), {learner['median'] / bare['median']:.2f}× the bare notebook's "
        f"{bare['median']:.0f} MiB; after the run: {load()}"
    )
    save(
        "memory",
        {
            name: {
                stage: {k: summary([v[k] for v in values]) for k in ("rss", "uss", "pss")}
                for stage, values in stages.items()
            }
            for name, stages in results.items()
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
