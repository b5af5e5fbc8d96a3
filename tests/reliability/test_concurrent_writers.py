"""Twenty learners saving at once: no errors, every answer once, and one winner in a race.

Each writer is a process, as each learner's kernel is. They start together behind a barrier
and save their answers as fast as they can; then all of them submit the same decision of
one shared attempt at the same moment (a double-clicked Submit in twenty tabs). Runs on
SQLite and on PostgreSQL (see tests/conftest.py). Latencies are printed (`pytest -s`) and
reported in docs/security.md.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from typing import Any

import pytest

from toolkit.storage import open_store
from toolkit.storage.store import Store

WRITERS = 20
ANSWERS = 10  # per writer
RESULT = {"points": 1.0, "max_points": 2.0, "feedback": ["Shared without delay (S5)."]}

pytestmark = pytest.mark.timeout(300)


def _writer(url: str, number: int, race_attempt: int, barrier: Any, out: Any) -> None:
    """One learner: own attempt, ANSWERS saves, then the shared race; reports to `out`."""
    store = Store(url, create=False)
    latencies, errors = [], []
    try:
        learner = store.learner()
        attempt = store.open_attempt(learner["id"], "sc-fault-drill")
        barrier.wait(60)
        for i in range(ANSWERS):
            began = time.perf_counter()
            try:
                store.record_answer(attempt["id"], f"d{i}", {"choice": "a", "n": number}, RESULT)
            except Exception as exc:  # noqa: BLE001 - counted, not raised: the test reports all
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - began)
        barrier.wait(60)
        won = store.record_answer(race_attempt, "race", {"choice": "a", "n": number}, RESULT)
        out.put((number, attempt["id"], latencies, errors, won["answer"]["n"]))
    except Exception as exc:  # noqa: BLE001
        out.put((number, None, latencies, [*errors, repr(exc)], None))
    finally:
        store.close()


def run_writers(url: str) -> tuple[list[tuple], Store, int]:
    store = open_store(url)
    race = store.open_attempt(store.learner()["id"], "sc-fault-drill")["id"]
    context = mp.get_context("fork")
    barrier, out = context.Barrier(WRITERS), context.Queue()
    procs = [
        context.Process(target=_writer, args=(url, n, race, barrier, out)) for n in range(WRITERS)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(30)
    return results, store, race


def test_twenty_writers_lose_nothing(store_url):
    """Do 20 concurrent writers save every answer once, with no error, one race winner?"""
    results, store, race = run_writers(store_url)

    errors = [e for r in results for e in r[3]]
    assert errors == [], errors[:3]
    for number, attempt, *_ in results:
        decisions = [a["decision_id"] for a in store.answers(attempt)]
        assert decisions == [f"d{i}" for i in range(ANSWERS)], number
    (stored,) = store.answers(race)
    assert {r[4] for r in results} == {stored["answer"]["n"]}, "everyone sees the one winner"

    times = sorted(t for r in results for t in r[2])
    p50, p99 = statistics.median(times), times[int(0.99 * (len(times) - 1))]
    backend = store_url.split(":", 1)[0]
    worst = times[-1]
    print(
        f"\n{backend}: {len(times)} saves by {WRITERS} writers, 0 errors; "
        f"median {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms, max {1000 * worst:.0f} ms"
    )
    store.close()
