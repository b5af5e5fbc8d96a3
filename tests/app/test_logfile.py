"""toolkit.app.logfile: the app log stays bounded, shared by processes, without floods."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from toolkit.app import guard, logfile
from toolkit.app.logfile import RepeatFilter, SharedRotatingFileHandler
from toolkit.settings import REPO_ROOT

SMALL = 20_000  # bytes: a log that fills in a few hundred records


def log_files(path: Path) -> list[Path]:
    found = [p for p in path.parent.glob(path.name + "*") if p.suffix != ".lock"]
    return sorted(found, key=lambda p: p.name)


def records(path: Path) -> list[str]:
    return [line for f in log_files(path) for line in f.read_text().splitlines()]


@pytest.fixture
def app_logger(tmp_path):
    """A fresh 'safeshare' logger tree for configure_logging, restored afterwards."""
    root = logging.getLogger("safeshare")
    saved = (root.handlers[:], root.level, root.propagate)
    root.handlers = []
    yield tmp_path / "logs" / "app.log"
    for handler in root.handlers:
        handler.close()
    root.handlers, root.level, root.propagate = saved


def test_the_app_log_goes_where_the_setting_says_and_stays_bounded(app_logger, monkeypatch):
    """Does configure_logging write to the log_path it is given, and does ten times the size
    limit of distinct records leave no file over the limit and at most five old files?"""
    monkeypatch.setattr(logfile, "MAX_BYTES", SMALL)
    guard.configure_logging(app_logger)
    log = logging.getLogger("safeshare.test")
    line = "x" * 100
    for n in range(10 * SMALL // 100):
        log.info(f"record {n} {line}")  # each its own message, so none is held back
    files = log_files(app_logger)
    assert app_logger.exists() and [f.name for f in files][0] == "app.log"
    assert len(files) == 6, [f.name for f in files]  # app.log and app.log.1 … app.log.5
    assert all(f.stat().st_size <= SMALL for f in files)


def test_a_flood_of_one_record_is_cut_short_then_counted():
    """Do 1,000 copies of one error (arguments varying) give 5 records in a minute, and does
    the first one after the minute say how many were left out?"""
    now = [0.0]
    flood = RepeatFilter(repeats=5, window=60, clock=lambda: now[0])
    make = logging.getLogger("ipykernel.comm").makeRecord
    passed = [
        flood.filter(make("ipykernel.comm", logging.ERROR, "f", 1, "No such comm: %s", (n,), None))
        for n in range(1000)
    ]
    assert sum(passed) == 5
    now[0] = 61.0
    later = make("ipykernel.comm", logging.ERROR, "f", 1, "No such comm: %s", ("z",), None)
    assert flood.filter(later)
    assert later.getMessage() == "No such comm: z [995 more like this left out in 60 s]"


def test_different_records_are_not_held_back():
    """Are records with different templates, levels or loggers each let through?"""
    flood = RepeatFilter(repeats=1, window=60, clock=lambda: 0.0)
    make = logging.getLogger("x").makeRecord
    kinds = [("a", logging.INFO, "one"), ("a", logging.INFO, "two"), ("a", logging.ERROR, "one")]
    kinds.append(("b", logging.INFO, "one"))
    assert all(flood.filter(make(n, lvl, "f", 1, msg, (), None)) for n, lvl, msg in kinds)


WRITER = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    from toolkit.app.logfile import SharedRotatingFileHandler
    handler = SharedRotatingFileHandler(Path(sys.argv[1]), max_bytes={small}, backups=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("w"); log.addHandler(handler); log.setLevel(logging.INFO)
    for n in range(1500):
        log.info("%s %05d %s", sys.argv[2], n, "y" * 100)
    """
)


def test_several_kernels_share_one_log_without_a_runaway_file(tmp_path):
    """With four processes writing one log at once (as a room's kernels do), does every file
    stay within the limit, rather than one process filling a rotated file for ever?"""
    path = tmp_path / "app.log"
    code = WRITER.format(small=SMALL)
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(path), f"w{i}"], cwd=REPO_ROOT)
        for i in range(4)
    ]
    assert [w.wait(120) for w in writers] == [0, 0, 0, 0]
    files = log_files(path)
    sizes = {f.name: f.stat().st_size for f in files}
    assert len(files) <= 4 and all(size <= SMALL for size in sizes.values()), sizes
    newest = [line.split()[0] for line in path.read_text().splitlines()]
    assert newest, "the current log is empty"
    assert len(records(path)) >= 3 * SMALL // 120  # the old files hold whole logs too


def test_the_handler_reopens_a_log_another_process_rotated(tmp_path):
    """When another process has rotated the log, does this one write to the new file?"""
    path = tmp_path / "app.log"
    handler = SharedRotatingFileHandler(path, max_bytes=SMALL, backups=2)
    log = logging.getLogger("reopen-test")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.info("before")
        path.rename(tmp_path / "app.log.1")  # what another process's rotation does
        log.info("after")
    finally:
        log.removeHandler(handler)
        handler.close()
    assert path.read_text() == "after\n"
    assert (tmp_path / "app.log.1").read_text() == "before\n"
