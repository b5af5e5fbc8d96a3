"""Click → feedback latency: Submit pressed until the feedback panel is in the widget tree.

Run: ``uv run python benchmarks/bench_click.py [--pages 6]``.

A light client (benchmarks/_voila_client.py) opens the learner app on a warm kernel and plays
the scenario to its end, as a learner would: on each decision it fills every control (first
option, every box ticked, the first real choice in each drop-down, a written rationale),
presses Submit and times until the kernel's comm messages put the feedback on screen; then
"Next decision" until the next decision is on screen; then "See the outcome" until the
summary is. The same Submit → feedback is timed on the bare notebook. Timings are what the
page receives over the kernel websocket; a browser adds its own layout time on top.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Callable

from _harness import SCENARIO, TABLE_HEAD, load, machine, percentile, row, save, served, wait_pool
from _voila_client import Page, Widgets, decision_ready, feedback_shown, is_submit

RATIONALE = (
    "Unexplained bruising on a toddler is a risk of significant harm, so I would refer to "
    "children's services today and record what I shared, with whom and why."
)


def fill(page: Page) -> None:
    """Answer the decision on screen: every enabled control gets a plausible value."""
    for model_id, state in page.widgets.reachable(page.root):
        if state.get("disabled"):
            continue
        name = state.get("_model_name")
        if name == "RadioButtonsModel" and state.get("index") is None:
            page.set_state(model_id, {"index": 0})
        elif name == "DropdownModel" and not state.get("index"):
            page.set_state(model_id, {"index": 1})
        elif name == "CheckboxModel" and not state.get("value"):
            page.set_state(model_id, {"value": True})
        elif name == "TextareaModel" and not state.get("value"):
            page.set_state(model_id, {"value": RATIONALE})


def button(page: Page, description: str) -> str | None:
    found = page.widgets.find(
        page.root,
        lambda s: (
            s.get("_model_name") == "ButtonModel"
            and s.get("description") == description
            and not s.get("disabled")
        ),
    )
    return found[0] if found else None


def go_on(page: Page) -> str | None:
    return button(page, "Next decision") or button(page, "See the outcome")


def shows(description: str) -> Callable[[Widgets, str], bool]:
    return lambda widgets, root: bool(
        widgets.find(root, lambda s: s.get("description") == description)
    )


async def play(page: Page, submits: list[float], nexts: list[float]) -> None:
    """Answer every decision to the end of the scenario, timing each click."""
    while True:
        fill(page)
        submit = page.widgets.find(page.root, lambda s: is_submit(s) and not s.get("disabled"))
        page.click(submit[0])
        submits.append(await page.wait_for(feedback_shown))
        await page.wait_for(lambda *_: bool(go_on(page)))
        forward = go_on(page)
        finished = page.widgets.states[forward]["description"] == "See the outcome"
        page.click(forward)
        ready = shows("Choose another scenario") if finished else decision_ready
        nexts.append(await page.wait_for(ready))
        if finished:
            return


async def learner_clicks(url: str, pages: int, server, room: int) -> dict[str, list[float]]:
    submits: list[float] = []
    nexts: list[float] = []
    for n in range(pages):
        await asyncio.to_thread(wait_pool, server, room + n)
        page = Page(url, f"scenario={SCENARIO}")
        await page.open()
        try:
            await play(page, submits, nexts)
        finally:
            await page.close()
    return {"submit": submits, "next": nexts}


async def bare_clicks(url: str, pages: int, server, room: int) -> list[float]:
    times = []
    for n in range(pages):
        await asyncio.to_thread(wait_pool, server, room + n)
        page = Page(url)
        await page.open()
        try:
            fill(page)
            submit = page.widgets.find(page.root, is_submit)[0]
            page.click(submit)
            times.append(await page.wait_for(feedback_shown))
        finally:
            await page.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="learners, one after another")
    parser.add_argument("--room", type=int, default=2)
    args = parser.parse_args()
    pages = max(5, args.pages)
    print(f"machine: {machine()}\n")
    with served("learner", args.room) as (learner, _):
        url = learner.url
        timed = asyncio.run(learner_clicks(url, pages, learner, args.room))
    with served("bare", args.room) as (bare, _):
        bare_times = asyncio.run(bare_clicks(bare.url, pages, bare, args.room))
    submit = timed["submit"]
    p50, p95 = statistics.median(submit) * 1000, percentile(submit, 95) * 1000
    print(f"{pages} learners one after another, each through the whole scenario (light client).\n")
    print(TABLE_HEAD)
    print(row("learner: Submit → feedback on screen", submit, "ms", 1000))
    print(row("learner: Next / See the outcome → next screen", timed["next"], "ms", 1000))
    print(row("bare notebook: Submit → feedback", bare_times, "ms", 1000))
    print(
        f"\nlearner Submit → feedback: **p50 {p50:.0f} ms, p95 {p95:.0f} ms** "
        f"over {len(submit)} clicks; after the run: {load()}"
    )
    save(
        "click",
        {
            "submit_ms": {"p50": p50, "p95": p95, "n": len(submit), "max": max(submit) * 1000},
            "next_ms": {
                "p50": statistics.median(timed["next"]) * 1000,
                "p95": percentile(timed["next"], 95) * 1000,
            },
            "bare_submit_ms": {
                "p50": statistics.median(bare_times) * 1000,
                "p95": percentile(bare_times, 95) * 1000,
            },
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
