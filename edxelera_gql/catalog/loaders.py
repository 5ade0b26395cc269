"""Batch functions for the per-request DataLoaders of the catalog.

Each takes a session and the batch of keys, and returns one result per key in key order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import CohortCourse, Course, Lesson, Week


async def courses_by_cohort(session: AsyncSession, cohort_ids: Sequence[int]) -> list[list[Course]]:
    rows = await session.execute(
        select(CohortCourse.cohort_id, Course)
        .join(Course, Course.id == CohortCourse.course_id)
        .where(CohortCourse.cohort_id.in_(cohort_ids))
        .order_by(CohortCourse.cohort_id, CohortCourse.sort_order)
    )
    grouped: dict[int, list[Course]] = defaultdict(list)
    for cohort_id, course in rows:
        grouped[cohort_id].append(course)
    return [grouped[i] for i in cohort_ids]


async def weeks_by_cohort(session: AsyncSession, cohort_ids: Sequence[int]) -> list[list[Week]]:
    rows = await session.scalars(
        select(Week)
        .where(Week.cohort_id.in_(cohort_ids))
        .order_by(Week.cohort_id, Week.week_number)
    )
    grouped: dict[int, list[Week]] = defaultdict(list)
    for week in rows:
        grouped[week.cohort_id].append(week)
    return [grouped[i] for i in cohort_ids]


async def lesson_count_by_week(session: AsyncSession, week_ids: Sequence[int]) -> list[int]:
    rows = await session.execute(
        select(Lesson.week_id, func.count(Lesson.id))
        .where(Lesson.week_id.in_(week_ids))
        .group_by(Lesson.week_id)
    )
    counts = {week_id: n for week_id, n in rows}
    return [counts.get(i, 0) for i in week_ids]
