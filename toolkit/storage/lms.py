"""The LMS routes' records: platforms, OIDC state, courses, links, LMS learners, tickets, grades.

Functions over a ``Store`` (as ``personal.py``), each its own short transaction. What they
keep and why:

- An LMS learner is the platform's ``sub`` within its issuer (or a SCORM package's student
  id), mapped to one of our pseudonymous learners per course; names and e-mails the platform
  may send are never read. Erasing the learner (or purging the course's cohort) removes the
  mapping, its tickets and its pending grades with it (foreign keys cascade).
- A ticket hands a validated launch to a page. The page's address carries the ticket, so
  only its SHA-256 digest is stored; it is taken once, within seconds, by an update that only
  one taker can win.
- A finished LTI attempt's grade waits in ``lms_grades`` until the platform has taken it; a
  failed post moves ``next_try_at`` on and never touches the attempt or its answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from toolkit.errors import MissingEntry, SafeShareError
from toolkit.storage import tables as t
from toolkit.storage.clean import clean_text
from toolkit.storage.store import Store, now

TICKET_KINDS = ("learner", "instructor", "status")


class TicketRefused(SafeShareError):
    """A ticket that is unknown, already used, expired or of another kind."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _row(row: Any) -> dict[str, Any] | None:
    return dict(row._mapping) if row is not None else None


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# Platforms -------------------------------------------------------------------------------
def add_platform(store: Store, **fields: Any) -> dict[str, Any]:
    """Register an LTI 1.3 platform (issuer, client_id, name, auth_login_url, auth_token_url,
    key_set_url, deployment_ids, optional auth_audience); a known issuer and client id get
    the new values and the union of deployment ids. Returns the stored row."""
    found = find_platform(store, fields["issuer"], fields["client_id"])
    with store.writing() as conn:
        if found is None:
            conn.execute(insert(t.lti_platforms).values(created_at=now(), **fields))
        else:
            ids = list(dict.fromkeys([*found["deployment_ids"], *fields["deployment_ids"]]))
            conn.execute(
                update(t.lti_platforms)
                .where(t.lti_platforms.c.id == found["id"])
                .values(**{**fields, "deployment_ids": ids})
            )
    return find_platform(store, fields["issuer"], fields["client_id"])


def find_platform(store: Store, issuer: str, client_id: str | None) -> dict[str, Any] | None:
    query = select(t.lti_platforms).where(
        t.lti_platforms.c.issuer == issuer, t.lti_platforms.c.client_id == (client_id or "")
    )
    with store.engine.connect() as conn:
        return _row(conn.execute(query).first())


def platforms(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(t.lti_platforms).order_by("id")).all()]


def remove_platform(store: Store, issuer: str, client_id: str) -> bool:
    with store.writing() as conn:
        gone = conn.execute(
            delete(t.lti_platforms).where(
                t.lti_platforms.c.issuer == issuer, t.lti_platforms.c.client_id == client_id
            )
        ).rowcount
    return bool(gone)


# Short-lived OIDC state -------------------------------------------------------------------
def put_state(store: Store, key: str, value: Any, seconds: float) -> None:
    """Keep ``value`` under ``key`` for ``seconds`` (replacing any value there)."""
    expires = now() + dt.timedelta(seconds=seconds)
    with store.writing() as conn:
        conn.execute(delete(t.lti_state).where(t.lti_state.c.key == key))
        conn.execute(insert(t.lti_state).values(key=key, value=value, expires_at=expires))


def get_state(store: Store, key: str) -> Any:
    """The value under ``key`` while it lasts, else None."""
    with store.engine.connect() as conn:
        row = conn.execute(select(t.lti_state).where(t.lti_state.c.key == key)).first()
    if row is None or _aware(row.expires_at) <= now():
        return None
    return row.value


def take_state(store: Store, key: str) -> Any:
    """The value under ``key``, removed in the same transaction: a second taker gets None.
    Nonces are taken this way, so a replayed launch finds nothing."""
    with store.writing() as conn:
        row = conn.execute(select(t.lti_state).where(t.lti_state.c.key == key)).first()
        if row is None:
            return None
        conn.execute(delete(t.lti_state).where(t.lti_state.c.key == key))
    return None if _aware(row.expires_at) <= now() else row.value


