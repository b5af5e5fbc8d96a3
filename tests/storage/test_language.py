"""The interface language remembered with an attempt and a cohort's default (migration 0005),
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, select, text

from toolkit.storage import open_store
from toolkit.storage import tables as t
from toolkit.storage.engine import make_engine
from toolkit.storage.migrate import alembic_config, current_revision, upgrade


def test_an_attempt_remembers_its_language(store_url):
    """Is a new attempt stored with the language it began in, kept when it is reopened, and
    changed when the learner switches?"""
    with open_store(store_url) as store:
        learner = store.learner()
        attempt = store.open_attempt(learner["id"], "sc-a", "cy")
        assert attempt["language"] == "cy"
        again = store.open_attempt(learner["id"], "sc-a", "en")  # resuming keeps it
        assert again["id"] == attempt["id"] and again["language"] == "cy"
        store.set_attempt_language(attempt["id"], "en")
        assert store.attempts(learner["id"])[0]["language"] == "en"
        assert store.open_attempt(learner["id"], "sc-b")["language"] is None


def test_a_cohort_keeps_its_default_language(store_url):
    """Does a cohort made with a default language give it back, and one made without none?"""
    with open_store(store_url) as store:
        welsh = store.add_cohort("Gweithdy", ["sc-a"], language="cy")
        plain = store.add_cohort("Workshop", ["sc-a"])
        assert store.find_cohort(welsh["code"])["language"] == "cy"
        assert store.find_cohort(plain["code"])["language"] is None


def test_0005_adds_the_columns_keeping_rows(store_url):
    """Does a database at 0004 with an attempt and a cohort upgrade to 0005 with both kept
    (language NULL), and go back down to 0004 without the columns?"""
    engine = make_engine(store_url)
    upgrade(engine, "0004")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cohorts (id, code, name, scenarios, retain_until, closed, created_at)"
                " VALUES (1, 'ABC234', 'c', '[]', :now, false, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text("INSERT INTO learners (id, resume_key, created_at) VALUES ('L-1', 'K', :now)"),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO attempts (id, learner_id, scenario_id, started_at)"
                " VALUES (1, 'L-1', 's', :now)"
            ),
            {"now": now},
        )
    upgrade(engine)
    assert current_revision(engine) == "0005"
    with engine.connect() as conn:
        assert conn.execute(select(t.attempts.c.id, t.attempts.c.language)).all() == [(1, None)]
        assert conn.execute(select(t.cohorts.c.code, t.cohorts.c.language)).all() == [
            ("ABC234", None)
        ]
    command.downgrade(alembic_config(engine), "0004")
    for table in ("attempts", "cohorts"):
        assert "language" not in {c["name"] for c in inspect(engine).get_columns(table)}
    engine.dispose()
