"""The LMS routes (issue 14): LTI platforms, OIDC state, courses, links, LMS learners,
launch tickets and the grade outbox. New tables only: nothing existing changes.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, kind: sa.types.TypeEngine, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, kind, sa.ForeignKey(target, ondelete="CASCADE"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("auth_login_url", sa.String(1000), nullable=False),
        sa.Column("auth_token_url", sa.String(1000), nullable=False),
        sa.Column("key_set_url", sa.String(1000), nullable=False),
        sa.Column("auth_audience", sa.String(1000), nullable=True),
        sa.Column("deployment_ids", sa.JSON, nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),
    )
    op.create_table(
        "lti_state",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        _when("expires_at"),
    )
    op.create_table(
        "lms_courses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        _fk("cohort_id", sa.Integer, "cohorts.id"),
        sa.UniqueConstraint("issuer", "deployment_id", "context_id", name="uq_lms_courses_context"),
    )
    op.create_table(
        "lms_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(255), nullable=True),
        sa.Column("ags", sa.JSON, nullable=True),
        _when("updated_at"),
        sa.UniqueConstraint(
            "issuer", "deployment_id", "resource_link_id", name="uq_lms_links_link"
        ),
    )
    op.create_table(
        "lms_learners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        _fk("course_id", sa.Integer, "lms_courses.id"),
        _fk("learner_id", sa.String(32), "learners.id"),
        sa.Column("secret_digest", sa.String(64), nullable=True),
        _when("created_at"),
        sa.UniqueConstraint("issuer", "subject", "course_id", name="uq_lms_learners_subject"),
    )
    op.create_table(
        "lms_tickets",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        _fk("cohort_id", sa.Integer, "cohorts.id"),
        _fk("learner_id", sa.String(32), "learners.id", nullable=True),
        _fk("link_id", sa.Integer, "lms_links.id", nullable=True),
        _when("expires_at"),
        _when("used_at", nullable=True),
    )
    op.create_table(
        "lms_grades",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("attempt_id", sa.Integer, "attempts.id"),
        _fk("link_id", sa.Integer, "lms_links.id"),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        _when("next_try_at"),
        _when("claimed_until", nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        _when("posted_at", nullable=True),
        sa.Column("posted", sa.JSON, nullable=True),
        sa.UniqueConstraint("attempt_id", name="uq_lms_grades_attempt_id"),
    )


def downgrade() -> None:
    for table in (
        "lms_grades",
        "lms_tickets",
        "lms_learners",
        "lms_links",
        "lms_courses",
        "lti_state",
        "lti_platforms",
    ):
        op.drop_table(table)
