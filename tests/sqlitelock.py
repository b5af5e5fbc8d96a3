"""Another connection holding SQLite's write lock, as a second process writing would."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class WriteLock:
    """Holds SQLite's write lock (BEGIN EXCLUSIVE, the same as IMMEDIATE under WAL) until
    released; under WAL, readers may still read."""

    def __init__(self, path: Path | str):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()

    def __enter__(self) -> WriteLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
