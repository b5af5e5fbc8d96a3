"""Forked kernels against today's, side by side in one run (issue 17).

Run: ``uv run python benchmarks/bench_fork.py [--runs 5] [--learners 30] [--starts 30]``.

For each way of starting kernels (``kernel_provisioner`` ``fork``, and ``local``, as before):

1. **Kernel start**: ``--starts`` kernels started one after another through jupyter_client,
   as Voilà's kernel manager starts them, with the learner server's lean kernelspec. Timed from
   the start request to the kernel's first ``kernel_info`` reply (the kernel ready). For fork
   the zygote is started and ready first (that is the server's start-up, timed separately).
   jupyter_client's own ``wait_for_ready`` adds a fixed 0.2 s of IOPub flushing on top of any
   kernel; it is not counted.
2. **Memory with a room in use**: per run, a fresh learner server with a warm room of
   ``--learners`` (refills held back, so only the learners' kernels run), then that many light
   clients, one after another, each opening the app and answering its first decision; with
   every page still open, psutil reads RSS, USS (what no other process shares: what one more
   learner costs) and PSS (shared pages split between the processes sharing them) of each
   learner's kernel, the zygote and its spare, and Voilà. Learners per GiB: 1 GiB over the
   median USS (one more learner), and over everything counted divided by the learners.
   With ``--settle S`` the kernels are read again S seconds later, pages still open (Linux's
   same-page merging, when the system runs it, takes a few scans to merge kernels' pages).
3. **Joins with no warm pool**: per run, a fresh learner server with no warm room (room 0),
   then ``--learners`` light clients asking for the workshop link at the same instant, each
   fetching the page and the static files chromium fetches, connecting and waiting for its
   first decision; every learner is counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from _harness import (
    SCENARIO,
    browser_assets,
    kernel_processes,
    load,
    machine,
    memory,
    percentile,
    save,
    served,
    summary,
)
from bench_memory import first_answer
from bench_room import burst, seed_cohort

from toolkit.serving.zygote import ZYGOTE_CODE

PROVISIONERS = ("fork", "local")
USS_TARGET_MIB, START_P95_TARGET_MS, JOIN_TARGET_S = 15.0, 150.0, 5.0
PAGE_TIMEOUT = 60.0


# --- 1. kernel start --------------------------------------------------------------------------


async def _starts(provisioner: str, count: int, folder: Path) -> list[float]:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import Configurable

    from toolkit.serving.forking import kernelspec_metadata
    from toolkit.serving.lean_kernel import KERNEL_NAME, write_lean_kernelspec

    metadata = kernelspec_metadata(folder / "zygote") if provisioner == "fork" else None
    write_lean_kernelspec(folder / provisioner, metadata)
    specs = KernelSpecManager(kernel_dirs=[str(folder / provisioner / "kernels")])
    owner = Configurable()  # what Voilà's multi-kernel manager is: the zygote's keeper lives here
    if provisioner == "fork":
        from toolkit.serving.fork_provisioner import keeper_for

        keeper = keeper_for(owner, folder / "zygote", _Log())
        await asyncio.wait_for(keeper._ready.wait(), 600)
    times = []
    try:
        for _ in range(count):
            manager = AsyncKernelManager(
                kernel_name=KERNEL_NAME, kernel_spec_manager=specs, parent=owner, transport="ipc"
            )
            began = time.perf_counter()
            await manager.start_kernel()
            client = manager.client()
            client.start_channels()
            client.kernel_info()
            await client.get_shell_msg(timeout=120)
            times.append(time.perf_counter() - began)
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
    finally:
        if provisioner == "fork":
            keeper.stop()
    return times


class _Log:
    def warning(self, *args: Any) -> None:
        print("<!-- " + (args[0] % args[1:]) + " -->", file=sys.stderr)

    info = debug = warning


def kernel_starts(count: int, kinds: list[str]) -> dict[str, list[float]]:
    """Seconds from start request to first kernel_info reply, per provisioner."""
    from toolkit.app.database import STORE_PREPARED_VAR, prepare_store
    from toolkit.app.learner import SNAPSHOT_VAR, write_library_snapshot
    from toolkit.settings import Settings

    results = {}
    with tempfile.TemporaryDirectory(prefix="safeshare-fork-") as tmp:
        folder = Path(tmp)
        settings = Settings.from_env().with_(database_url=f"sqlite:///{folder / 'bench.db'}")
        prepare_store(settings)
        write_library_snapshot(settings, folder / "library.pickle")
        saved = dict(os.environ)
        os.environ.update(settings.to_env())  # what the server gives its zygote and kernels
        os.environ[STORE_PREPARED_VAR] = "1"
        os.environ[SNAPSHOT_VAR] = str(folder / "library.pickle")
        os.environ["SAFESHARE_LOG_PATH"] = str(folder / "app.log")
        try:
            for provisioner in kinds:
                results[provisioner] = asyncio.run(_starts(provisioner, count, folder))
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return results


# --- 2. memory with a room in use -------------------------------------------------------------


def _zygotes(server) -> list[psutil.Process]:
    found = []
    for proc in psutil.Process(server.pid).children(recursive=True):
        try:
            if ZYGOTE_CODE in proc.cmdline():
                found.append(proc)
        except psutil.Error:
            continue
    return found


def room_memory(provisioner: str, learners: int, settle: float = 0.0) -> dict[str, Any]:
    """One fresh server, `learners` pages each answering once; memory with all still open
    (and again `settle` seconds later, when given)."""
    settings = {"kernel_provisioner": provisioner, "pool_fill_delay": 3600.0}
    with served("learner", learners, ready_timeout=900, **settings) as (server, ready):

        async def room() -> dict[str, Any]:
            query = f"scenario={SCENARIO}"
            pages = [await first_answer(server.url, query) for _ in range(learners)]
            procs = kernel_processes(server)
            kernels = [memory(procs[p.kernel_id]) for p in pages]
            zygotes = [memory(p) for p in _zygotes(server)]
            voila = memory(psutil.Process(server.pid))
            settled = []
            if settle:
                await asyncio.sleep(settle)
                settled = [memory(procs[p.kernel_id]) for p in pages]
            for page in pages:
                await page.close()
            return {
                "kernels": kernels,
                "settled": settled,
                "zygotes": zygotes,
                "voila": voila,
                "ready": ready,
            }

        return asyncio.run(room())


# --- 3. joins with no warm pool ---------------------------------------------------------------


def cold_joins(provisioner: str, learners: int, assets: list[str] | bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="safeshare-joins-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'joins.db'}"
        code = seed_cohort(url)
        settings = {"kernel_provisioner": provisioner}
        with served("learner", 0, database_url=url, ready_timeout=600, **settings) as (
            server,
            ready,
        ):
            query = f"session={code}&scenario={SCENARIO}"
            voila = psutil.Process(server.pid)
            voila_before, clients_before = _cpu(voila), _own_cpu()
            used: dict[str, Any] = {}

            def measure() -> list[dict[str, float]]:  # every page still open
                used["voila"] = _cpu(voila) - voila_before
                used["kernels"] = [_cpu(k) for k in kernel_processes(server).values()]
                return []

            results, _ = asyncio.run(
                burst(server.url, query, learners, PAGE_TIMEOUT, measure, assets)
            )
            used["clients"] = _own_cpu() - clients_before
    rendered = [r.rendered for r in results if not isinstance(r, str) and r.rendered]
    served_at = [r.served for r in results if not isinstance(r, str) and r.served]
    return {
        "ready": ready,
        "rendered": rendered,
        "served": served_at,
        "failed": [r for r in results if isinstance(r, str)],
        "cpu": used,
    }


def _cpu(proc: psutil.Process) -> float:
    """A process's CPU seconds so far (user and system), 0 once it is gone."""
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def _own_cpu() -> float:
    """This process's CPU seconds: the light clients (the servers are other processes)."""
    times = os.times()
    return times.user + times.system


