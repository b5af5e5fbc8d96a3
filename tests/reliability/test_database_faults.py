"""A briefly unavailable database: the learner is told, nothing is half-saved, a retry saves once.

The learner app runs in-process (no browser needed): its Submit button is pressed through
ipywidgets, exactly as a browser's click arrives. SQLite is made unavailable by another
connection holding the write lock past the busy timeout; PostgreSQL by stopping a
throw-away cluster this test started itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.pgcluster import PgCluster
from tests.reliability.drill import DRILL, FILES
from tests.sqlitelock import WriteLock
from toolkit.app.identity import Query
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


def answer_all_but_the_last(app: LearnerApp) -> None:
    for _ in range(3):
        assert "Answer saved." in press_submit(app)
        app._render_play()  # "Next decision"


def last_answer_then_locked(path: Path, monkeypatch) -> tuple[LearnerApp, str]:
    """The drill answered to the end, another writer taking the lock just after the last
    answer was stored (released once Submit has answered); the app and its message."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)
    app = learner_app(f"sqlite:///{path}")
    answer_all_but_the_last(app)
    locks: list[WriteLock] = []
    record = app.store.record_answer

    def then_locked(*args, **kwargs):
        stored = record(*args, **kwargs)
        locks.append(WriteLock(path))  # the row is in; now the database is busy
        return stored

    monkeypatch.setattr(app.store, "record_answer", then_locked)
    message = press_submit(app)
    locks[0].release()
    return app, message


def test_a_lock_just_after_the_last_answer_loses_nothing(tmp_path, monkeypatch):
    """If another writer takes the lock just after the last answer is stored, is the learner
    told it was saved (it was), and is the attempt finished when they resume?"""
    path = tmp_path / "store.db"
    app, message = last_answer_then_locked(path, monkeypatch)

    assert "Answer saved." in message and "ss-error" not in message
    assert app.player.finished and stored(app) == ["d1", "d2", "d3", "d4"]
    resumed = LearnerApp(load_library([FILES]), open_store(f"sqlite:///{path}"))
    resumed.start(Query(resume=app.learner["resume_key"], scenario=DRILL))
    (attempt,) = resumed.store.attempts(app.learner["id"])
    assert attempt["finished_at"] is not None and attempt["ending"] == app.player.position
    assert resumed.player.finished, "the summary, not a decision, is shown"


def test_finishing_is_tried_again_on_the_way_to_the_summary(tmp_path, monkeypatch):
    """If finishing failed under that lock, does "See the outcome", pressed once the lock has
    gone, mark the attempt finished without waiting for a resume?"""
    app, _ = last_answer_then_locked(tmp_path / "store.db", monkeypatch)
    (attempt,) = app.store.attempts(app.learner["id"])
    assert attempt["finished_at"] is None, "the lock stopped the first try"
    app._render_play()  # "See the outcome"
    (attempt,) = app.store.attempts(app.learner["id"])
    assert attempt["finished_at"] is not None and attempt["ending"] == app.player.position


def test_an_answer_stored_before_an_error_counts_as_saved(tmp_path, monkeypatch):
    """If saving raises after the row was written (the commit's reply lost), does the learner
    see "saved" and go on, rather than "could not be saved" for an answer that was?"""
    app = learner_app(f"sqlite:///{tmp_path / 'store.db'}")
    record = app.store.record_answer

    def stored_then_failed(*args, **kwargs):
        record(*args, **kwargs)
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(app.store, "record_answer", stored_then_failed)
    message = press_submit(app)
    assert "Answer saved." in message and SAVE_FAILED.split(" (")[0] not in message
    assert app.player.position == "d2" and stored(app) == ["d1"]


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
