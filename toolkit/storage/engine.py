"""Database engines: an SQLite file in WAL mode by default, PostgreSQL when a URL names it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# Measured (issue 9): WAL plus a busy timeout kept 20 concurrent writers at 0 errors; a
# read-then-write in a deferred transaction failed under load, BEGIN IMMEDIATE did not.
BUSY_TIMEOUT_MS = 10_000
# The execution option that makes a connection's transactions BEGIN IMMEDIATE (see writer).
BEGIN_OPTION = "safeshare_sqlite_begin"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout.

    Its transactions begin deferred: under WAL a read takes a snapshot and never waits for
    another process's write (issue 15: with every transaction IMMEDIATE, opening a
    scenario, resuming and the dashboard waited 10 s and failed while anyone wrote). Write
    transactions go through ``writer(engine)``, which begins them IMMEDIATE.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        from toolkit.storage.tables import describe_for_postgresql

        describe_for_postgresql()
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, future=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (and pool) for write transactions: on SQLite they BEGIN IMMEDIATE,
    taking the write lock before their first read, so a read-then-write waits its turn
    instead of failing half way; elsewhere the option means nothing."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def _begin(conn) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"
