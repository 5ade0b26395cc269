"""Lessons as one viewer sees them: the rows (one statement per kind, whatever the program's
size), their prerequisites, and the pure rules applied to them.

Shared by the read views (program home, week hub, course progress) and ``completeLesson``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.catalog.models import Course, Lesson, LessonPrerequisite, Week
from edxelera_gql.catalog.read_models import LessonRefFacts, WeekFacts
from edxelera_gql.learning import rules
from edxelera_gql.learning.models import LessonProgress
from edxelera_gql.learning.read_models import (
    CourseProgressFacts,
    LessonView,
    Standing,
    StructureLesson,
    Validity,
)

# The lesson columns of a structure lesson (the rest, week number and release, come from its
# week), named as the ``Lesson`` model names them.
LESSON_COLUMNS = [
    getattr(Lesson, f.name)
    for f in dataclasses.fields(StructureLesson)
    if f.name not in ("week_number", "release_at")
]


@dataclass(frozen=True)
class LessonRow:
    lesson: Lesson | StructureLesson
    week_number: int
    release_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Prerequisites:
    by_lesson: dict[int, list[LessonRefFacts]]
    completed_ids: set[int]  # prerequisites the viewer completed


async def prerequisites_of(
    session: AsyncSession,
    *,
    user_id: int | None,
    lesson_ids: Iterable[int] | None = None,
    **where: int,
) -> Prerequisites:
    """Prerequisites of the lessons selected by ``lesson_ids`` or by ``cohort_id``/``week_id``,
    named as the client shows them, and whether the viewer completed each (none without a
    viewer), in one statement."""
    pre = aliased(Lesson)
    pre_week = aliased(Week)
    dependents = select(Lesson.id).join(Week, Week.id == Lesson.week_id)
    if "cohort_id" in where:
        dependents = dependents.where(Week.cohort_id == where["cohort_id"])
    if "week_id" in where:
        dependents = dependents.where(Lesson.week_id == where["week_id"])
    if lesson_ids is not None:
        dependents = dependents.where(Lesson.id.in_(list(lesson_ids)))
    # Without a viewer there is nothing to join: and_(..., false()) would fold into a bare
    # FALSE and leave lesson_progress a cartesian product.
    progress_column: Any = LessonProgress.id if user_id is not None else literal(None)
    query = (
        select(
            LessonPrerequisite.lesson_id,
            pre.id,
            pre.slug,
            pre.title,
            Course.slug,
            pre_week.week_number,
            progress_column,
        )
        .join(pre, pre.id == LessonPrerequisite.prerequisite_lesson_id)
        .join(Course, Course.id == pre.course_id)
        .join(pre_week, pre_week.id == pre.week_id)
    )
    if user_id is not None:
        query = query.outerjoin(
            LessonProgress,
            and_(LessonProgress.lesson_id == pre.id, LessonProgress.user_id == user_id),
        )
    rows = await session.execute(
        query.where(LessonPrerequisite.lesson_id.in_(dependents)).order_by(
            LessonPrerequisite.lesson_id, LessonPrerequisite.id
        )
    )
    by_lesson: dict[int, list[LessonRefFacts]] = defaultdict(list)
    completed: set[int] = set()
    for lesson_id, pre_id, slug, title, course_slug, week_number, progress_id in rows:
        by_lesson[lesson_id].append(LessonRefFacts(pre_id, slug, title, course_slug, week_number))
        if progress_id is not None:
            completed.add(pre_id)
    return Prerequisites(by_lesson, completed)


# --- assembling -----------------------------------------------------------------------------


def lesson_view(
    row: LessonRow,
    *,
    prerequisites: Sequence[LessonRefFacts],
    completed_ids: set[int],
    standing: Standing,
    now: datetime,
) -> LessonView:
    lesson = row.lesson
    access = rules.lesson_access(
        now=now,
        lesson_id=lesson.id,
        is_preview=lesson.is_preview,
        release_at=row.release_at,
        prerequisite_ids=[p.id for p in prerequisites],
        is_enrolled=standing.is_enrolled,
        is_staff=standing.is_staff,
        completed_lesson_ids=completed_ids,
    )
    by_id = {p.id: p for p in prerequisites}
    return LessonView(
        id=lesson.id,
        slug=lesson.slug,
        title=lesson.title,
        description=lesson.description,
        course_id=lesson.course_id,
        week_number=row.week_number,
        sort_order=lesson.sort_order,
        duration_seconds=lesson.duration_seconds,
        is_preview=lesson.is_preview,
        has_video=lesson.video_asset_id is not None,
        status=access.status,
        lock_reason=access.lock_reason,
        unlocks_at=access.unlocks_at,
        missing_prerequisites=tuple(by_id[i] for i in access.missing_prerequisite_ids),
        completed_at=row.completed_at if access.status is rules.LessonStatus.COMPLETED else None,
    )


def progress_facts(
    course_id: int, *, total: int, done: int, last: datetime | None
) -> CourseProgressFacts:
    """A course is complete from the moment its last remaining lesson was completed."""
    complete = rules.is_course_complete(done, total)
    return CourseProgressFacts(
        course_id=course_id,
        completed_lessons=done,
        total_lessons=total,
        percent_complete=rules.percent_complete(done, total),
        completed_at=last if complete else None,
    )


def validity(now: datetime, weeks: Iterable[WeekFacts]) -> Validity:
    instants = [t for week in weeks for t in week.boundaries()]
    return Validity(computed_at=now, valid_until=rules.next_boundary(now, instants))


async def course_counts(
    session: AsyncSession, *, user_id: int, course_id: int
) -> tuple[int, int, datetime | None]:
    """Lessons of the course, how many the user completed, and the last completion time."""
    total, done, last = (
        await session.execute(
            select(
                func.count(Lesson.id),
                func.count(LessonProgress.id),
                func.max(LessonProgress.completed_at_utc),
            )
            .select_from(Lesson)
            .outerjoin(
                LessonProgress,
                and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
            )
            .where(Lesson.course_id == course_id)
        )
    ).one()
    return total, done, last
