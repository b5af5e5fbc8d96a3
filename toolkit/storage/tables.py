"""The tables: cohorts, learners, attempts, answers, trainer overrides, and the LMS routes."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("scenarios", JSON, nullable=False, default=list),
    Column("opens_at", DateTime(timezone=True), nullable=True),
    Column("closes_at", DateTime(timezone=True), nullable=True),
    Column("retain_until", DateTime(timezone=True), nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The interface language learners who join get unless they choose another (en, cy).
    Column("language", String(8), nullable=True),
)

learners = Table(
    "learners",
    metadata,
    # Pseudonymous: a random id, never a name or e-mail. display_name is optional.
    Column("id", String(32), primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=True),
    Column("display_name", String(80), nullable=True),
    # The secret a learner uses to resume; never shown to trainers or in exports.
    Column("resume_key", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner_id", String(32), ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=True),
    Column("scenario_id", String(80), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("ending", String(80), nullable=True),
    # The interface language the learner last used on this attempt (en, cy): kept for resume.
    Column("language", String(8), nullable=True),
)
# One open attempt per learner and scenario: two tabs pressing Start together share it.
one_open_attempt = Index(
    "uq_attempts_one_open",
    attempts.c.learner_id,
    attempts.c.scenario_id,
    unique=True,
    sqlite_where=attempts.c.finished_at.is_(None),
)


def describe_for_postgresql() -> None:
    """Give the partial index its PostgreSQL condition as well (idempotent).

    Called when a PostgreSQL engine is made (:func:`toolkit.storage.engine.make_engine`), not
    at import: naming a dialect's option makes SQLAlchemy import that dialect, 2 MiB in every
    learner kernel on SQLite, which never uses it. Migration 0003 creates the index on both.
    """
    one_open_attempt.dialect_kwargs["postgresql_where"] = attempts.c.finished_at.is_(None)


answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
    Column("decision_id", String(80), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("answer", JSON, nullable=False),
    Column("rationale", Text, nullable=True),
    Column("result", JSON, nullable=False),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # An answer is stored exactly once: a retried submit finds the first one.
    UniqueConstraint("attempt_id", "decision_id", name="uq_answers_attempt_decision"),
)

overrides = Table(
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", Integer, ForeignKey("answers.id", ondelete="CASCADE"), nullable=False),
    Column("trainer", String(80), nullable=False),
    Column("concepts", JSON, nullable=False, default=list),
    # The rationale's misconceptions as the trainer judged them; NULL: as the scorer found.
    Column("misconceptions", JSON, nullable=True),
    Column("points", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The LMS routes (issue 14): LTI 1.3 platforms, SCORM packages, and what links their learners
# to ours. An LMS learner is the platform's `sub` within its issuer (or a SCORM package's
# student id), mapped to one pseudonymous learner per course cohort; names are never stored.
lti_platforms = Table(
    "lti_platforms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("name", String(200), nullable=False),
    Column("auth_login_url", String(1000), nullable=False),
    Column("auth_token_url", String(1000), nullable=False),
    Column("key_set_url", String(1000), nullable=False),
    Column("auth_audience", String(1000), nullable=True),
    Column("deployment_ids", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),
)

# Short-lived OIDC data: nonces (taken once), state, a deep-linking launch awaiting its pick.
lti_state = Table(
    "lti_state",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# An LMS course (LTI context, or a SCORM package) and the cohort that holds its learners.
# Deleted with its cohort (purge, cohort delete); the next launch makes a new cohort.
lms_courses = Table(
    "lms_courses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("context_id", String(255), nullable=False),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("issuer", "deployment_id", "context_id", name="uq_lms_courses_context"),
)

# A placement of one scenario in an LMS: an LTI resource link with its grade endpoint, or a
# scenario of a SCORM package (issuer "scorm:<package id>"). Holds no personal data.
lms_links = Table(
    "lms_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("resource_link_id", String(255), nullable=False),
    Column("scenario_id", String(80), nullable=False),
    Column("title", String(255), nullable=True),
    Column("ags", JSON, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issuer", "deployment_id", "resource_link_id", name="uq_lms_links_link"),
)

lms_learners = Table(
    "lms_learners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("course_id", Integer, ForeignKey("lms_courses.id", ondelete="CASCADE"), nullable=False),
    Column("learner_id", String(32), ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    # SCORM only: the digest of the secret the LMS keeps for this learner (cmi.suspend_data).
    Column("secret_digest", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issuer", "subject", "course_id", name="uq_lms_learners_subject"),
)

# Single-use, short-lived tickets that hand a launch to a page; only their digest is kept.
lms_tickets = Table(
    "lms_tickets",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    Column("learner_id", String(32), ForeignKey("learners.id", ondelete="CASCADE"), nullable=True),
    Column("link_id", Integer, ForeignKey("lms_links.id", ondelete="CASCADE"), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

# The grade outbox: an LTI attempt's score waits here until the platform has taken it. The
# result itself stays in attempts and answers; a failed post only moves next_try_at on.
lms_grades = Table(
    "lms_grades",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "attempt_id",
        Integer,
        ForeignKey("attempts.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("link_id", Integer, ForeignKey("lms_links.id", ondelete="CASCADE"), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("tries", Integer, nullable=False, default=0),
    Column("next_try_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("posted_at", DateTime(timezone=True), nullable=True),
    Column("posted", JSON, nullable=True),
)
