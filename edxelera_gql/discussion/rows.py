"""Plain rows the discussion services and loaders hand out, and the keyset orderings.

Posts travel as frozen dataclasses rather than ORM objects: they cross sessions (each DataLoader
batch has its own) and are read by concurrent resolvers, so nothing may lazy-load or expire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from edxelera_gql.discussion.models import DiscussionPost

# The columns a post is read with; their names are PostRow's field names.
POST_COLUMNS = (
    DiscussionPost.id,
    DiscussionPost.thread_id,
    DiscussionPost.author_user_id,
    DiscussionPost.parent_post_id,
    DiscussionPost.body,
    DiscussionPost.is_pinned,
    DiscussionPost.pinned_by_user_id,
    DiscussionPost.pinned_at_utc,
    DiscussionPost.created_at,
    DiscussionPost.updated_at,
)


@dataclass(frozen=True)
class PostRow:
    id: int
    thread_id: int
    author_user_id: int
    parent_post_id: int | None
    body: str
    is_pinned: bool
    pinned_by_user_id: int | None
    pinned_at_utc: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_mapping(cls, row: Mapping[Any, Any]) -> PostRow:
        return cls(
            id=row["id"],
            thread_id=row["thread_id"],
            author_user_id=row["author_user_id"],
            parent_post_id=row["parent_post_id"],
            body=row["body"],
            is_pinned=bool(row["is_pinned"]),
            pinned_by_user_id=row["pinned_by_user_id"],
            pinned_at_utc=row["pinned_at_utc"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @classmethod
    def from_model(cls, post: DiscussionPost) -> PostRow:
        return cls(
            id=post.id,
            thread_id=post.thread_id,
            author_user_id=post.author_user_id,
            parent_post_id=post.parent_post_id,
            body=post.body,
            is_pinned=bool(post.is_pinned),
            pinned_by_user_id=post.pinned_by_user_id,
            pinned_at_utc=post.pinned_at_utc,
            created_at=post.created_at,
            updated_at=post.updated_at,
        )


@dataclass(frozen=True)
class AuthorRow:
    id: int
    full_name: str
    is_staff: bool


@dataclass(frozen=True)
class PostKey:
    """Where a top-level post sits in the listing: pinned posts by pin time, then the rest by
    creation time, both newest first, the id breaking ties."""

    pinned: bool
    at: datetime
    id: int

    @classmethod
    def of(cls, post: PostRow) -> PostKey:
        if post.is_pinned and post.pinned_at_utc is not None:
            return cls(True, post.pinned_at_utc, post.id)
        return cls(False, post.created_at, post.id)


@dataclass(frozen=True)
class ReplyKey:
    """Replies are listed oldest first, the id breaking ties."""

    at: datetime
    id: int

    @classmethod
    def of(cls, post: PostRow) -> ReplyKey:
        return cls(post.created_at, post.id)


def before(column: Any, at: datetime, post_id: int) -> ColumnElement[bool]:
    """Rows after ``(at, id)`` in a newest-first listing."""
    return or_(column < at, and_(column == at, DiscussionPost.id < post_id))


def after(column: Any, at: datetime, post_id: int) -> ColumnElement[bool]:
    """Rows after ``(at, id)`` in an oldest-first listing."""
    return or_(column > at, and_(column == at, DiscussionPost.id > post_id))
