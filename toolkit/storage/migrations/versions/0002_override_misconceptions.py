"""Overrides may also say which misconceptions a rationale shows.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for every override made before: the scorer's misconceptions stand.
    op.add_column("overrides", sa.Column("misconceptions", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("overrides") as batch:  # SQLite cannot drop a column in place
        batch.drop_column("misconceptions")
