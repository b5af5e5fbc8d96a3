"""The interface language: remembered with each attempt, and a cohort's default.

A learner who chose Welsh (``?lang=cy``, the page's switch, an LMS locale or the cohort's
default) gets Welsh again when they resume. NULL in rows made before: the page's language
is then chosen as for a new learner (English unless something asks for Welsh).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attempts", sa.Column("language", sa.String(8), nullable=True))
    op.add_column("cohorts", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    for table in ("attempts", "cohorts"):
        with op.batch_alter_table(table) as batch:  # SQLite cannot drop a column in place
            batch.drop_column("language")
