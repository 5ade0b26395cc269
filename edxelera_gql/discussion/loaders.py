"""Batch functions for discussions: one statement per batch, one result per key in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.enums import STAFF_ROLES
from edxelera_gql.auth.models import Role, User, UserRole
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.discussion.rows import POST_COLUMNS, AuthorRow, PostRow


@dataclass(frozen=True)
class ThreadSummary:
    thread_id: int | None
    post_count: int
    last_post_at: datetime | None


async def summary_by_cohort_week(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> list[ThreadSummary]:
    """Thread id, number of posts (replies included) and last post time per (cohort, week)."""
    rows = await session.execute(
        select(
            DiscussionThread.cohort_id,
            DiscussionThread.week_number,
            DiscussionThread.id,
            func.count(DiscussionPost.id),
            func.max(DiscussionPost.created_at),
        )
        .outerjoin(DiscussionPost, DiscussionPost.thread_id == DiscussionThread.id)
        .where(tuple_(DiscussionThread.cohort_id, DiscussionThread.week_number).in_(list(keys)))
        .group_by(DiscussionThread.cohort_id, DiscussionThread.week_number, DiscussionThread.id)
    )
    found = {
        (cohort_id, week): ThreadSummary(thread_id, count, last)
        for cohort_id, week, thread_id, count, last in rows
    }
    return [found.get(key, ThreadSummary(None, 0, None)) for key in keys]


async def authors_by_id(session: AsyncSession, user_ids: Sequence[int]) -> list[AuthorRow | None]:
    """Name and staff flag per user (roles joined in, so one statement); never the email."""
    rows = await session.execute(
        select(User.id, User.full_name, Role.name)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(Role, Role.id == UserRole.role_id)
        .where(User.id.in_(list(user_ids)))
    )
    names: dict[int, str] = {}
    staff: set[int] = set()
    for user_id, full_name, role in rows:
        names[user_id] = full_name
        if role in STAFF_ROLES:
            staff.add(user_id)
    return [
        AuthorRow(id=i, full_name=names[i], is_staff=i in staff) if i in names else None
        for i in user_ids
    ]


async def reply_count_by_post(session: AsyncSession, post_ids: Sequence[int]) -> list[int]:
    rows = await session.execute(
        select(DiscussionPost.parent_post_id, func.count(DiscussionPost.id))
        .where(DiscussionPost.parent_post_id.in_(list(post_ids)))
        .group_by(DiscussionPost.parent_post_id)
    )
    counts = {parent_id: n for parent_id, n in rows}
    return [counts.get(i, 0) for i in post_ids]


async def first_replies_by_post(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> list[list[PostRow]]:
    """The first ``n`` replies (oldest first) of each post, keyed by ``(post_id, n)``.

    A window function numbers each post's replies, so a page of posts costs one statement
    however many posts it holds (MariaDB >= 10.2 and SQLite >= 3.25 have ROW_NUMBER).
    """
    most = max(n for _, n in keys)
    numbered = select(
        *POST_COLUMNS,
        func.row_number()
        .over(
            partition_by=DiscussionPost.parent_post_id,
            order_by=(DiscussionPost.created_at, DiscussionPost.id),
        )
        .label("position"),
    ).where(DiscussionPost.parent_post_id.in_(list({post_id for post_id, _ in keys})))
    numbered_sq = numbered.subquery()
    rows = await session.execute(
        select(numbered_sq)
        .where(numbered_sq.c.position <= most)
        .order_by(numbered_sq.c.parent_post_id, numbered_sq.c.position)
    )
    by_parent: dict[int, list[PostRow]] = defaultdict(list)
    for row in rows:
        by_parent[row.parent_post_id].append(PostRow.from_mapping(row._mapping))
    return [by_parent[post_id][:n] for post_id, n in keys]
