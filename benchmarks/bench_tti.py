"""Time to interactive in a real browser: the learner app against a bare ipywidgets notebook.

Run: ``uv run python benchmarks/bench_tti.py [--runs 7] [--room 2]``.

Both notebooks are served at once by toolkit.serving's VoilaServer (same Voilà, same flags,
same kernel), each with a warm pool. Each run opens a fresh browser context (empty cache)
on one page, alternating learner and bare, and times navigation → the first decision
control visible: a radio button and the "Submit answer" button, which both pages show.
Before each page the benchmark waits until that server's pool is whole again, so every
page is served from a warm kernel, as a learner arriving at a ready room would be.
Needs Debian's chromium at /usr/bin/chromium (never a downloaded browser).
"""

from __future__ import annotations

import argparse
import sys
import time

from _harness import (
    CHROMIUM,
    SCENARIO,
    TABLE_HEAD,
    load,
    machine,
    row,
    save,
    served,
    summary,
    wait_pool,
)

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-proxy-server", "--disable-quic"]


def time_to_interactive(browser, url: str) -> float:
    """Seconds from navigation until a radio button and Submit are visible."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        began = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.get_by_role("button", name="Submit answer").wait_for(timeout=60_000)
        page.get_by_role("radio").first.wait_for(timeout=60_000)
        return time.perf_counter() - began
    finally:
        context.close()


def measure(runs: int, room: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"learner": [], "bare": []}
    with (
        served("learner", room) as (learner, _),
        served("bare", room) as (bare, _),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        urls = {"learner": f"{learner.url}?scenario={SCENARIO}", "bare": bare.url}
        servers = {"learner": learner, "bare": bare}
        for name in ("learner", "bare"):  # one untimed page each: browser and disk caches
            time_to_interactive(browser, urls[name])
        for run in range(runs):
            order = ("learner", "bare") if run % 2 == 0 else ("bare", "learner")
            for name in order:
                wait_pool(servers[name], room + run + 1)
                times[name].append(time_to_interactive(browser, urls[name]))
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--room", type=int, default=2)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is missing (apt-get install chromium)")
        return 0
    print(f"machine: {machine()}\n")
    times = measure(max(5, args.runs), args.room)
    learner, bare = summary(times["learner"]), summary(times["bare"])
    ratio = learner["median"] / bare["median"]
    print(f"Playwright + chromium, warm pool of {args.room} per server, fresh context per page.\n")
    print(TABLE_HEAD)
    print(row("learner app: navigation → first decision visible", times["learner"]))
    print(row("bare ipywidgets notebook: same", times["bare"]))
    print(f"\nratio learner / bare (medians): **{ratio:.2f}×**; after the run: {load()}")
    save("tti", {"learner": learner, "bare": bare, "ratio": ratio, "room": args.room})
    return 0


if __name__ == "__main__":
    sys.exit(main())
