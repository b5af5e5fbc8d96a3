"""One open attempt per learner and scenario: a partial unique index.

Two tabs with one resume code pressing Start together could each open an attempt on
PostgreSQL (issue 15), and the learner's first answer was then stored twice. Attempts
opened twice before this revision are kept, with every answer: the newest open one stays
open (it is the one the learner resumes) and each older one is closed, its finished_at
set to when it was last answered (or started) and its ending left empty.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "uq_attempts_one_open"
OPEN = "finished_at IS NULL"


def upgrade() -> None:
    conn = op.get_bind()
    _close_older_duplicates(conn)
    # The condition under this database's name only (sqlite_where, postgresql_where): naming
    # another dialect's option would import that dialect into the process for nothing.
    where = {f"{conn.dialect.name}_where": sa.text(OPEN)}
    op.create_index(INDEX, "attempts", ["learner_id", "scenario_id"], unique=True, **where)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="attempts")


def _close_older_duplicates(conn: sa.Connection) -> None:
    attempts = sa.table(
        "attempts",
        sa.column("id", sa.Integer),
        sa.column("learner_id", sa.String),
        sa.column("scenario_id", sa.String),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("finished_at", sa.DateTime(timezone=True)),
    )
    answers = sa.table(
        "answers",
        sa.column("attempt_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    last_answer = (
        sa.select(sa.func.max(answers.c.created_at))
        .where(answers.c.attempt_id == attempts.c.id)
        .scalar_subquery()
    )
    rows = conn.execute(
        sa.select(attempts.c.id, attempts.c.learner_id, attempts.c.scenario_id,
                  attempts.c.started_at, last_answer.label("last_answer"))
        .where(attempts.c.finished_at.is_(None))
        .order_by(attempts.c.id.desc())
    ).all()  # fmt: skip
    newest: set[tuple[str, str]] = set()
    for row in rows:
        pair = (row.learner_id, row.scenario_id)
        if pair not in newest:
            newest.add(pair)
            continue
        conn.execute(
            sa.update(attempts)
            .where(attempts.c.id == row.id)
            .values(finished_at=row.last_answer or row.started_at)
        )
