"""Reading a thread: top-level posts and replies, keyset-paginated, one statement a page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, literal, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.discussion.models import DiscussionPost
from edxelera_gql.discussion.rows import POST_COLUMNS, PostKey, PostRow, ReplyKey, after, before


async def list_posts(
    session: AsyncSession, *, thread_id: int, limit: int, after_key: PostKey | None = None
) -> list[PostRow]:
    """Up to ``limit`` top-level posts after ``after_key``: pinned ones first (newest pin
    first), then the rest newest first. Keyset pagination, so posts added while a reader pages
    sort before the cursor and never shift what comes after it.

    One statement: the pinned and the unpinned segments are each an index range with its own
    LIMIT, joined by UNION ALL and merged here.
    """
    top_level = and_(DiscussionPost.thread_id == thread_id, DiscussionPost.parent_post_id.is_(None))
    parts = []
    if after_key is None or after_key.pinned:
        pinned = select(*POST_COLUMNS, literal(0).label("segment")).where(
            top_level, DiscussionPost.is_pinned == true()
        )
        if after_key is not None:
            pinned = pinned.where(before(DiscussionPost.pinned_at_utc, after_key.at, after_key.id))
        parts.append(
            pinned.order_by(DiscussionPost.pinned_at_utc.desc(), DiscussionPost.id.desc()).limit(
                limit
            )
        )
    rest = select(*POST_COLUMNS, literal(1).label("segment")).where(
        top_level, DiscussionPost.is_pinned != true()
    )
    if after_key is not None and not after_key.pinned:
        rest = rest.where(before(DiscussionPost.created_at, after_key.at, after_key.id))
    parts.append(
        rest.order_by(DiscussionPost.created_at.desc(), DiscussionPost.id.desc()).limit(limit)
    )
    statement: Any
    if len(parts) == 1:
        statement = parts[0]
    else:
        # Each part in a derived table: SQLite refuses ORDER BY/LIMIT directly in a UNION.
        statement = union_all(*(select(part.subquery()) for part in parts))
    rows = [
        (row.segment, PostRow.from_mapping(row._mapping))
        for row in await session.execute(statement)
    ]
    rows.sort(key=lambda r: (-r[0], PostKey.of(r[1]).at, r[1].id), reverse=True)
    return [post for _, post in rows[:limit]]


async def list_replies(
    session: AsyncSession, *, parent_id: int, limit: int, after_key: ReplyKey | None = None
) -> list[PostRow]:
    """Up to ``limit`` replies to a top-level post after ``after_key``, oldest first."""
    query = select(*POST_COLUMNS).where(DiscussionPost.parent_post_id == parent_id)
    if after_key is not None:
        query = query.where(after(DiscussionPost.created_at, after_key.at, after_key.id))
    query = query.order_by(DiscussionPost.created_at, DiscussionPost.id).limit(limit)
    return [PostRow.from_mapping(row._mapping) for row in await session.execute(query)]