# --- report -----------------------------------------------------------------------------------


def _cell(values: list[float], unit: str, digits: int = 1) -> str:
    if not values:
        return "not measured"
    s = summary(values)
    if s["n"] == 1:
        return f"{s['median']:.{digits}f} {unit}"
    return f"{s['median']:.{digits}f} {unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def _cpu_cell(runs: list[dict[str, Any]], learners: int) -> str:
    measured = [j["cpu"] for j in runs if j.get("cpu") and j["cpu"].get("kernels")]
    if not measured:
        return "not measured"
    voila = [1000 * c["voila"] / learners for c in measured]
    kernel = [1000 * statistics.median(c["kernels"]) for c in measured]
    return f"{_cell(voila, 'ms', 0)} / {_cell(kernel, 'ms', 0)}"


def _slowest(values: list[float]) -> float:
    return max(values, default=float("inf"))


def per_learner(runs: list[dict[str, Any]], key: str, when: str = "kernels") -> list[float]:
    """The median over a run's learners of one memory figure, per run (`when`: "kernels"
    right after the answers, "settled" --settle seconds later)."""
    return [statistics.median(k[key] for k in run[when]) for run in runs if run.get(when)]


def per_gib(runs: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Learners per GiB per run: marginal (1 GiB / median USS) and whole (everything / n)."""
    marginal = [1024 / uss for uss in per_learner(runs, "uss")]
    whole = []
    for run in runs:
        total = sum(k["pss"] for k in run["kernels"]) + sum(z["pss"] for z in run["zygotes"])
        total += run["voila"]["pss"]
        whole.append(1024 * len(run["kernels"]) / total)
    return marginal, whole


def report(
    starts, rooms, joins, learners: int, kinds: list[str], settle: float = 0.0
) -> dict[str, Any]:
    head = "| measure | " + " | ".join(f"`{p}`" for p in kinds) + " |"
    rows = [head, "|---|" + "---:|" * len(kinds)]

    def row(label: str, cells: list[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    ms = {p: [t * 1000 for t in starts[p]] for p in kinds}
    row(
        "kernel start p50 / p95, request → ready",
        [
            f"{percentile(ms[p], 50):.0f} / {percentile(ms[p], 95):.0f} ms "
            f"(n={len(ms[p])}, max {max(ms[p]):.0f})"
            for p in kinds
        ],
    )
    for key in ("uss", "pss", "rss"):
        row(
            f"learner kernel {key.upper()}, {learners} in use, each answered once",
            [_cell(per_learner(rooms[p], key), "MiB") for p in kinds],
        )
    if settle:
        for key in ("uss", "pss"):
            row(
                f"same, {settle:.0f} s later: {key.upper()}",
                [_cell(per_learner(rooms[p], key, "settled"), "MiB") for p in kinds],
            )
    row(
        "zygote and spare, PSS together",
        [
            _cell([sum(z["pss"] for z in r["zygotes"]) for r in rooms[p]], "MiB")
            if p == "fork"
            else "—"
            for p in kinds
        ],
    )
    voila = {p: [r["voila"]["pss"] for r in rooms[p]] for p in kinds}
    row("Voilà server process, PSS", [_cell(voila[p], "MiB") for p in kinds])
    gib = {p: per_gib(rooms[p]) for p in kinds}
    row(
        "learners per GiB: one more learner (1 GiB ÷ USS)",
        [_cell(gib[p][0], "", 0) for p in kinds],
    )
    row(
        f"learners per GiB: whole server with {learners} (PSS of all ÷ {learners})",
        [_cell(gib[p][1], "", 0) for p in kinds],
    )
    row(
        f"room of {learners} warm: server start → ready",
        [_cell([r["ready"] for r in rooms[p]], "s") for p in kinds],
    )
    slowest = {p: [_slowest(j["rendered"]) for j in joins[p]] for p in kinds}
    row(
        f"{learners} join at once, no warm pool: slowest first decision rendered",
        [_cell(slowest[p], "s", 2) for p in kinds],
    )
    row(
        "same: first decisions rendered, per run",
        [", ".join(str(len(j["rendered"])) for j in joins[p]) + f" of {learners}" for p in kinds],
    )
    row(
        "same: slowest page served",
        [_cell([_slowest(j["served"]) for j in joins[p]], "s", 2) for p in kinds],
    )
    row(
        "same: CPU per learner, Voilà's process (burst ÷ learners) / a kernel (median)",
        [_cpu_cell(joins[p], learners) for p in kinds],
    )
    row(
        f"same: CPU of the {learners} light clients (this process), all together",
        [_cell([j["cpu"]["clients"] for j in joins[p] if j.get("cpu")], "s") for p in kinds],
    )
    print("\n".join(rows))
    for p in kinds:
        for j in joins[p]:
            for failure in j["failed"][:2]:
                print(f"\n- `{p}`, a join failed: {failure}")
    figures = {}
    for p in kinds:
        counted = [len(j["rendered"]) for j in joins[p]]
        figures[p] = {
            "start_ms": {
                "p50": percentile(ms[p], 50),
                "p95": percentile(ms[p], 95),
                "n": len(ms[p]),
            },
            "uss": summary(per_learner(rooms[p], "uss")),
            "pss": summary(per_learner(rooms[p], "pss")),
            "rss": summary(per_learner(rooms[p], "rss")),
            **({"uss_settled": summary(per_learner(rooms[p], "uss", "settled"))} if settle else {}),
            "per_gib_marginal": summary(gib[p][0]),
            "per_gib_whole": summary(gib[p][1]),
            "joins_slowest": summary(slowest[p]),
            "joins_counted": counted,
            "joins_all_rendered": all(c == learners for c in counted),
        }
    figures["learners"] = learners
    return figures


_NO_ROOM = {
    "kernels": [{"rss": 1, "uss": 1, "pss": 1}],
    "zygotes": [],
    "voila": {"pss": 0},
    "ready": 0,
}
_NO_JOINS = {"ready": 0, "rendered": [], "served": [], "failed": [], "cpu": {}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--skip", nargs="*", default=[], choices=["starts", "rooms", "joins"])
    parser.add_argument("--only", choices=PROVISIONERS, help="one way of starting kernels")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="read the room's kernels again this much later"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    runs = range(args.runs)
    kinds = [args.only] if args.only else list(PROVISIONERS)
    skip = set(args.skip)  # for trying one part; `make bench` runs them all
    starts = (
        kernel_starts(args.starts, kinds) if "starts" not in skip else {p: [0.0] for p in kinds}
    )
    if "rooms" in skip:
        rooms = {p: [_NO_ROOM] for p in kinds}
    else:
        rooms = {p: [room_memory(p, args.learners, args.settle) for _ in runs] for p in kinds}
    joins = {p: [_NO_JOINS] for p in kinds}
    if "joins" not in skip:
        with served("learner", 1) as (server, _):
            assets = browser_assets(f"{server.url}?scenario={SCENARIO}")
        joins = {p: [cold_joins(p, args.learners, assets) for _ in runs] for p in kinds}
    print(f"{args.runs} runs per way of starting kernels (median, and min–max over the runs);")
    print(f"kernel starts: {args.starts} each, one after another.\n")
    figures = report(starts, rooms, joins, args.learners, kinds, args.settle)
    print(f"\nafter the run: {load()}")
    save("fork", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
