"""The tables: cohorts, learners, attempts, answers and trainer overrides."""

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
Index(
    "uq_attempts_one_open",
    attempts.c.learner_id,
    attempts.c.scenario_id,
    unique=True,
    sqlite_where=attempts.c.finished_at.is_(None),
    postgresql_where=attempts.c.finished_at.is_(None),
)

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
