"""A throw-away PostgreSQL cluster, made by the test suite itself: never a shared server.

initdb into a temp folder (owned by the postgres user when running as root: initdb refuses
root), trust auth, 127.0.0.1 only, fsync off. `tests/conftest.py` starts one for the
session's PostgreSQL tests; fault tests start their own, to stop and start it. Without
PostgreSQL's server binaries the tests are skipped with the reason in pytest's summary (on a
laptop) or fail (under CI, where a skip would hide a broken setup).
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

from tests.ports import free_port

MISSING = (
    "PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): apt-get install postgresql"
)


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def require_postgres() -> Path:
    """The binaries folder, or skip (fail under CI) naming what is missing."""
    folder = pg_bin()
    if folder is not None:
        return folder
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING)
    pytest.skip(MISSING)


def _postgres_user() -> pwd.struct_passwd:
    """The account root runs initdb as (Debian's postgresql package makes it)."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        reason = "running as root needs a 'postgres' user for initdb: apt-get install postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


class PgCluster:
    """initdb once; start() and stop() as often as a test likes; remove() at the end."""

    def __init__(self) -> None:
        self.bin = require_postgres()
        owner = _postgres_user() if os.geteuid() == 0 else None
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="safeshare-pgtest-"))
        self.data = self.root / "data"
        self.as_postgres: list[str] = []
        if owner is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
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
