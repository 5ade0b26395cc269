"""Secondary indexes that back no foreign key (FK-backing indexes live with their tables,
because MySQL refuses to drop an index a foreign key still needs).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_payment_events_reference"), "payment_events", ["reference"])
    op.create_index(
        op.f("ix_discussion_posts_thread_id_is_pinned_pinned_at_utc"),
        "discussion_posts",
        ["thread_id", "is_pinned", "pinned_at_utc"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_discussion_posts_thread_id_is_pinned_pinned_at_utc"), table_name="discussion_posts"
    )
    op.drop_index(op.f("ix_payment_events_reference"), table_name="payment_events")
    op.drop_index(op.f("ix_refresh_tokens_family_id"), table_name="refresh_tokens")
