"""Batch functions for the per-request DataLoaders of the catalog.

Each takes a session and the batch of keys, and returns one result per key in key order.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Lesson
from edxelera_gql.catalog.service import courses_by_program, weeks_by_program

__all__ = ["courses_by_program", "lesson_count_by_week", "weeks_by_program"]


async def lesson_count_by_week(session: AsyncSession, week_ids: Sequence[int]) -> list[int]:
    rows = await session.execute(
        select(Lesson.week_id, func.count(Lesson.id))
        .where(Lesson.week_id.in_(week_ids))
        .group_by(Lesson.week_id)
    )
    counts = {week_id: n for week_id, n in rows}
    return [counts.get(i, 0) for i in week_ids]
