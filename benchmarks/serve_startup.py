"""Serving costs: seconds to "ready" with a warm room, page time-to-widgets, stop time, leftovers.

Run by `make bench`; prints a markdown table. Starts `python -m toolkit.serving learner` on a
free loopback port RUNS times with a throw-away database; nothing leaves this machine.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.ports import free_port  # noqa: E402

RUNS = int(os.environ.get("BENCH_SERVE_RUNS", "5"))
ROOM = 2
CHROMIUM = Path("/usr/bin/chromium")


def page_seconds(url: str) -> float | None:
    """Seconds from navigation until the SafeShare heading is visible (None without chromium)."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        began = time.monotonic()
        page.goto(url)
        page.get_by_role("heading", name="SafeShare").first.wait_for(timeout=60_000)
        took = time.monotonic() - began
        browser.close()
    return took


def one_run(tmp: Path) -> dict[str, float | int | None]:
    port = free_port()
    db = f"sqlite:///{tmp / f'bench-{port}.db'}"
    env = {**os.environ, "SAFESHARE_DATABASE_URL": db}
    argv = [sys.executable, "-m", "toolkit.serving", "learner", "--port", str(port)]
    began = time.monotonic()
    proc = subprocess.Popen(
        [*argv, "--room", str(ROOM)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stdout:
        if line.startswith("ready in "):
            break
    ready = time.monotonic() - began
    page = page_seconds(f"http://127.0.0.1:{port}/")
    kernels = [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "ipykernel" in " ".join(p.cmdline())
    ]
    stop_began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    stopped = time.monotonic() - stop_began
    time.sleep(1)
    left = [p for p in kernels if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    return {
        "ready": ready,
        "page": page,
        "stop": stopped,
        "kernels": len(kernels),
        "left": len(left),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp)) for _ in range(RUNS)]

    def median(key: str) -> str:
        values = [r[key] for r in runs if r[key] is not None]
        return f"{statistics.median(values):.1f}" if values else "n/a"

    print(f"`python -m toolkit.serving learner --room {ROOM}`, {RUNS} runs, median seconds.\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| start → ready (room of {ROOM} warm) | {median('ready')} s |")
    print(f"| first page: navigation → heading visible | {median('page')} s |")
    print(f"| SIGTERM → exited | {median('stop')} s |")
    print(f"| kernels at stop (room + the page's) | {max(r['kernels'] for r in runs)} |")
    print(f"| processes left after stop (all runs) | {sum(r['left'] for r in runs)} |")


if __name__ == "__main__":
    main()
