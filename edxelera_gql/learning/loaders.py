"""Batch functions for the viewer's progress."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Lesson
from edxelera_gql.learning.models import LessonProgress


async def completed_count_by_user_week(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> list[int]:
    """Lessons the user completed in the week, keyed by (user_id, week_id)."""
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, week_id in keys:
        by_user[user_id].append(week_id)
    rows = await session.execute(
        select(LessonProgress.user_id, Lesson.week_id, func.count(LessonProgress.id))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(tuple_(LessonProgress.user_id, Lesson.week_id).in_(list(keys)))
        .group_by(LessonProgress.user_id, Lesson.week_id)
    )
    counts = {(user_id, week_id): n for user_id, week_id, n in rows}
    return [counts.get(key, 0) for key in keys]
