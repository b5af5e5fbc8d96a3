"""A briefly unavailable database: the learner is told, nothing is half-saved, a retry saves once.

The learner app runs in-process (no browser needed): its Submit button is pressed through
ipywidgets, exactly as a browser's click arrives. SQLite is made unavailable by another
connection holding the write lock past the busy timeout; PostgreSQL by stopping a
throw-away cluster this test started itself.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgcluster import PgCluster
from tests.reliability.drill import DRILL, FILES
from toolkit.app.journey import SAVE_FAILED, LearnerApp
from toolkit.cases import load_library
from toolkit.storage import engine, open_store

pytestmark = pytest.mark.timeout(180)


def learner_app(url: str) -> LearnerApp:
    app = LearnerApp(load_library([FILES]), open_store(url))
    app.open_scenario(DRILL)
    return app


def press_submit(app: LearnerApp, choice: str = "a") -> str:
    """Pick an option and press Submit as the browser would; the message then shown."""
    app.view.step.radio.value = choice
    app.view.submit.click()
    return app.view.message.value


def stored(app: LearnerApp) -> list[str]:
    return [a["decision_id"] for a in app.store.answers(app.attempt["id"])]


class WriteLock:
    """Another connection holding SQLite's write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def test_locked_sqlite_shows_a_message_then_a_retry_saves_once(tmp_path, monkeypatch):
    """With the database locked past the busy timeout, is the learner told, and does a retry
    after the lock goes save the answer exactly once?"""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)  # the same path as 10 s, sooner
    path = tmp_path / "store.db"
    app = learner_app(f"sqlite:///{path}")

    lock = WriteLock(path)
    message = press_submit(app)
    assert SAVE_FAILED.split(" (")[0] in message and "ss-error" in message
    assert app.player.position == "d1" and not app.view.submit.disabled, "not a dead widget"
    lock.release()

    assert stored(app) == []
    assert "Answer saved." in press_submit(app)
    assert press_submit(app) is not None  # a double click after saving…
    assert stored(app) == ["d1"], "…still stores it once"
    assert app.player.position == "d2"


def test_a_short_lock_only_delays_the_save(tmp_path):
    """With the lock held for less than the busy timeout, does Submit just wait and save?"""
    path = tmp_path / "store.db"
    app = learner_app(f"sqlite:///{path}")
    lock = WriteLock(path)
    threading.Timer(1.0, lock.release).start()

    began = time.monotonic()
    message = press_submit(app)

    assert "Answer saved." in message
    assert 0.8 < time.monotonic() - began < engine.BUSY_TIMEOUT_MS / 1000
    assert stored(app) == ["d1"]


@pytest.fixture
def postgres() -> Iterator[PgCluster]:
    cluster = PgCluster()
    cluster.start()
    yield cluster
    cluster.remove()


def test_stopped_postgres_shows_a_message_then_a_retry_saves_once(postgres):
    """With PostgreSQL stopped mid-scenario, is the learner told, and after it is back does a
    retry save the answer exactly once, earlier answers intact?"""
    app = learner_app(postgres.url)
    assert "Answer saved." in press_submit(app)
    app._render_play()  # "Next decision"

    postgres.stop()
    message = press_submit(app)
    assert SAVE_FAILED.split(" (")[0] in message and "ss-error" in message
    assert app.player.position == "d2" and not app.view.submit.disabled

    postgres.start()
    assert "Answer saved." in press_submit(app)
    assert stored(app) == ["d1", "d2"]
    app.store.close()
