"""Initial schema: cohorts, learners, attempts, answers, overrides.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scenarios", sa.JSON, nullable=False),
        sa.Column("opens_at", TZ, nullable=True),
        sa.Column("closes_at", TZ, nullable=True),
        sa.Column("retain_until", TZ, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cohorts"),
        sa.UniqueConstraint("code", name="uq_cohorts_code"),
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("cohort_id", sa.Integer, nullable=True),
        sa.Column("display_name", sa.String(80), nullable=True),
        sa.Column("resume_key", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learners"),
        sa.UniqueConstraint("resume_key", name="uq_learners_resume_key"),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], ondelete="CASCADE", name="fk_learners_cohort_id_cohorts"
        ),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.String(32), nullable=False),
        sa.Column("cohort_id", sa.Integer, nullable=True),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("ending", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            ondelete="CASCADE",
            name="fk_attempts_learner_id_learners",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], ondelete="CASCADE", name="fk_attempts_cohort_id_cohorts"
        ),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("attempt_id", sa.Integer, nullable=False),
        sa.Column("decision_id", sa.String(80), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("answer", sa.JSON, nullable=False),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("max_points", sa.Float, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            ondelete="CASCADE",
            name="fk_answers_attempt_id_attempts",
        ),
        sa.UniqueConstraint("attempt_id", "decision_id", name="uq_answers_attempt_decision"),
    )
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("answer_id", sa.Integer, nullable=False),
        sa.Column("trainer", sa.String(80), nullable=False),
        sa.Column("concepts", sa.JSON, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_overrides"),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], ondelete="CASCADE", name="fk_overrides_answer_id_answers"
        ),
    )


def downgrade() -> None:
    for table in ("overrides", "answers", "attempts", "learners", "cohorts"):
        op.drop_table(table)
