"""One thread per program week; posts and their replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class DiscussionThread(IdMixin, TimestampMixin, Base):
    __tablename__ = "discussion_threads"
    __table_args__ = (UniqueConstraint("cohort_id", "week_number"),)

    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"))
    week_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id"), nullable=True, index=True
    )


class DiscussionPost(IdMixin, TimestampMixin, Base):
    __tablename__ = "discussion_posts"
    __table_args__ = (
        # The id breaks ties between posts created in the same microsecond.
        Index(None, "thread_id", "created_at", "id"),
        Index(None, "parent_post_id", "created_at", "id"),
        Index(None, "thread_id", "is_pinned", "pinned_at_utc"),
    )

    thread_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("discussion_threads.id", ondelete="CASCADE")
    )
    author_user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    parent_post_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("discussion_posts.id", ondelete="CASCADE"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned_by_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id"), nullable=True, index=True
    )
    pinned_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