def forget_expired(store: Store) -> int:
    """Delete expired OIDC state and tickets; the number of rows deleted."""
    when = now()
    with store.writing() as conn:
        state = conn.execute(delete(t.lti_state).where(t.lti_state.c.expires_at <= when))
        tickets = conn.execute(delete(t.lms_tickets).where(t.lms_tickets.c.expires_at <= when))
    return state.rowcount + tickets.rowcount


# Courses, links and learners --------------------------------------------------------------
def course_cohort(
    store: Store,
    issuer: str,
    deployment_id: str,
    context_id: str,
    title: str,
    retain_days: int,
) -> dict[str, Any]:
    """The cohort holding an LMS course's learners, made on the course's first launch (and
    again after the old one was purged). Its row carries ``course_id``."""
    where = and_(
        t.lms_courses.c.issuer == issuer,
        t.lms_courses.c.deployment_id == deployment_id,
        t.lms_courses.c.context_id == context_id,
    )
    query = select(t.cohorts, t.lms_courses.c.id.label("course_id")).join(
        t.lms_courses, t.lms_courses.c.cohort_id == t.cohorts.c.id
    )
    with store.engine.connect() as conn:
        found = _row(conn.execute(query.where(where)).first())
    if found is not None:
        return found
    cohort = store.add_cohort(clean_text(title)[:200] or "LMS course", [], retain_days)
    try:
        with store.writing() as conn:
            conn.execute(
                insert(t.lms_courses).values(
                    issuer=issuer,
                    deployment_id=deployment_id,
                    context_id=context_id,
                    cohort_id=cohort["id"],
                )
            )
    except IntegrityError:  # a launch of the same course at the same moment made it first
        store.remove_cohort(cohort["code"])
    with store.engine.connect() as conn:
        return _row(conn.execute(query.where(where)).first())


def save_link(
    store: Store,
    issuer: str,
    deployment_id: str,
    resource_link_id: str,
    scenario_id: str,
    *,
    title: str | None = None,
    ags: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record (or update) an LMS placement of a scenario; returns the row."""
    key = dict(issuer=issuer, deployment_id=deployment_id, resource_link_id=resource_link_id)
    values = dict(scenario_id=scenario_id, title=title, ags=ags, updated_at=now())
    where = and_(*(getattr(t.lms_links.c, k) == v for k, v in key.items()))
    for _ in range(2):
        with store.engine.connect() as conn:
            found = conn.execute(select(t.lms_links.c.id).where(where)).scalar()
        try:
            with store.writing() as conn:
                if found is None:
                    conn.execute(insert(t.lms_links).values(**key, **values))
                else:
                    conn.execute(update(t.lms_links).where(where).values(**values))
            break
        except IntegrityError:  # inserted by a concurrent launch: update it instead
            continue
    with store.engine.connect() as conn:
        return _row(conn.execute(select(t.lms_links).where(where)).first())


def find_link(store: Store, issuer: str, deployment_id: str, resource_link_id: str) -> dict | None:
    query = select(t.lms_links).where(
        t.lms_links.c.issuer == issuer,
        t.lms_links.c.deployment_id == deployment_id,
        t.lms_links.c.resource_link_id == resource_link_id,
    )
    with store.engine.connect() as conn:
        return _row(conn.execute(query).first())


def link(store: Store, link_id: int) -> dict[str, Any]:
    """A link by id; MissingEntry if it is gone."""
    with store.engine.connect() as conn:
        row = _row(conn.execute(select(t.lms_links).where(t.lms_links.c.id == link_id)).first())
    if row is None:
        raise MissingEntry(f"no LMS link {link_id}")
    return row


def subject_of(store: Store, learner_id: str, issuer: str) -> str:
    """The LMS's id (``sub``) for one of our learners; MissingEntry if they have none."""
    query = select(t.lms_learners.c.subject).where(
        t.lms_learners.c.learner_id == learner_id, t.lms_learners.c.issuer == issuer
    )
    with store.engine.connect() as conn:
        found = conn.execute(query).scalar()
    if found is None:
        raise MissingEntry(f"learner {learner_id} has no identity from {issuer}")
    return found


def links(store: Store, issuer: str) -> list[dict[str, Any]]:
    query = select(t.lms_links).where(t.lms_links.c.issuer == issuer).order_by(t.lms_links.c.id)
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def course_learner(
    store: Store, issuer: str, subject: str, cohort: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The learner an LMS user is in this course, made on their first launch: (learner row,
    mapping row). AccessDenied when the course's cohort is closed to new learners."""
    where = and_(
        t.lms_learners.c.issuer == issuer,
        t.lms_learners.c.subject == subject,
        t.lms_learners.c.course_id == cohort["course_id"],
    )
    with store.engine.connect() as conn:
        mapping = _row(conn.execute(select(t.lms_learners).where(where)).first())
    if mapping is None:
        learner = store.learner(cohort_code=cohort["code"])
        try:
            with store.writing() as conn:
                conn.execute(
                    insert(t.lms_learners).values(
                        issuer=issuer,
                        subject=subject,
                        course_id=cohort["course_id"],
                        learner_id=learner["id"],
                        created_at=now(),
                    )
                )
        except IntegrityError:  # the same user launched twice at once: keep the first
            from toolkit.storage.personal import forget_learner

            forget_learner(store, learner["id"])
        with store.engine.connect() as conn:
            mapping = _row(conn.execute(select(t.lms_learners).where(where)).first())
    return store.learner(mapping["learner_id"]), mapping


def set_secret(store: Store, mapping_id: int, secret: str, learner_id: str | None = None) -> None:
    """Keep the digest of the secret a SCORM LMS holds for this learner; with
    ``learner_id``, the LMS user is mapped to that (new) learner from now on."""
    values: dict[str, Any] = {"secret_digest": digest(secret)}
    if learner_id is not None:
        values["learner_id"] = learner_id
    with store.writing() as conn:
        conn.execute(
            update(t.lms_learners).where(t.lms_learners.c.id == mapping_id).values(**values)
        )


def learner_identities(store: Store, learner_id: str) -> list[dict[str, Any]]:
    """The LMS identities mapped to a learner (issuer, subject, when): their personal data."""
    query = (
        select(t.lms_learners.c.issuer, t.lms_learners.c.subject, t.lms_learners.c.created_at)
        .where(t.lms_learners.c.learner_id == learner_id)
        .order_by(t.lms_learners.c.id)
    )
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).all()]


