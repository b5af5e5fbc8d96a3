"""attach_store: how a kernel opens a store its server migrated. It waits, and never migrates."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import inspect

from tests.pgcluster import PgCluster
from tests.sqlitelock import WriteLock
from toolkit.errors import StoreUnavailable
from toolkit.storage import attach_store, open_store
from toolkit.storage.engine import make_engine
from toolkit.storage.migrate import wait_for_schema

pytestmark = pytest.mark.timeout(180)


def test_an_unmigrated_database_is_waited_for_never_migrated(store_url):
    """Given a database with no schema, does attach_store give up after its wait, saying
    why, and leave the database as it found it (no tables)?"""
    began = time.monotonic()
    with pytest.raises(StoreUnavailable, match="revision none, not 0004"):
        attach_store(store_url, wait=1.0)
    assert 0.9 <= time.monotonic() - began < 10
    engine = make_engine(store_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_database_migrated_meanwhile_is_attached(store_url):
    """If the server finishes migrating while a kernel waits, does the kernel attach then?"""
    threading.Timer(1.0, lambda: open_store(store_url).close()).start()
    with attach_store(store_url, wait=60) as store:
        assert store.learner()["id"].startswith("L-")


def test_a_locked_sqlite_database_attaches_at_once(tmp_path):
    """While another process holds SQLite's write lock, does a kernel attach at once (the
    revision check only reads; it read a locked database as empty before issue 15)?"""
    path = tmp_path / "store.db"
    open_store(f"sqlite:///{path}").close()
    with WriteLock(path):
        began = time.monotonic()
        attach_store(f"sqlite:///{path}", wait=0).close()
        assert time.monotonic() - began < 1.0


def test_postgres_down_then_up_is_waited_for(tmp_path):
    """With PostgreSQL stopped, does a kernel wait for it and attach once it is back, and give
    up naming the cause when it stays down past the wait?"""
    cluster = PgCluster()
    cluster.start()
    try:
        open_store(cluster.url).close()
        cluster.stop()
        engine = make_engine(cluster.url)
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            wait_for_schema(engine, 1.0)
        engine.dispose()
        threading.Timer(2.0, cluster.start).start()
        began = time.monotonic()
        with attach_store(cluster.url, wait=90) as store:
            assert store.learner()["id"].startswith("L-")
        assert time.monotonic() - began >= 1.5
    finally:
        cluster.remove()
