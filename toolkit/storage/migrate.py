"""Runs the Alembic migrations in toolkit/storage/migrations against an engine.

Alembic (and Mako under it) costs a learner kernel time and memory at start, so a database
already at ``HEAD`` is recognised with one query and Alembic is imported only to migrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from toolkit.storage.engine import writer

if TYPE_CHECKING:  # pragma: no cover
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions; a test keeps it equal to Alembic's head.
HEAD = "0003"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = writer(engine)  # a migration holds the write lock throughout
    return config


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None for an empty (or unreadable) database."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (idempotent, and cheap when already there)."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
