"""Staff tools: per-program staff, late-join grants, the audit log, managed and suspended
enrollments, archived lessons and uploads for a lesson.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from edxelera_gql.db.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("cohort_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at_utc", UTCDateTime(), nullable=False),
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_actor_user_id"), "audit_events", ["actor_user_id"], unique=False
    )
    op.create_index(
        op.f("ix_audit_events_cohort_id_id"), "audit_events", ["cohort_id", "id"], unique=False
    )
    op.create_table(
        "late_join_grants",
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("until_utc", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_by_user_id", sa.BigInteger(), nullable=False),
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_late_join_grants_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_late_join_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_join_grants")),
        sa.UniqueConstraint(
            "cohort_id", "user_id", name=op.f("uq_late_join_grants_cohort_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_late_join_grants_user_id"), "late_join_grants", ["user_id"], unique=False
    )
    op.create_table(
        "program_staff",
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_program_staff_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_program_staff_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_staff")),
        sa.UniqueConstraint(
            "cohort_id", "user_id", name=op.f("uq_program_staff_cohort_id_user_id")
        ),
    )
    op.create_index(op.f("ix_program_staff_user_id"), "program_staff", ["user_id"], unique=False)
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("managed_by_user_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("note", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("suspended_at_utc", UTCDateTime(), nullable=True))
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("archived_at_utc", UTCDateTime(), nullable=True))
    with op.batch_alter_table("video_assets") as batch:
        batch.add_column(sa.Column("lesson_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_video_assets_lesson_id"), "video_assets", ["lesson_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop one a foreign key needs).
    op.drop_index(op.f("ix_video_assets_lesson_id"), table_name="video_assets")
    with op.batch_alter_table("video_assets") as batch:
        batch.drop_column("lesson_id")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("archived_at_utc")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_column("suspended_at_utc")
        batch.drop_column("note")
        batch.drop_column("managed_by_user_id")
    op.drop_table("program_staff")
    op.drop_table("late_join_grants")
    op.drop_table("audit_events")
