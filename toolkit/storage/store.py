"""The Store: the one façade over the database. Widgets and apps never touch SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit.errors import AccessDenied, MissingEntry
from toolkit.storage import tables as t
from toolkit.storage.clean import clean_json, clean_optional, clean_text
from toolkit.storage.engine import make_engine, writer
from toolkit.storage.keys import new_join_code, new_learner_id, new_resume_key


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping) if row is not None else None


class Store:
    """Cohorts, learners, attempts, answers and overrides behind fixed verbs.

    Every write is its own short transaction (BEGIN IMMEDIATE on SQLite), so an answer is
    durable the moment ``record_answer`` returns. Reads begin deferred and, under SQLite's
    WAL, never wait for a writer.
    """

    def __init__(self, url: str, create: bool = True):
        self.url = url
        self.engine = make_engine(url)
        self._writer = writer(self.engine)
        if create:
            self.upgrade()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (creates it on an empty database)."""
        from toolkit.storage.migrate import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, committed on leaving (BEGIN IMMEDIATE on SQLite)."""
        with self._writer.begin() as conn:
            yield conn

    # Cohorts ---------------------------------------------------------------------------
    def add_cohort(
        self,
        name: str,
        scenarios: list[str],
        retain_days: int = 90,
        closes_at: dt.datetime | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """Create a cohort with a fresh join code; retries on the rare code collision.

        ``language`` is the interface language its learners get by default (None: English).
        """
        created = now()
        for _ in range(10):
            values = dict(
                code=new_join_code(),
                name=clean_text(name),
                scenarios=list(scenarios),
                closed=False,
                opens_at=created,
                closes_at=closes_at,
                created_at=created,
                retain_until=created + dt.timedelta(days=retain_days),
                language=language,
            )
            try:
                with self.writing() as conn:
                    conn.execute(insert(t.cohorts).values(**values))
                return self.find_cohort(values["code"])
            except IntegrityError:
                continue
        raise RuntimeError("could not find a free join code")

    def find_cohort(self, code: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.cohorts).where(t.cohorts.c.code == code.upper())).first()
        if row is None:
            raise MissingEntry(f"no cohort with join code {code!r}")
        return _row(row)

    def list_cohorts(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.cohorts).order_by(t.cohorts.c.created_at)).all()
        return [_row(r) for r in rows]

    def close_cohort(self, code: str) -> None:
        cohort = self.find_cohort(code)
        with self.writing() as conn:
            conn.execute(
                update(t.cohorts).where(t.cohorts.c.id == cohort["id"]).values(closed=True)
            )

    def remove_cohort(self, code: str) -> int:
        """Delete a cohort and everything its learners gave; returns learners deleted."""
        cohort = self.find_cohort(code)
        return self._delete_cohorts([cohort["id"]])

    def purge(self, when: dt.datetime | None = None) -> list[str]:
        """Delete every cohort whose retention date has passed; returns their codes."""
        when = when or now()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.cohorts.c.id, t.cohorts.c.code, t.cohorts.c.retain_until)
            ).all()
        due = [r for r in rows if _aware(r.retain_until) <= when]
        self._delete_cohorts([r.id for r in due])
        return [r.code for r in due]

    def _delete_cohorts(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with self.writing() as conn:
            learner_ids = select(t.learners.c.id).where(t.learners.c.cohort_id.in_(ids))
            attempt_ids = select(t.attempts.c.id).where(
                t.attempts.c.learner_id.in_(learner_ids) | t.attempts.c.cohort_id.in_(ids)
            )
            answer_ids = select(t.answers.c.id).where(t.answers.c.attempt_id.in_(attempt_ids))
            conn.execute(delete(t.overrides).where(t.overrides.c.answer_id.in_(answer_ids)))
            conn.execute(delete(t.answers).where(t.answers.c.attempt_id.in_(attempt_ids)))
            conn.execute(delete(t.attempts).where(t.attempts.c.id.in_(attempt_ids)))
            gone = conn.execute(delete(t.learners).where(t.learners.c.cohort_id.in_(ids))).rowcount
            conn.execute(delete(t.cohorts).where(t.cohorts.c.id.in_(ids)))
        return gone

    # Learners and attempts ------------------------------------------------------------
    def learner(
        self,
        learner_id: str | None = None,
        cohort_code: str | None = None,
        display_name: str | None = None,
    ) -> dict[str, Any]:
        """The learner with this id, created if new (with a fresh id when none is given).

        A new learner joins ``cohort_code`` only while that cohort is open (AccessDenied
        otherwise), checked in the transaction that adds them: a page opened before the
        cohort closed cannot join it. MissingEntry when there is no such cohort.
        """
        learner_id = learner_id or new_learner_id()
        with self.engine.connect() as conn:
            row = conn.execute(select(t.learners).where(t.learners.c.id == learner_id)).first()
        if row is not None:
            return _row(row)
        try:
            with self.writing() as conn:
                cohort_id = _joinable(conn, cohort_code)["id"] if cohort_code else None
                conn.execute(
                    insert(t.learners).values(
                        id=learner_id,
                        cohort_id=cohort_id,
                        display_name=clean_optional(display_name),
                        resume_key=new_resume_key(),
                        created_at=now(),
                    )
                )
        except IntegrityError:
            pass  # created by a concurrent request: read it back below
        with self.engine.connect() as conn:
            return _row(
                conn.execute(select(t.learners).where(t.learners.c.id == learner_id)).first()
            )

    def learner_by_resume_key(self, key: str) -> dict[str, Any]:
        """The learner holding this resume code; MissingEntry when none does."""
        key = key.strip().upper()
        with self.engine.connect() as conn:
            row = conn.execute(select(t.learners).where(t.learners.c.resume_key == key)).first()
        if row is None:
            raise MissingEntry("no learner with that resume code")
        return _row(row)

    def open_attempt(
        self, learner_id: str, scenario_id: str, language: str | None = None
    ) -> dict[str, Any]:
        """The learner's unfinished attempt at a scenario, or a new one: resuming is free.

        A new attempt remembers ``language``, the interface language it was started in; a
        resumed one keeps the language it has (see ``set_attempt_language``).

        Resuming only reads, so it never waits for another process's write. A unique index
        allows one unfinished attempt per learner and scenario, so two tabs pressing Start
        at once share one: the second insert fails and reads the first tab's attempt.
        """
        with self.engine.connect() as conn:
            row = conn.execute(_open_attempt(learner_id, scenario_id)).first()
        if row is not None:
            return _row(row)
        try:
            with self.writing() as conn:
                cohort_id = conn.execute(
                    select(t.learners.c.cohort_id).where(t.learners.c.id == learner_id)
                ).scalar()
                new_id = conn.execute(
                    insert(t.attempts).values(
                        learner_id=learner_id,
                        cohort_id=cohort_id,
                        scenario_id=scenario_id,
                        started_at=now(),
                        language=language,
                    )
                ).inserted_primary_key[0]
                query = select(t.attempts).where(t.attempts.c.id == new_id)
                return _row(conn.execute(query).first())
        except IntegrityError:
            with self.engine.connect() as conn:
                row = conn.execute(_open_attempt(learner_id, scenario_id)).first()
            if row is None:  # not the race: no such learner
                raise
            return _row(row)

    def set_attempt_language(self, attempt_id: int, language: str) -> None:
        """Remember the interface language the learner switched to on this attempt."""
        with self.writing() as conn:
            conn.execute(
                update(t.attempts).where(t.attempts.c.id == attempt_id).values(language=language)
            )

    def finish_attempt(self, attempt_id: int, ending: str) -> None:
        with self.writing() as conn:
            conn.execute(
                update(t.attempts)
                .where(t.attempts.c.id == attempt_id)
                .values(finished_at=now(), ending=ending)
            )

    def attempts(self, learner_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.attempts)
                .where(t.attempts.c.learner_id == learner_id)
                .order_by(t.attempts.c.id)
            ).all()
        return [_row(r) for r in rows]

    # Answers ---------------------------------------------------------------------------
    def record_answer(
        self,
        attempt_id: int,
        decision_id: str,
        answer: dict[str, Any],
        result: dict[str, Any],
    ) -> dict[str, Any]:
        """Store one answer now, exactly once: a repeat for the same decision returns the first.

        Once the insert has committed, the row is returned as written, without reading it
        back: a read that failed then (a lock, a dropped connection) would report a saved
        answer as lost.
        """
        answer, result = clean_json(answer), clean_json(result)
        values = dict(
            attempt_id=attempt_id,
            decision_id=decision_id,
            answer=answer,
            rationale=answer.get("rationale"),
            result=result,
            points=float(result.get("points", 0)),
            max_points=float(result.get("max_points", 0)),
            created_at=now(),
        )
        try:
            with self.writing() as conn:
                seq = len(
                    conn.execute(
                        select(t.answers.c.id).where(t.answers.c.attempt_id == attempt_id)
                    ).all()
                )
                new_id = conn.execute(
                    insert(t.answers).values(seq=seq, **values)
                ).inserted_primary_key[0]
        except IntegrityError:  # answered already (a retried Submit): the first one stands
            return self.answer(attempt_id, decision_id)
        return {"id": new_id, "seq": seq, **values}

    def answer(self, attempt_id: int, decision_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.answers)
                .where(t.answers.c.attempt_id == attempt_id)
                .where(t.answers.c.decision_id == decision_id)
            ).first()
        if row is None:
            raise MissingEntry(f"no answer to {decision_id} in attempt {attempt_id}")
        return _row(row)

    def answers(self, attempt_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.answers)
                .where(t.answers.c.attempt_id == attempt_id)
                .order_by(t.answers.c.seq)
            ).all()
        return [_row(r) for r in rows]

    def cohort_answers(self, cohort_id: int, after_id: int = 0) -> list[dict[str, Any]]:
        """Every answer in a cohort joined with its attempt and learner: the dashboard's input.

        ``after_id`` keeps only answers stored after that one: answers never change, so a
        dashboard refresh need only read the new ones.
        """
        query = (
            select(
                t.answers,
                t.attempts.c.learner_id,
                t.attempts.c.scenario_id,
                t.attempts.c.ending,
                t.attempts.c.finished_at,
                t.learners.c.display_name,
            )
            .join(t.attempts, t.answers.c.attempt_id == t.attempts.c.id)
            .join(t.learners, t.attempts.c.learner_id == t.learners.c.id)
            .where(t.attempts.c.cohort_id == cohort_id)
            .where(t.answers.c.id > after_id)
            .order_by(t.answers.c.id)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    def find_answer(self, answer_id: int) -> dict[str, Any]:
        """One answer with its attempt's learner, scenario and cohort; MissingEntry if none."""
        query = (
            select(
                t.answers, t.attempts.c.learner_id, t.attempts.c.scenario_id, t.attempts.c.cohort_id
            )
            .join(t.attempts, t.answers.c.attempt_id == t.attempts.c.id)
            .where(t.answers.c.id == answer_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise MissingEntry(f"no answer with id {answer_id}")
        return _row(row)

    # A cohort's activity: what the trainer's dashboard reads ------------------------------
    def cohort_learners(self, cohort_id: int) -> list[dict[str, Any]]:
        """The cohort's learners, oldest first. Resume keys stay out: trainers never see them."""
        query = (
            select(t.learners.c.id, t.learners.c.display_name, t.learners.c.created_at)
            .where(t.learners.c.cohort_id == cohort_id)
            .order_by(t.learners.c.created_at, t.learners.c.id)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    def cohort_attempts(self, cohort_id: int) -> list[dict[str, Any]]:
        """Every attempt made in the cohort (finished or not), oldest first."""
        query = (
            select(t.attempts).where(t.attempts.c.cohort_id == cohort_id).order_by(t.attempts.c.id)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    # Trainer overrides ---------------------------------------------------------------------
    def add_override(
        self,
        answer_id: int,
        trainer: str,
        concepts: list[str],
        points: float,
        reason: str,
        misconceptions: list[str] | None = None,
    ) -> dict[str, Any]:
        """Store a trainer's judgement beside an answer's automatic result (which is kept).

        ``misconceptions`` None leaves the rationale's misconceptions as scored. Overrides
        are never edited: a later one for the same answer supersedes the earlier, so the
        history of who changed what, when and why stays in the table.
        """
        self.find_answer(answer_id)
        with self.writing() as conn:
            new_id = conn.execute(
                insert(t.overrides).values(
                    answer_id=answer_id,
                    trainer=clean_text(trainer),
                    concepts=list(concepts),
                    misconceptions=None if misconceptions is None else list(misconceptions),
                    points=float(points),
                    reason=clean_text(reason),
                    created_at=now(),
                )
            ).inserted_primary_key[0]
            return _row(conn.execute(select(t.overrides).where(t.overrides.c.id == new_id)).first())

    def overrides(
        self,
        *,
        cohort_id: int | None = None,
        attempt_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Overrides of a cohort's or an attempt's answers, oldest first (the last one counts)."""
        query = (
            select(t.overrides)
            .join(t.answers, t.overrides.c.answer_id == t.answers.c.id)
            .join(t.attempts, t.answers.c.attempt_id == t.attempts.c.id)
            .order_by(t.overrides.c.id)
        )
        if cohort_id is not None:
            query = query.where(t.attempts.c.cohort_id == cohort_id)
        if attempt_id is not None:
            query = query.where(t.attempts.c.id == attempt_id)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    def moderated_rationales(self, cohort_id: int | None = None) -> list[dict[str, Any]]:
        """Every override with the rationale it judged and its cohort, oldest first.

        What a trainer's moderation teaches the detector: the text, the trainer's concepts
        and misconceptions (None: as scored), the scored result, the cohort's code, when.
        """
        query = (
            select(
                t.overrides,
                t.answers.c.rationale,
                t.answers.c.result,
                t.cohorts.c.code.label("cohort"),
            )
            .join(t.answers, t.overrides.c.answer_id == t.answers.c.id)
            .join(t.attempts, t.answers.c.attempt_id == t.attempts.c.id)
            .outerjoin(t.cohorts, t.attempts.c.cohort_id == t.cohorts.c.id)
            .order_by(t.overrides.c.id)
        )
        if cohort_id is not None:
            query = query.where(t.attempts.c.cohort_id == cohort_id)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]


def cohort_open(cohort: dict[str, Any], when: dt.datetime | None = None) -> bool:
    """May new learners join the cohort? Not once closed, nor past its closing time."""
    closes = cohort.get("closes_at")
    return not cohort["closed"] and (closes is None or _aware(closes) > (when or now()))


def _joinable(conn: Connection, code: str) -> dict[str, Any]:
    """The cohort a new learner is joining, read under a share lock (PostgreSQL) so that a
    concurrent close waits for the join or the join sees the close; AccessDenied if closed."""
    query = select(t.cohorts).where(t.cohorts.c.code == code.upper()).with_for_update(read=True)
    cohort = _row(conn.execute(query).first())
    if cohort is None:
        raise MissingEntry(f"no cohort with join code {code!r}")
    if not cohort_open(cohort):
        raise AccessDenied(f"cohort {cohort['code']} is closed to new learners")
    return cohort


def _open_attempt(learner_id: str, scenario_id: str) -> Select:
    return (
        select(t.attempts)
        .where(t.attempts.c.learner_id == learner_id)
        .where(t.attempts.c.scenario_id == scenario_id)
        .where(t.attempts.c.finished_at.is_(None))
        .order_by(t.attempts.c.id.desc())
    )


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def open_store(url: str) -> Store:
    """The Store for a database URL (SQLite file or PostgreSQL), schema brought up to date."""
    return Store(url)


def attach_store(url: str, wait: float) -> Store:
    """The Store for a database whose schema the server keeps up to date: never migrates.

    Waits up to ``wait`` seconds for the database to answer at the newest revision (it may
    be down, or the server still migrating it); StoreUnavailable after that. Under SQLite's
    WAL this only reads, so another process's write lock does not hold it up (issue 15: a
    kernel that migrated read a locked database as empty, and its Alembic upgrade failed).
    """
    from toolkit.storage.migrate import wait_for_schema

    store = Store(url, create=False)
    try:
        wait_for_schema(store.engine, wait)
    except BaseException:
        store.close()
        raise
    return store
