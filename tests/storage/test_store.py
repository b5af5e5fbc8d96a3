"""The Store façade, run against SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from toolkit.errors import MissingEntry
from toolkit.storage import open_store
from toolkit.storage.keys import CODE_ALPHABET


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


def test_schema_matches_tables(store):
    """Does the Alembic migration create exactly the tables the code declares?"""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from toolkit.storage.tables import metadata

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert {"cohorts", "learners", "attempts", "answers", "overrides"} <= set(
        inspect(store.engine).get_table_names()
    )


def test_one_open_attempt_is_a_partial_index_in_the_database_and_the_tables(store):
    """The index that keeps one open attempt per learner and scenario holds only while the
    attempt is open, in the database and in what the code declares for its dialect."""
    from toolkit.storage.tables import one_open_attempt

    dialect = store.engine.dialect.name
    (index,) = [
        i
        for i in inspect(store.engine).get_indexes("attempts")
        if i["name"] == one_open_attempt.name
    ]
    assert index["unique"]
    where = index["dialect_options"].get(f"{dialect}_where")
    assert where is not None and "finished_at" in str(where)
    assert one_open_attempt.dialect_options[dialect]["where"] is not None


def test_a_kernel_on_sqlite_never_loads_the_postgresql_dialect(tmp_path):
    """A learner kernel attaches to the store the server migrated and writes to it; naming
    PostgreSQL's option on the index would import that dialect into every such kernel on SQLite
    (2 MiB), so the option is added only when a PostgreSQL engine is made."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).close()  # what the server does before any kernel starts
    code = (
        "import sys\n"
        "from toolkit.storage import attach_store\n"
        "from toolkit.storage.tables import one_open_attempt\n"
        f"store = attach_store({url!r}, wait=5)\n"
        "store.add_cohort('Room 1', ['sc-nursery-bruising'])\n"
        "store.close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')))\n"
        "print('postgresql_where' in list(one_open_attempt.dialect_kwargs))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["[]", "False"]


def test_upgrade_is_idempotent(store_url):
    """Can the store be opened twice on the same database without error?"""
    open_store(store_url).close()
    open_store(store_url).close()


def test_join_codes_are_readable(store):
    """Are join codes six characters with no easily confused letters?"""
    cohort = store.add_cohort("Room 1", ["sc-nursery-bruising"])
    assert len(cohort["code"]) == 6 and set(cohort["code"]) <= set(CODE_ALPHABET)
    assert store.find_cohort(cohort["code"].lower())["id"] == cohort["id"]


def test_answer_is_stored_exactly_once(store):
    """Does a repeated submit of the same decision keep the first answer only?"""
    learner = store.learner()
    attempt = store.open_attempt(learner["id"], "sc-x")
    first = store.record_answer(
        attempt["id"], "d1", {"choice": "a"}, {"points": 2, "max_points": 2}
    )
    again = store.record_answer(
        attempt["id"], "d1", {"choice": "b"}, {"points": 0, "max_points": 2}
    )
    assert again["id"] == first["id"] and again["answer"] == {"choice": "a"}
    assert [a["decision_id"] for a in store.answers(attempt["id"])] == ["d1"]


def test_resume_returns_the_open_attempt(store):
    """Does reopening a scenario resume the unfinished attempt, and start anew once finished?"""
    learner = store.learner()
    first = store.open_attempt(learner["id"], "sc-x")
    assert store.open_attempt(learner["id"], "sc-x")["id"] == first["id"]
    store.finish_attempt(first["id"], "e-good")
    assert store.open_attempt(learner["id"], "sc-x")["id"] != first["id"]


def test_learner_ids_are_pseudonymous(store):
    """Is a new learner given a random id that is not a name?"""
    ids = {store.learner()["id"] for _ in range(20)}
    assert len(ids) == 20 and all(i.startswith("L-") and len(i) == 12 for i in ids)


def test_remove_cohort_deletes_everything(store):
    """Does deleting a cohort remove its learners, attempts and answers?"""
    cohort = store.add_cohort("Room", ["sc-x"])
    learner = store.learner(cohort_code=cohort["code"])
    attempt = store.open_attempt(learner["id"], "sc-x")
    store.record_answer(attempt["id"], "d1", {"choice": "a"}, {"points": 1, "max_points": 2})
    assert len(store.cohort_answers(cohort["id"])) == 1
    assert store.remove_cohort(cohort["code"]) == 1
    with pytest.raises(MissingEntry):
        store.find_cohort(cohort["code"])
    assert store.attempts(learner["id"]) == []


def test_purge_only_past_retention(store):
    """Does purge delete cohorts past their retention date and keep the rest?"""
    old = store.add_cohort("Old", ["sc-x"], retain_days=1)
    new = store.add_cohort("New", ["sc-x"], retain_days=30)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert store.purge(later) == [old["code"]]
    assert store.find_cohort(new["code"])["name"] == "New"


def test_unknown_cohort_is_missing_entry(store):
    """Does joining with a wrong code give MissingEntry, not a crash?"""
    with pytest.raises(MissingEntry):
        store.learner(cohort_code="ZZZZZZ")


def test_resume_key_finds_learner(store):
    """Does the secret resume code bring back the same learner, and a wrong one nothing?"""
    learner = store.learner()
    assert store.learner_by_resume_key(learner["resume_key"].lower())["id"] == learner["id"]
    with pytest.raises(MissingEntry):
        store.learner_by_resume_key("AAAA-BBBB-CCCC-DDDD")


def _answered(store, name="Room", decision="d1"):
    cohort = store.add_cohort(name, ["sc-x"])
    learner = store.learner(cohort_code=cohort["code"], display_name="Sam")
    attempt = store.open_attempt(learner["id"], "sc-x")
    answer = store.record_answer(
        attempt["id"],
        decision,
        {"choice": "a", "rationale": "why"},
        {"points": 3, "max_points": 4, "concepts": ["C-timely"]},
    )
    return cohort, learner, attempt, answer


def test_override_is_kept_beside_the_automatic_result(store):
    """Does an override leave the stored result untouched, and the latest one come last?"""
    cohort, _, attempt, answer = _answered(store)
    store.add_override(answer["id"], "trainer", ["C-risk-of-harm"], 1.0, "first look")
    later = store.add_override(answer["id"], "trainer", ["C-objective"], 2.0, "on reflection")
    assert later["reason"] == "on reflection" and later["concepts"] == ["C-objective"]
    assert store.answer(attempt["id"], "d1")["result"]["concepts"] == ["C-timely"]
    by_cohort = store.overrides(cohort_id=cohort["id"])
    assert [o["reason"] for o in by_cohort] == ["first look", "on reflection"]
    assert store.overrides(attempt_id=attempt["id"]) == by_cohort


def test_overrides_stay_within_their_cohort(store):
    """Are one cohort's overrides invisible when asking about another cohort?"""
    first, _, _, answer = _answered(store, "A")
    second, *_ = _answered(store, "B")
    store.add_override(answer["id"], "t", [], 0, "none shown")
    assert len(store.overrides(cohort_id=first["id"])) == 1
    assert store.overrides(cohort_id=second["id"]) == []


def test_override_of_unknown_answer_is_missing_entry(store):
    """Is overriding an answer that does not exist refused with MissingEntry?"""
    with pytest.raises(MissingEntry):
        store.add_override(999_999, "t", [], 0, "no such answer")


def test_cohort_activity_hides_resume_keys(store):
    """Do the cohort's learners, attempts and answers come back without any resume key?"""
    cohort, learner, attempt, answer = _answered(store)
    learners = store.cohort_learners(cohort["id"])
    assert [row["id"] for row in learners] == [learner["id"]]
    assert all("resume_key" not in row for row in learners)
    assert [a["id"] for a in store.cohort_attempts(cohort["id"])] == [attempt["id"]]
    rows = store.cohort_answers(cohort["id"])
    assert rows[0]["display_name"] == "Sam" and "resume_key" not in rows[0]
    found = store.find_answer(answer["id"])
    assert (found["cohort_id"], found["learner_id"]) == (cohort["id"], learner["id"])


def test_nobody_joins_a_closed_cohort(store):
    """Is joining a closed cohort, or one past its closing time, refused with nothing
    created, while its learners can still be found?"""
    import datetime as dt

    from toolkit.errors import AccessDenied

    room = store.add_cohort("Room", ["sc-x"])
    member = store.learner(cohort_code=room["code"])
    store.close_cohort(room["code"])
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    expired = store.add_cohort("Yesterday", ["sc-x"], closes_at=past)
    for code in (room["code"], expired["code"]):
        with pytest.raises(AccessDenied, match="closed"):
            store.learner(cohort_code=code, display_name="Late")
    assert store.learner(member["id"])["cohort_id"] == room["id"], "members still resume"
    assert [r["id"] for r in store.cohort_learners(room["id"])] == [member["id"]]
    assert store.cohort_learners(expired["id"]) == []
