"""Where a forked learner kernel's private memory goes (issue 17), from /proc/<pid>/smaps.

Run as root (page frame numbers are hidden from others):
``uv run python benchmarks/fork_memory_map.py [--kernels 2]``.

A learner server with a warm room of ``--kernels`` (fork provisioner) is started; one kernel
is mapped warm (its notebook run, nobody connected) and again after a light client answered
its first decision. Private pages are grouped by mapping kind (heap, thread stacks, glibc
arenas: 64 MiB-aligned heaps, other anonymous memory: Python's object arenas and large
mmaps, file-backed), and each is told apart by the zygote's page at the same address:
*copied* (the zygote has that page: the kernel wrote to a shared page, e.g. a reference
count) or *new* (the zygote has none there). Copied pages are compared with the zygote's:
*set back* ones were written, then restored (a count raised and lowered again).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import struct
import sys

import psutil
from _harness import SCENARIO, kernel_processes, memory, served
from bench_memory import first_answer

PAGE = os.sysconf("SC_PAGE_SIZE")
GLIBC_HEAP = 64 << 20
PFN = (1 << 55) - 1


def mappings(pid: int) -> list[dict]:
    """The process's mappings from smaps: start, end, perms, path and the KiB fields."""
    found: list[dict] = []
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            head = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$", line)
            if head:
                start, end = int(head[1], 16), int(head[2], 16)
                found.append({"start": start, "end": end, "perms": head[3], "path": head[4]})
            elif line.split(":")[0] in ("Private_Dirty", "Private_Clean"):
                found[-1][line.split(":")[0]] = int(line.split()[1])
    return found


def kind(maps: list[dict], i: int) -> str:
    m, path = maps[i], maps[i]["path"]
    if path:
        return {"[heap]": "heap", "[stack]": "main stack"}.get(path, "file-backed")
    before = maps[i - 1] if i else None
    guard = before and before["end"] == m["start"] and before["perms"].startswith("---")
    if m["start"] % GLIBC_HEAP == 0:
        return "glibc arenas"
    if guard and not before["path"] and before["end"] - before["start"] <= 64 << 10:
        return "thread stacks"
    return "other anonymous"


def entries(pid: int, start: int, end: int) -> tuple[int, ...]:
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        pagemap.seek(start // PAGE * 8)
        data = pagemap.read((end - start) // PAGE * 8)
    return struct.unpack(f"{len(data) // 8}Q", data)


def private_map(pid: int, zygote: int) -> dict[str, collections.Counter]:
    """KiB per mapping kind: private, copied (changed or set back) and new."""
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    maps = mappings(pid)
    with (
        open("/proc/kpagecount", "rb") as counts,
        open(f"/proc/{pid}/mem", "rb", 0) as mine,
        open(f"/proc/{zygote}/mem", "rb", 0) as theirs,
    ):
        for i, m in enumerate(maps):
            k = kind(maps, i)
            table[k]["private"] += m.get("Private_Dirty", 0) + m.get("Private_Clean", 0)
            if not m.get("Private_Dirty") or k == "file-backed":
                continue
            ours = entries(pid, m["start"], m["end"])
            try:
                zygotes = entries(zygote, m["start"], m["end"])
            except OSError:
                zygotes = ()
            for n, entry in enumerate(ours):
                if not entry >> 63:
                    continue
                counts.seek((entry & PFN) * 8)
                if struct.unpack("Q", counts.read(8))[0] != 1:
                    continue  # shared
                if n >= len(zygotes) or not zygotes[n] >> 63:
                    table[k]["new"] += PAGE // 1024
                    continue
                at = m["start"] + n * PAGE
                same = os.pread(mine.fileno(), PAGE, at) == os.pread(theirs.fileno(), PAGE, at)
                table[k]["copied, set back" if same else "copied, changed"] += PAGE // 1024
    return table


def report(title: str, pid: int, zygote: int) -> None:
    table = private_map(pid, zygote)
    threads = len(os.listdir(f"/proc/{pid}/task"))
    arenas = sum(1 for m in mappings(pid) if not m["path"] and m["start"] % GLIBC_HEAP == 0)
    uss = memory(psutil.Process(pid))["uss"]
    print(
        f"\n{title}: USS {uss:.1f} MiB, {threads} threads, {arenas} glibc arenas besides the heap"
    )
    cols = ("private", "copied, changed", "copied, set back", "new")
    print("| mapping | " + " | ".join(f"{c} (MiB)" for c in cols) + " |")
    print("|---|" + "---:|" * len(cols))
    total: collections.Counter = collections.Counter()
    for k, c in sorted(table.items(), key=lambda kv: -kv[1]["private"]):
        total.update(c)
        print(f"| {k} | " + " | ".join(f"{c[col] / 1024:.1f}" for col in cols) + " |")
    print("| total | " + " | ".join(f"{total[col] / 1024:.1f}" for col in cols) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: page frame numbers (/proc/kpagecount) are hidden from others")
    settings = {"kernel_provisioner": "fork", "pool_fill_delay": 3600.0}
    with served("learner", args.kernels, **settings) as (server, _):
        kernel = next(iter(kernel_processes(server).values()))
        report("warm kernel", kernel.pid, kernel.ppid())

        async def answered() -> None:
            pages = [await first_answer(server.url, f"scenario={SCENARIO}")]
            pages += [await first_answer(server.url, f"scenario={SCENARIO}")]
            proc = kernel_processes(server)[pages[0].kernel_id]
            report("after the first answer", proc.pid, proc.ppid())
            for page in pages:
                await page.close()

        asyncio.run(answered())
    return 0


if __name__ == "__main__":
    sys.exit(main())