# Tickets ----------------------------------------------------------------------------------
def issue_ticket(
    store: Store,
    kind: str,
    cohort_id: int,
    seconds: float,
    *,
    learner_id: str | None = None,
    link_id: int | None = None,
) -> str:
    """A new ticket: 256 random bits, URL-safe. Only its digest is stored."""
    if kind not in TICKET_KINDS:
        raise ValueError(f"unknown ticket kind {kind!r}")
    secret = secrets.token_urlsafe(32)
    with store.writing() as conn:
        conn.execute(
            insert(t.lms_tickets).values(
                digest=digest(secret),
                kind=kind,
                cohort_id=cohort_id,
                learner_id=learner_id,
                link_id=link_id,
                expires_at=now() + dt.timedelta(seconds=seconds),
            )
        )
    return secret


def redeem_ticket(store: Store, secret: str, kind: str) -> dict[str, Any]:
    """Take a ticket of ``kind`` once: its row, with the cohort's code. TicketRefused (saying
    why, for the log; pages show one sentence for all) when it is unknown, of another kind,
    used or expired. One UPDATE marks it used, so of two pages racing only one wins."""
    when = now()
    key = digest(secret)
    with store.writing() as conn:
        taken = conn.execute(
            update(t.lms_tickets)
            .where(
                t.lms_tickets.c.digest == key,
                t.lms_tickets.c.kind == kind,
                t.lms_tickets.c.used_at.is_(None),
                t.lms_tickets.c.expires_at > when,
            )
            .values(used_at=when)
        ).rowcount
    return _ticket(store, key, kind, taken == 1)


def peek_ticket(store: Store, secret: str, kind: str) -> dict[str, Any]:
    """A ticket that may be used again until it expires (SCORM status polling)."""
    return _ticket(store, digest(secret), kind, None)


def _ticket(store: Store, key: str, kind: str, taken: bool | None) -> dict[str, Any]:
    query = (
        select(t.lms_tickets, t.cohorts.c.code.label("cohort_code"))
        .join(t.cohorts, t.cohorts.c.id == t.lms_tickets.c.cohort_id)
        .where(t.lms_tickets.c.digest == key)
    )
    with store.engine.connect() as conn:
        row = _row(conn.execute(query).first())
    if row is None or row["kind"] != kind:
        raise TicketRefused("unknown ticket")
    if taken is False:
        raise TicketRefused("ticket already used" if row["used_at"] else "ticket expired")
    if taken is None and _aware(row["expires_at"]) <= now():
        raise TicketRefused("ticket expired")
    return row


