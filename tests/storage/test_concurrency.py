"""A workshop room's worth of writers at once: 30 learner processes × 20 answers each.

Run against SQLite (WAL, busy timeout, BEGIN IMMEDIATE for writes) and PostgreSQL. Each
learner also re-submits every answer once, as a double-click or a dropped connection would:
the store must keep exactly one copy, the first.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter

import pytest

from toolkit.storage import Store, open_store

LEARNERS = 30
ANSWERS = 20
pytestmark = pytest.mark.timeout(300)


def learner_process(url: str, code: str, number: int, barrier, errors) -> None:
    """One learner: join, open an attempt, then submit (and re-submit) 20 answers."""
    try:
        store = Store(url, create=False)
        learner = store.learner(cohort_code=code, display_name=f"Learner {number}")
        attempt = store.open_attempt(learner["id"], "sc-load")
        barrier.wait(timeout=120)  # everyone writes at the same moment
        for i in range(ANSWERS):
            answer = {"decision": f"d{i}", "choice": "a", "rationale": f"{number}:{i}"}
            result = {"points": i % 3, "max_points": 2, "concepts": [], "misconceptions": []}
            first = store.record_answer(attempt["id"], f"d{i}", answer, result)
            retry = {**answer, "rationale": "a retried submit must not replace the first"}
            again = store.record_answer(attempt["id"], f"d{i}", retry, result)
            if again["id"] != first["id"] or again["answer"] != answer:
                errors.put(f"learner {number} d{i}: retry changed the stored answer")
        store.finish_attempt(attempt["id"], "e-end")
        store.close()
    except Exception:  # noqa: BLE001 - report every failure to the parent test
        errors.put(f"learner {number}:\n{traceback.format_exc()}")


def test_thirty_learners_twenty_answers_each(store_url):
    """With 30 processes writing at once, is every answer stored exactly once, none lost?"""
    with open_store(store_url) as store:
        code = store.add_cohort("Load test", ["sc-load"])["code"]
    # fork: the children start with toolkit already imported (spawning 30 interpreters on a
    # small CI machine costs more than the writes being tested).
    context = multiprocessing.get_context("fork")
    barrier, errors = context.Barrier(LEARNERS), context.Queue()
    processes = [
        context.Process(target=learner_process, args=(store_url, code, n, barrier, errors))
        for n in range(LEARNERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    stuck = [p.pid for p in processes if p.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not stuck, f"learner processes still running: {stuck}"
    assert problems == [], "\n".join(problems[:3])
    assert [p.exitcode for p in processes] == [0] * LEARNERS

    with open_store(store_url) as store:
        cohort = store.find_cohort(code)
        rows = store.cohort_answers(cohort["id"])
        attempts = store.cohort_attempts(cohort["id"])
    assert len(attempts) == LEARNERS and all(a["ending"] == "e-end" for a in attempts)
    assert len(rows) == LEARNERS * ANSWERS
    pairs = Counter((r["learner_id"], r["decision_id"]) for r in rows)
    assert set(pairs.values()) == {1}
    texts = sorted(r["rationale"] for r in rows)
    assert texts == sorted(f"{n}:{i}" for n in range(LEARNERS) for i in range(ANSWERS))
    for row in rows:
        assert row["seq"] == int(row["decision_id"][1:]), "answers kept in submission order"
