"""Batch functions for discussions: one statement per batch, one result per key in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.enums import Role as RoleName
from edxelera_gql.auth.models import ProgramStaff, Role, User, UserRole
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


async def authors_by_id(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> list[AuthorRow | None]:
    """Name and staff flag per (user, thread): staff means an admin, or staff of the thread's
    program. Roles and assignments are joined in, so one statement; never the email."""
    user_ids = sorted({user for user, _ in keys})
    thread_ids = sorted({thread for _, thread in keys})
    rows = await session.execute(
        select(DiscussionThread.id, User.id, User.full_name, Role.name, ProgramStaff.id)
        .select_from(DiscussionThread)
        .join(User, User.id.in_(user_ids))
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(Role, Role.id == UserRole.role_id)
        .outerjoin(
            ProgramStaff,
            and_(
                ProgramStaff.user_id == User.id,
                ProgramStaff.cohort_id == DiscussionThread.cohort_id,
            ),
        )
        .where(DiscussionThread.id.in_(thread_ids))
    )
    names: dict[int, str] = {}
    staff: set[tuple[int, int]] = set()
    for thread_id, user_id, full_name, role, assignment in rows:
        names[user_id] = full_name
        if role == RoleName.ADMIN or assignment is not None:
            staff.add((user_id, thread_id))
    return [
        AuthorRow(id=user, full_name=names[user], is_staff=(user, thread) in staff)
        if user in names
        else None
        for user, thread in keys
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
