"""The app log: one file every kernel of a server writes to, rotated by size, without floods.

Why not logging's own RotatingFileHandler: each kernel is a process of its own writing the
same file. When one of them rotates (renames app.log to app.log.1), the others keep writing
through their open handle into the renamed file, which then grows without limit. Here a
process rotates only under an exclusive lock, after checking the file still needs it, and
every process reopens the path when the file it holds is no longer the one there.

Why rate-limited: a page that sent malformed widget messages in a loop made its kernel log a
traceback for each, about 0.13 GiB an hour per page (issue 15). The same record (logger,
level, message template) is written at most REPEATS times a WINDOW_SECONDS; the next one
written after that says how many were left out.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 10 * 2**20
BACKUPS = 5
REPEATS = 5
WINDOW_SECONDS = 60.0
MAX_KINDS = 1000  # kinds of record the filter remembers at once
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SharedRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler several processes can share (see the module docstring).

    Each record is written under an exclusive lock on a file beside the log, so the size
    check, the rotation and the write are one step across processes: without it two
    processes both found room for their record and together overfilled the file.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        super().__init__(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True
        )
        self._lock_path = f"{self.baseFilename}.lock"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            with open(self._lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._follow_the_path()
                if self.shouldRollover(record):
                    self.doRollover()
                logging.FileHandler.emit(self, record)  # opens, writes, flushes
        except Exception:  # noqa: BLE001 - logging must never break the app
            self.handleError(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        """Would this record take the file past its size? Judged by the file's size on disk,
        which the other processes' writes count towards (our own offset would not)."""
        if self.stream is None:
            self.stream = self._open()
        size = os.fstat(self.stream.fileno()).st_size
        return size > 0 and size + len(self.format(record)) + 1 > self.maxBytes

    def _follow_the_path(self) -> None:
        """Reopen when the file at the path is not the one this handler writes to."""
        if self.stream is None:
            return
        try:
            there = os.stat(self.baseFilename)
        except FileNotFoundError:
            there = None
        held = os.fstat(self.stream.fileno())
        if there is None or (there.st_dev, there.st_ino) != (held.st_dev, held.st_ino):
            self.stream.close()
            self.stream = self._open()


@dataclass
class _Seen:
    since: float
    count: int = 0
    left_out: int = 0


class RepeatFilter(logging.Filter):
    """Let through at most `repeats` records of one kind per `window` seconds.

    A kind is the logger, the level, the message template (not its arguments, which vary)
    and the exception type. The first record of a kind let through after some were left
    out says how many.
    """

    def __init__(
        self,
        repeats: int = REPEATS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__()
        self.repeats, self.window, self._clock = repeats, window, clock
        self._seen: dict[tuple[object, ...], _Seen] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = self._clock()
        kind = (record.name, record.levelno, str(record.msg), _exception_type(record))
        seen = self._seen.get(kind)
        if seen is None or now - seen.since >= self.window:
            left_out = seen.left_out if seen else 0
            self._forget_old(now)
            self._seen[kind] = seen = _Seen(since=now)
            if left_out:
                _note_left_out(record, left_out, self.window)
        seen.count += 1
        if seen.count > self.repeats:
            seen.left_out += 1
            return False
        return True

    def _forget_old(self, now: float) -> None:
        """Keep the table small: drop kinds whose window has passed, or all of them when a
        flood of distinct messages has filled it within one window."""
        if len(self._seen) > MAX_KINDS:
            self._seen = {k: v for k, v in self._seen.items() if now - v.since < self.window}
        if len(self._seen) > MAX_KINDS:
            self._seen.clear()


def _exception_type(record: logging.LogRecord) -> str | None:
    return record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None


def _note_left_out(record: logging.LogRecord, count: int, window: float) -> None:
    record.msg = f"{record.getMessage()} [{count} more like this left out in {window:.0f} s]"
    record.args = None


def log_file_handler(path: Path) -> SharedRotatingFileHandler:
    """The handler for the app log at `path` (its folder is made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = SharedRotatingFileHandler(path, MAX_BYTES, BACKUPS)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RepeatFilter())
    return handler
