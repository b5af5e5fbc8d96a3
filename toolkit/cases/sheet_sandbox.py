"""Reading an untrusted spreadsheet in a child process with memory, CPU and time limits.

The caps in ``sheets`` bound what a file can make the reader do, but XLSX parsing runs
through openpyxl and the XML parser, whose costs we do not control cell by cell. So an
uploaded file is read by ``python -m toolkit.cases.sheet_sandbox``, which limits its own
address space and CPU time before it opens the file; the caller also stops it after a wall
time. Whatever the file does, the caller's process (a reviewer's kernel) is untouched and the
reviewer gets a sentence saying what to do.

The child prints one JSON object: ``{"tables": {name: {"header": [...], "rows": [[n, [...]]]}}}``
or ``{"problem": [file, line, field, message]}``; dates and times are tagged objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.cases.sheets import ADVICE, CAPS, Cell, SheetCaps, Table, Unreadable, read_tables
from toolkit.problems import Problem

log = logging.getLogger("safeshare.cases.sheet_sandbox")
_TAGS = {"datetime": dt.datetime, "date": dt.date, "time": dt.time}  # datetime before date


@dataclass(frozen=True)
class Confinement:
    """The limits a child reading one spreadsheet runs under."""

    memory_bytes: int = 1024 * 1024 * 1024  # address space, imports included (~200 MB)
    cpu_seconds: int = 30
    wall_seconds: float = 60.0


TOO_LONG = "reading the file took longer than {seconds:g} s"
TOO_BIG = "reading the file needed more than {mb} MB of memory"
FAILED = "the file could not be read (the reader stopped)"


def _encode(cell: Cell) -> Any:
    for tag, kind in _TAGS.items():
        if isinstance(cell, kind):
            return {tag: cell.isoformat()}
    if cell is None or isinstance(cell, str | int | float):
        return cell
    return str(cell)  # a duration or an error value: shown as the spreadsheet shows it


def _decode(value: Any) -> Cell:
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        return _TAGS[tag].fromisoformat(text)
    return value


def _refusal(path: Path, message: str) -> Problem:
    return Problem(str(path), 0, "file", f"{message}; {ADVICE}")


def read_tables_confined(
    path: Path | str, caps: SheetCaps = CAPS, limits: Confinement = Confinement()
) -> dict[str, Table]:
    """``sheets.read_tables(path, caps)``, run in a child process under ``limits``.

    Returns the same tables; raises ``sheets.Unreadable`` for the file's own problems and
    when the child runs out of memory or time.
    """
    path = Path(path)
    request = {"path": str(path), "caps": dataclasses.asdict(caps)}
    request["limits"] = dataclasses.asdict(limits)
    command = [sys.executable, "-m", __name__, json.dumps(request)]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=limits.wall_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        raise Unreadable(_refusal(path, TOO_LONG.format(seconds=limits.wall_seconds))) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise Unreadable(_failure(path, done, limits))
    if "problem" in answer:
        raise Unreadable(Problem(*answer["problem"]))
    return {
        title: Table(
            str(path),
            [_decode(c) for c in table["header"]],
            [(number, [_decode(c) for c in cells]) for number, cells in table["rows"]],
        )
        for title, table in answer["tables"].items()
    }


def _failure(path: Path, done: subprocess.CompletedProcess, limits: Confinement) -> Problem:
    """What to tell the reviewer when the child gave no answer (it was stopped, or crashed)."""
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # the soft, then hard CPU limit
        return _refusal(path, TOO_LONG.format(seconds=limits.cpu_seconds))
    if b"MemoryError" in done.stderr:
        return _refusal(path, TOO_BIG.format(mb=limits.memory_bytes // 2**20))
    log.warning("sheet reader exited %s: %s", done.returncode, done.stderr[-2000:])
    return _refusal(path, FAILED)


def _confine(limits: dict[str, Any]) -> None:
    memory, cpu = limits["memory_bytes"], limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    path = Path(request["path"])
    try:
        tables = read_tables(path, SheetCaps(**request["caps"]))
    except Unreadable as exc:
        return {"problem": dataclasses.astuple(exc.problem)}
    except MemoryError:
        mb = request["limits"]["memory_bytes"] // 2**20
        return {"problem": dataclasses.astuple(_refusal(path, TOO_BIG.format(mb=mb)))}
    return {
        "tables": {
            title: {
                "header": [_encode(c) for c in table.header],
                "rows": [[n, [_encode(c) for c in cells]] for n, cells in table.rows],
            }
            for title, table in tables.items()
        }
    }


def main(argv: list[str]) -> int:
    """The child: set the limits, read the file, print the answer as one JSON object."""
    request = json.loads(argv[0])
    _confine(request["limits"])
    answer = _answer(request)
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
