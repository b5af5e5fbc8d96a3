"""Migrations: the cheap 'already current' check agrees with Alembic."""

import pytest
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


def test_0002_keeps_old_overrides_and_adds_misconceptions(store_url):
    """Does a database at 0001 with an override upgrade to 0002 with that override intact
    (misconceptions NULL: the scorer's stand), take new ones with misconceptions, and go back
    down to 0001?"""
    import datetime as dt

    from alembic import command
    from sqlalchemy import insert, inspect, select, text

    from toolkit.storage import tables as t
    from toolkit.storage.engine import make_engine
    from toolkit.storage.migrate import upgrade

    engine = make_engine(store_url)
    upgrade(engine, "0001")
    assert "misconceptions" not in {c["name"] for c in inspect(engine).get_columns("overrides")}
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        for table, row in [
            (t.cohorts, dict(id=1, code="ABC234", name="c", scenarios=[], retain_until=now,
                             closed=False, created_at=now)),
            (t.learners, dict(id="L-1", cohort_id=1, resume_key="K", created_at=now)),
            (t.attempts, dict(id=1, learner_id="L-1", cohort_id=1, scenario_id="s",
                              started_at=now)),
            (t.answers, dict(id=1, attempt_id=1, decision_id="d1", seq=0, answer={}, result={},
                             points=0, max_points=1, created_at=now)),
        ]:  # fmt: skip
            conn.execute(insert(table).values(**row))
        # The 0001 table has no misconceptions column, so name the columns it has.
        conn.execute(
            text(
                "INSERT INTO overrides (answer_id, trainer, concepts, points, reason, created_at)"
                " VALUES (1, 'T', '[]', 0, 'old', :now)"
            ),
            {"now": now},
        )
    upgrade(engine, "0002")
    assert current_revision(engine) == "0002"
    with engine.connect() as conn:
        old = conn.execute(select(t.overrides)).one()
    assert old.reason == "old" and old.misconceptions is None
    with open_store(store_url) as store:
        new = store.add_override(1, "T", [], 0, "new", misconceptions=["M-wait-for-proof"])
    assert new["misconceptions"] == ["M-wait-for-proof"]
    command.downgrade(alembic_config(engine), "0001")
    assert current_revision(engine) == "0001"
    assert "misconceptions" not in {c["name"] for c in inspect(engine).get_columns("overrides")}
    engine.dispose()


def test_0003_closes_older_duplicate_attempts_keeping_every_answer(store_url):
    """Does a database at 0002 holding two open attempts of one learner and scenario (the
    race) upgrade to 0003 with every attempt and answer kept, only the newest left open,
    a second open attempt then refused, and go back down to 0002?"""
    import datetime as dt

    from alembic import command
    from sqlalchemy import insert, inspect, select
    from sqlalchemy.exc import IntegrityError

    from toolkit.storage import tables as t
    from toolkit.storage.engine import make_engine
    from toolkit.storage.migrate import upgrade

    engine = make_engine(store_url)
    upgrade(engine, "0002")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    at = [start + dt.timedelta(minutes=m) for m in range(5)]
    attempt = dict(learner_id="L-1", scenario_id="sc-a", started_at=start)
    answer = dict(seq=0, answer={}, result={}, points=0, max_points=1)
    # fmt: off
    with engine.begin() as conn:
        conn.execute(insert(t.learners).values(id="L-1", resume_key="K", created_at=start))
        conn.execute(insert(t.attempts), [
            {**attempt, "id": 1, "finished_at": None},
            {**attempt, "id": 2, "finished_at": None},
            {**attempt, "id": 3, "finished_at": at[1]},
            {**attempt, "id": 4, "finished_at": None, "scenario_id": "sc-b"},
        ])
        conn.execute(insert(t.answers), [
            {**answer, "id": 1, "attempt_id": 1, "decision_id": "d1", "created_at": at[2]},
            {**answer, "id": 2, "attempt_id": 2, "decision_id": "d1", "created_at": at[3]},
            {**answer, "id": 3, "attempt_id": 1, "decision_id": "d2", "created_at": at[4]},
        ])
    # fmt: on

    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    with engine.connect() as conn:
        columns = (t.attempts.c.id, t.attempts.c.finished_at, t.attempts.c.ending)
        attempts = {r.id: r for r in conn.execute(select(*columns))}
        answers = conn.execute(select(t.answers.c.id)).scalars().all()
    assert sorted(answers) == [1, 2, 3], "no answer lost"
    assert sorted(i for i, r in attempts.items() if r.finished_at is None) == [2, 4]
    closed = attempts[1].finished_at
    closed = closed if closed.tzinfo else closed.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
    assert closed == at[4] and attempts[1].ending is None, "closed as of its last answer"
    with pytest.raises(IntegrityError, match="uq_attempts_one_open|attempts.learner_id"):
        with engine.begin() as conn:
            conn.execute(insert(t.attempts).values(id=10, **attempt))

    command.downgrade(alembic_config(engine), "0002")
    assert current_revision(engine) == "0002"
    indexes = {i["name"] for i in inspect(engine).get_indexes("attempts")}
    assert "uq_attempts_one_open" not in indexes
    with engine.begin() as conn:
        conn.execute(insert(t.attempts).values(id=11, **attempt))  # two open ones allowed again
    engine.dispose()
