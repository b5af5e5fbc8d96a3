"""Shared fixtures: the repo, a throw-away store URL per backend, artifacts, served apps.

`store_url` is a fresh SQLite file per test, and every store test runs a second time against
PostgreSQL, in a schema of its own that is dropped afterwards: the database named by
SAFESHARE_TEST_PG_URL when set, else a throw-away cluster the session starts itself from
PostgreSQL's server binaries (tests/pgcluster.py). Without the binaries the PostgreSQL runs
are reported as skipped, with the reason, in pytest's summary (and fail under CI).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.pgcluster import PgCluster
from tests.ports import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def artifacts_dir(repo_root: Path) -> Path:
    """test-artifacts/ at the repo root (gitignored): screenshots and reports to look at."""
    path = repo_root / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The session's PostgreSQL: SAFESHARE_TEST_PG_URL, or a cluster started (and removed)
    here; skipped with the reason when neither is possible."""
    given = os.environ.get("SAFESHARE_TEST_PG_URL")
    if given:
        yield given
        return
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster.url
    finally:
        cluster.remove()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL nobody else uses: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    yield from _postgres_schema(request.getfixturevalue("postgres_url"))


def _postgres_schema(base_url: str) -> Iterator[str]:
    """Create schema test_<hex>, yield a URL whose search_path starts there, drop it after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class ServedApp:
    """`python -m toolkit.serving NOTEBOOK` as a child process, as `make serve` runs it.

    Every process it starts carries the unique database URL in its environment, which is
    how leftovers are found even after they were re-parented.
    """

    def __init__(self, notebook: str, tmp_dir: Path, room: int):
        self.notebook = notebook
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.database_url = f"sqlite:///{tmp_dir / f'{notebook}-{uuid.uuid4().hex[:8]}.db'}"
        # Every page comes from this one test process, often many a minute: no per-client
        # limit here (tests/serving/test_room_capacity.py tests it). Pages come one after
        # another, not as a room arriving at once: the warm room refills a second after a
        # page takes its kernel, not 10 s (the next test's page waited out the rest of it).
        env = {
            **os.environ,
            "SAFESHARE_DATABASE_URL": self.database_url,
            "SAFESHARE_CLIENT_KERNELS_PER_MINUTE": "0",
            "SAFESHARE_POOL_FILL_DELAY": "1",
            # No LTI tool beside these servers, even if var/lti/ holds a key (tests/lms/).
            "SAFESHARE_LTI_KEY_DIR": str(tmp_dir / "no-lti-keys"),
        }
        argv = [sys.executable, "-m", "toolkit.serving", notebook, "--port", str(self.port)]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [*argv, "--room", str(room)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.ready_after: float | None = None
        self._ready = threading.Event()
        self.kernels: list[psutil.Process] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("ready in "):
                self.ready_after = time.monotonic() - self.started
                self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout: float = 90) -> str:
        """The base URL once the server printed "ready"; fails the test otherwise."""
        if not self._ready.wait(timeout) or self.ready_after is None:
            self.stop()
            pytest.fail(f"{self.notebook} server not ready:\n{''.join(self.output)[-3000:]}")
        self.kernels = [p for p in self._descendants() if _is_kernel(p)]
        return self.url

    def _descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []

    def stop(
        self, signum: int = signal.SIGTERM, timeout: float = 15, repeat: int = 1
    ) -> tuple[int | None, float]:
        """Send `signum` (`repeat` times in a burst); (exit code or None if it hung, seconds)."""
        self.kernels += [p for p in self._descendants() if _is_kernel(p) and p not in self.kernels]
        began = time.monotonic()
        for _ in range(repeat):
            if self.proc.poll() is None:
                self.proc.send_signal(signum)
                time.sleep(0.01)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None, time.monotonic() - began
        return code, time.monotonic() - began

    def leftovers(self, settle: float = 3.0) -> list[str]:
        """Processes of this server still alive (waits up to `settle` s for them to go)."""
        deadline = time.monotonic() + settle
        while True:
            left = [p for p in self.kernels if _alive(p)] + _with_env(self.database_url)
            if not left or time.monotonic() > deadline:
                return [f"{p.pid}: {' '.join(_cmdline(p))[:120]}" for p in left]
            time.sleep(0.2)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def _is_kernel(proc: psutil.Process) -> bool:
    return any("ipykernel" in part for part in _cmdline(proc))


def _with_env(database_url: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            env = proc.environ()
        except psutil.Error:
            continue
        if env.get("SAFESHARE_DATABASE_URL") == database_url and _alive(proc):
            found.append(proc)
    return found


@pytest.fixture(scope="session")
def serve_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ServedApp]]:
    """Factory: serve_app("learner", room=1) starts a server (call .wait_ready()).

    Whatever a test leaves running is stopped at the end of the session.
    """
    started: list[ServedApp] = []

    def start(notebook: str = "learner", room: int = 1) -> ServedApp:
        app = ServedApp(notebook, tmp_path_factory.mktemp("serve"), room)
        started.append(app)
        return app

    yield start
    for app in started:
        if app.proc.poll() is None:
            app.stop()
