"""Weeks, assignments, video assets, lessons and prerequisites.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from edxelera_gql.db.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weeks",
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("week_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("release_at_utc", UTCDateTime(), nullable=False),
        sa.Column("assignment_deadline_utc", UTCDateTime(), nullable=True),
        sa.Column("live_session_title", sa.String(length=200), nullable=True),
        sa.Column("live_session_start_utc", UTCDateTime(), nullable=True),
        sa.Column("live_session_end_utc", UTCDateTime(), nullable=True),
        sa.Column("live_session_url", sa.String(length=500), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_weeks_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weeks")),
        sa.UniqueConstraint(
            "cohort_id", "week_number", name=op.f("uq_weeks_cohort_id_week_number")
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("week_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("submission_type", sa.String(length=16), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["week_id"], ["weeks.id"], name=op.f("fk_assignments_week_id_weeks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("week_id", name=op.f("uq_assignments_week_id")),
    )
    op.create_table(
        "video_assets",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("s3_bucket", sa.String(length=63), nullable=False),
        sa.Column("s3_key", sa.String(length=512), nullable=False),
        sa.Column("cloud_front_path", sa.String(length=1024), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_assets")),
        sa.UniqueConstraint("s3_bucket", "s3_key", name=op.f("uq_video_assets_s3_bucket_s3_key")),
    )
    op.create_table(
        "lessons",
        sa.Column("course_id", sa.BigInteger(), nullable=False),
        sa.Column("week_id", sa.BigInteger(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_preview", sa.Boolean(), nullable=False),
        sa.Column("video_asset_id", sa.BigInteger(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_lessons_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["video_asset_id"],
            ["video_assets.id"],
            name=op.f("fk_lessons_video_asset_id_video_assets"),
        ),
        sa.ForeignKeyConstraint(["week_id"], ["weeks.id"], name=op.f("fk_lessons_week_id_weeks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint("course_id", "slug", name=op.f("uq_lessons_course_id_slug")),
        sa.UniqueConstraint("week_id", "sort_order", name=op.f("uq_lessons_week_id_sort_order")),
    )
    op.create_index(op.f("ix_lessons_video_asset_id"), "lessons", ["video_asset_id"])
    op.create_table(
        "lesson_prerequisites",
        sa.Column("lesson_id", sa.BigInteger(), nullable=False),
        sa.Column("prerequisite_lesson_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_prerequisites_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_prerequisites_prerequisite_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_prerequisites")),
        sa.UniqueConstraint(
            "lesson_id",
            "prerequisite_lesson_id",
            name=op.f("uq_lesson_prerequisites_lesson_id_prerequisite_lesson_id"),
        ),
    )
    op.create_index(
        op.f("ix_lesson_prerequisites_prerequisite_lesson_id"),
        "lesson_prerequisites",
        ["prerequisite_lesson_id"],
    )


def downgrade() -> None:
    op.drop_table("lesson_prerequisites")
    op.drop_table("lessons")
    op.drop_table("video_assets")
    op.drop_table("assignments")
    op.drop_table("weeks")
