"""Migrations: the cheap 'already current' check agrees with Alembic."""

from alembic.script import ScriptDirectory

from toolkit.storage import open_store
from toolkit.storage.migrate import HEAD, alembic_config, current_revision


def test_head_constant_matches_alembic(store_url):
    """Is HEAD the newest revision in migrations/versions (update it with each migration)?"""
    with open_store(store_url) as store:
        script = ScriptDirectory.from_config(alembic_config(store.engine))
        assert script.get_current_head() == HEAD
        assert current_revision(store.engine) == HEAD


def test_empty_database_has_no_revision(tmp_path):
    """Does a fresh database report no revision, so the loader migrates it?"""
    from toolkit.storage.engine import make_engine

    assert current_revision(make_engine(f"sqlite:///{tmp_path}/empty.db")) is None
