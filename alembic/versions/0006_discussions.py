"""Week discussion threads and posts.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from edxelera_gql.db.base import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discussion_threads",
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("week_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_discussion_threads_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_discussion_threads_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_threads")),
        sa.UniqueConstraint(
            "cohort_id", "week_number", name=op.f("uq_discussion_threads_cohort_id_week_number")
        ),
    )
    op.create_index(
        op.f("ix_discussion_threads_created_by_user_id"),
        "discussion_threads",
        ["created_by_user_id"],
    )
    op.create_table(
        "discussion_posts",
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("author_user_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_post_id", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("pinned_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("pinned_at_utc", UTCDateTime(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_discussion_posts_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["parent_post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_posts_parent_post_id_discussion_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pinned_by_user_id"],
            ["users.id"],
            name=op.f("fk_discussion_posts_pinned_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["discussion_threads.id"],
            name=op.f("fk_discussion_posts_thread_id_discussion_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_posts")),
    )
    op.create_index(
        op.f("ix_discussion_posts_author_user_id"), "discussion_posts", ["author_user_id"]
    )
    op.create_index(
        op.f("ix_discussion_posts_parent_post_id_created_at_id"),
        "discussion_posts",
        ["parent_post_id", "created_at", "id"],
    )
    op.create_index(
        op.f("ix_discussion_posts_pinned_by_user_id"), "discussion_posts", ["pinned_by_user_id"]
    )
    op.create_index(
        op.f("ix_discussion_posts_thread_id_created_at_id"),
        "discussion_posts",
        ["thread_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("discussion_posts")
    op.drop_table("discussion_threads")
