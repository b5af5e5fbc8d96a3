"""One learner's personal data: all of it on request, erased on request or when unattached too long.

Learners are pseudonymous (a random id, a display name only if they give one), but their
rationales are their own words, so the operator must be able to hand a learner everything
stored about them, and to erase it. Cohorts are deleted with their learners at their
retention date (``Store.purge``); a learner who played without a cohort has no retention
date of their own, so ``purge_unattached`` removes those older than the retention period.
The resume code is left out of the record: it is a key, not information about the learner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from toolkit.errors import MissingEntry
from toolkit.storage import tables as t
from toolkit.storage.store import Store

RECORD_VERSION = 1


def _plain(value: Any) -> Any:
    """JSON-ready: datetimes as ISO 8601 text; everything else as stored."""
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _rows(rows: list[Any], leave_out: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row._mapping.items() if k not in leave_out} for row in rows]


def find_learner(store: Store, who: str) -> str:
    """The id of the learner named by ``who``: their id (``L-…``) or their own resume code.
    MissingEntry when there is no such learner (nothing is created)."""
    who = who.strip()
    if not who.upper().startswith("L-"):
        return store.learner_by_resume_key(who)["id"]
    with store.engine.connect() as conn:
        found = conn.execute(select(t.learners.c.id).where(t.learners.c.id == who)).scalar()
    if found is None:
        raise MissingEntry(f"no learner {who!r}")
    return found


def learner_record(store: Store, learner_id: str) -> dict[str, Any]:
    """Everything stored about one learner, JSON-ready; MissingEntry if there is no such learner.

    Holds the learner row (without the resume code), every attempt, every answer with its
    rationale and result, and every trainer override of those answers (who, when, why).
    """
    with store.engine.connect() as conn:
        learner = conn.execute(select(t.learners).where(t.learners.c.id == learner_id)).all()
        if not learner:
            raise MissingEntry(f"no learner {learner_id!r}")
        attempt_ids = select(t.attempts.c.id).where(t.attempts.c.learner_id == learner_id)
        answer_ids = select(t.answers.c.id).where(t.answers.c.attempt_id.in_(attempt_ids))
        attempts = conn.execute(
            select(t.attempts)
            .where(t.attempts.c.learner_id == learner_id)
            .order_by(t.attempts.c.id)
        ).all()
        answers = conn.execute(
            select(t.answers)
            .where(t.answers.c.attempt_id.in_(attempt_ids))
            .order_by(t.answers.c.id)
        ).all()
        overrides = conn.execute(
            select(t.overrides)
            .where(t.overrides.c.answer_id.in_(answer_ids))
            .order_by(t.overrides.c.id)
        ).all()
        # An LMS learner's id at their platform (issue 14); the SCORM secret is a key, left out.
        identities = conn.execute(
            select(t.lms_learners.c.issuer, t.lms_learners.c.subject, t.lms_learners.c.created_at)
            .where(t.lms_learners.c.learner_id == learner_id)
            .order_by(t.lms_learners.c.id)
        ).all()
    return {
        "record_version": RECORD_VERSION,
        "learner": _rows(learner, leave_out=("resume_key",))[0],
        "attempts": _rows(attempts),
        "answers": _rows(answers),
        "overrides": _rows(overrides),
        "lms_identities": _rows(identities),
    }


def forget_learner(store: Store, learner_id: str) -> int:
    """Erase one learner and everything they gave; the number of rows deleted (0 if unknown)."""
    with store.writing() as conn:
        return _delete_learners(conn, [learner_id])


def purge_unattached(store: Store, before: dt.datetime) -> list[str]:
    """Erase learners in no cohort who started before ``before``; returns their ids."""
    with store.writing() as conn:
        rows = conn.execute(
            select(t.learners.c.id, t.learners.c.created_at).where(t.learners.c.cohort_id.is_(None))
        ).all()
        due = [r.id for r in rows if _aware(r.created_at) < before]
        _delete_learners(conn, due)
    return due


def _delete_learners(conn: Any, learner_ids: list[str]) -> int:
    if not learner_ids:
        return 0
    attempt_ids = select(t.attempts.c.id).where(t.attempts.c.learner_id.in_(learner_ids))
    answer_ids = select(t.answers.c.id).where(t.answers.c.attempt_id.in_(attempt_ids))
    # Children first: SQLite enforces the foreign keys only with PRAGMA foreign_keys=ON.
    statements = [
        delete(t.overrides).where(t.overrides.c.answer_id.in_(answer_ids)),
        delete(t.answers).where(t.answers.c.attempt_id.in_(attempt_ids)),
        delete(t.attempts).where(t.attempts.c.learner_id.in_(learner_ids)),
        delete(t.learners).where(t.learners.c.id.in_(learner_ids)),
    ]
    return sum(conn.execute(statement).rowcount for statement in statements)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
