"""A throw-away PostgreSQL cluster a test can stop and start: never the shared server.

Made as .ci/run makes its own: initdb into a temp folder owned by the postgres user (initdb
refuses root), trust auth, 127.0.0.1 only, fsync off. Without PostgreSQL's binaries the
tests skip on a laptop and fail in CI, where a skip would hide a broken setup.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.security.server import free_port


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def require_postgres() -> Path:
    """The binaries folder, or skip (fail under CI) naming what is missing."""
    folder = pg_bin()
    if folder is not None:
        return folder
    reason = "PostgreSQL binaries missing (/usr/lib/postgresql/*/bin): apt-get install postgresql"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


class PgCluster:
    """initdb once; start() and stop() as often as a test likes; remove() at the end."""

    def __init__(self) -> None:
        self.bin = require_postgres()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="safeshare-pgtest-"))
        self.data = self.root / "data"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "--auth=trust", "-U", "postgres", "--no-sync",
                  "--encoding=UTF8", "--no-locale")  # fmt: skip
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: object) -> None:
        argv = [*self.as_postgres, str(self.bin / tool), *map(str, args)]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-l", self.root / "log", "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
