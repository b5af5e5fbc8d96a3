"""Runs the Alembic migrations in toolkit/storage/migrations against an engine.

Alembic (and Mako under it) costs a learner kernel time and memory at start, so a database
already at ``HEAD`` is recognised with one query and Alembic is imported only to migrate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from toolkit.errors import StoreUnavailable
from toolkit.storage.engine import writer

if TYPE_CHECKING:  # pragma: no cover
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions; a test keeps it equal to Alembic's head.
HEAD = "0005"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = writer(engine)  # a migration holds the write lock throughout
    return config


def read_revision(engine: Engine) -> str | None:
    """The database's schema revision, None for a database with no schema yet; SQLAlchemyError
    when it cannot be read (unreachable, say): an unreadable database is not an empty one."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None for an empty (or unreadable) database."""
    try:
        return read_revision(engine)
    except SQLAlchemyError:
        return None


def wait_for_schema(
    engine: Engine,
    wait: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once the database answers at revision HEAD, asking again (0.25 s, doubling to
    5 s apart) for up to ``wait`` seconds; StoreUnavailable naming the problem after that.

    Never migrates: this is for kernels, whose server migrated the database at start. A
    database that is down, or still being migrated by the server, is waited for.
    """
    deadline = clock() + wait
    pause = 0.25
    while True:
        try:
            revision = read_revision(engine)
            if revision == HEAD:
                return
            problem = f"its schema is at revision {revision or 'none'}, not {HEAD}"
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"]
            problem = f"it cannot be reached ({reason[0]})"
        left = deadline - clock()
        if left <= 0:
            raise StoreUnavailable(f"the database is not ready after {wait:g} s: {problem}")
        sleep(min(pause, left))
        pause = min(2 * pause, 5.0)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (idempotent, and cheap when already there)."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
