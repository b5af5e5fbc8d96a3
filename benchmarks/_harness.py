"""What every serving benchmark shares: the machine line, summaries, throw-away servers, results.

Each benchmark prints Markdown for benchmarks/results.md and, under `make bench`, saves its
headline figures to $BENCH_OUT/<name>.json, which benchmarks/_targets.py turns into the
targets table.
Servers run on free loopback ports with a database in a temp folder; all are stopped (and
their kernels swept) when the ``with`` block ends, however it ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ports import free_port  # noqa: E402
from toolkit.serving.server import VoilaServer  # noqa: E402
from toolkit.settings import Settings  # noqa: E402

BENCH_NOTEBOOKS = ROOT / "benchmarks" / "notebooks"
SCENARIO = "sc-nursery-bruising"
CHROMIUM = Path("/usr/bin/chromium")


def machine() -> str:
    """CPU model, cores, RAM, Python and the load average right now."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = psutil.virtual_memory().total / 2**30
    return (
        f"{model}, {os.cpu_count()} logical cores, {ram:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {load()}"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min)"


def summary(values: Sequence[float]) -> dict[str, float]:
    """median/min/max/p95 and the count, for the JSON results."""
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p95": percentile(ordered, 95),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with pct% of values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def row(label: str, values: Sequence[float], unit: str = "s", scale: float = 1.0) -> str:
    """A Markdown table row: label | median | min | max | n."""
    s = summary([v * scale for v in values])
    fmt = (lambda v: f"{v:.0f}") if unit in ("ms", "MiB") else (lambda v: f"{v:.2f}")
    return f"| {label} | {fmt(s['median'])} {unit} | {fmt(s['min'])} | {fmt(s['max'])} | {s['n']} |"


TABLE_HEAD = "| measure | median | min | max | runs |\n|---|---:|---:|---:|---:|"


def save(name: str, figures: dict[str, Any]) -> None:
    """Write this benchmark's figures for the targets table, when `make bench` asks for them
    (BENCH_OUT names its folder); a benchmark run by hand only prints."""
    out = os.environ.get("BENCH_OUT")
    if not out:
        return
    figures = {**figures, "machine": machine()}
    path = Path(out) / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


@contextlib.contextmanager
def served(
    notebook: str,
    room: int,
    *,
    database_url: str | None = None,
    ready_timeout: float = 600.0,
    **settings: Any,
) -> Iterator[tuple[VoilaServer, float]]:
    """A ready server for `notebook` (learner from notebooks/, bare from benchmarks/notebooks/),
    with any other `settings` given (e.g. max_kernels).

    Yields the server and the seconds from start to ready (the room warm). Voilà's log goes
    to a temp file, so a failure can be read afterwards (its path is printed on error).
    """
    with tempfile.TemporaryDirectory(prefix="safeshare-bench-") as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        # All light clients come from this one address: no per-client limit in benchmarks.
        config = Settings.from_env(
            port=free_port(),
            room=room,
            database_url=url,
            **{"client_kernels_per_minute": 0, **settings},
        )
        notebooks = BENCH_NOTEBOOKS if notebook == "bare" else None
        kwargs = {"notebooks_dir": notebooks} if notebooks else {}
        with open(Path(tmp) / "voila.log", "w", encoding="utf-8") as log:
            server = VoilaServer(notebook, config, log=log, **kwargs)
            began = time.monotonic()
            server.start()
            try:
                server.wait_ready(timeout=ready_timeout)
                yield server, time.monotonic() - began
            except BaseException:
                time.sleep(0.5)  # let the log pump write Voilà's last lines
                log.flush()
                tail = (Path(tmp) / "voila.log").read_text(encoding="utf-8")[-3000:]
                print(f"<!-- voila log tail:\n{tail}\n-->", file=sys.stderr)
                raise
            finally:
                server.stop()


def wait_pool(server: VoilaServer, started: int, timeout: float = 300.0) -> float:
    """Wait until `started` kernels have been launched and every one is warm; the seconds."""
    began = time.monotonic()
    while not server.pool_warm(started):
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"pool not warm after {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - began


def kernel_processes(server: VoilaServer) -> dict[str, psutil.Process]:
    """The server's kernel processes by kernel id (read from their connection file name)."""
    found = {}
    for proc in psutil.Process(server.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            for arg in proc.cmdline():
                if arg.endswith(".json") and "kernel-" in arg:
                    found[Path(arg).stem.removeprefix("kernel-")] = proc
    return found


def memory(proc: psutil.Process) -> dict[str, float]:
    """RSS, USS and PSS in MiB (USS: pages no other process shares; PSS: a fair share)."""
    info = proc.memory_full_info()
    return {k: getattr(info, k) / 2**20 for k in ("rss", "uss", "pss")}


def browser_assets(url: str) -> list[str] | bool:
    """Every file chromium fetches from the server to show `url`, as paths (True without
    chromium: light clients then fetch only the files the page names).

    Voilà's page loads about a hundred scripts, styles and fonts; a room of learners with
    empty caches asks for all of them, so room-scale light clients ask for the same.
    """
    if not CHROMIUM.exists():
        return True
    from urllib.parse import urlsplit

    from playwright.sync_api import sync_playwright

    origin = urlsplit(url).netloc
    seen: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("requestfinished", lambda request: seen.append(request.url))
        page.goto(url)
        page.get_by_role("button", name="Submit answer").wait_for(timeout=60_000)
        page.wait_for_load_state("load")
        browser.close()
    paths = []
    for full in seen:
        parts = urlsplit(full)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kernel_traffic = "/api/kernels" in path or "/voila/api/" in path
        if parts.netloc == origin and parts.path != "/" and not kernel_traffic:
            paths.append(path)
    return sorted(set(paths))