# The grade outbox -------------------------------------------------------------------------
def bind_attempt(store: Store, attempt_id: int, link_id: int, subject: str) -> None:
    """Have this attempt's grade posted to the link's line item once it is finished
    (idempotent: an attempt keeps the first link it was bound to)."""
    try:
        with store.writing() as conn:
            conn.execute(
                insert(t.lms_grades).values(
                    attempt_id=attempt_id,
                    link_id=link_id,
                    subject=subject,
                    tries=0,
                    next_try_at=now(),
                )
            )
    except IntegrityError:
        with store.engine.connect() as conn:
            found = conn.execute(
                select(t.lms_grades.c.id).where(t.lms_grades.c.attempt_id == attempt_id)
            ).scalar()
        if found is None:  # not the race: the attempt or link is gone
            raise MissingEntry(f"no attempt {attempt_id} or link {link_id}") from None


def _grades_with_attempts(*link_columns: Any) -> Any:
    """Grades joined to their attempt and link: the outbox row, the attempt's scenario,
    learner and finish, the link's issuer, and any further ``link_columns``."""
    return (
        select(
            t.lms_grades,
            t.attempts.c.scenario_id,
            t.attempts.c.learner_id,
            t.attempts.c.finished_at,
            t.lms_links.c.issuer,
            *link_columns,
        )
        .join(t.attempts, t.attempts.c.id == t.lms_grades.c.attempt_id)
        .join(t.lms_links, t.lms_links.c.id == t.lms_grades.c.link_id)
    )


def claim_due_grades(store: Store, limit: int = 10, hold: float = 60.0) -> list[dict[str, Any]]:
    """Grades of finished attempts due a post now, claimed for ``hold`` seconds so that
    another server's worker leaves them alone; each row carries its attempt and link."""
    when = now()
    query = (
        _grades_with_attempts(t.lms_links.c.deployment_id, t.lms_links.c.ags)
        .where(
            t.lms_grades.c.posted_at.is_(None),
            t.attempts.c.finished_at.is_not(None),
            t.lms_grades.c.next_try_at <= when,
            or_(t.lms_grades.c.claimed_until.is_(None), t.lms_grades.c.claimed_until <= when),
        )
        .order_by(t.lms_grades.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(query).all()]
    claimed = []
    until = when + dt.timedelta(seconds=hold)
    for row in rows:
        with store.writing() as conn:
            won = conn.execute(
                update(t.lms_grades)
                .where(
                    t.lms_grades.c.id == row["id"],
                    or_(
                        t.lms_grades.c.claimed_until.is_(None),
                        t.lms_grades.c.claimed_until <= when,
                    ),
                )
                .values(claimed_until=until)
            ).rowcount
        if won:
            claimed.append(row)
    return claimed


def grade_posted(store: Store, grade_id: int, posted: dict[str, Any]) -> None:
    with store.writing() as conn:
        conn.execute(
            update(t.lms_grades)
            .where(t.lms_grades.c.id == grade_id)
            .values(posted_at=now(), posted=posted, claimed_until=None, last_error=None)
        )


def grade_failed(store: Store, grade_id: int, error: str, retry_in: float) -> None:
    """Count a failed post and say when to try again; the attempt itself is untouched."""
    with store.writing() as conn:
        conn.execute(
            update(t.lms_grades)
            .where(t.lms_grades.c.id == grade_id)
            .values(
                tries=t.lms_grades.c.tries + 1,
                next_try_at=now() + dt.timedelta(seconds=retry_in),
                claimed_until=None,
                last_error=clean_text(error)[:500],
            )
        )


def grades(store: Store) -> list[dict[str, Any]]:
    """Every grade in the outbox, newest first, with its attempt's state (for `safeshare lti
    grades`)."""
    query = _grades_with_attempts().order_by(t.lms_grades.c.id.desc())
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def retry_grades_now(store: Store) -> int:
    """Make every unposted grade due at once (after a platform outage is over)."""
    with store.writing() as conn:
        return conn.execute(
            update(t.lms_grades)
            .where(t.lms_grades.c.posted_at.is_(None))
            .values(next_try_at=now(), claimed_until=None)
        ).rowcount
