"""The reading half of an import: a handful of set-based SELECTs, never one per row.

``load_existing`` reads what the file will be compared with before anything is written; the
other loaders run between write phases, once the ids they filter on exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.content import ProgramPlan
from edxelera_gql.catalog.importer.diff import LessonIndex, StoredVideo, VideoKey, index_lessons
from edxelera_gql.catalog.models import (
    Assignment,
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    LessonPrerequisite,
    VideoAsset,
    Week,
)
from edxelera_gql.media import HLS_MIME_TYPES, hls_folder


@dataclass
class Rows:
    """The rows of one import by natural key: loaded first, then completed as rows are created."""

    cohort: Cohort | None
    courses: dict[str, Course]  # the file's courses, by slug
    links: list[CohortCourse]  # the program's course links, in order
    weeks: dict[int, Week]  # the program's weeks, by number
    lessons: LessonIndex
    videos: dict[VideoKey, VideoAsset] = field(default_factory=dict)  # the file's videos
    course_slugs: dict[int, str] = field(default_factory=dict)  # every course slug met, by id

    @property
    def program(self) -> Cohort:
        """The program's row, once the program phase has created it if needed."""
        if self.cohort is None:
            raise RuntimeError("the program is written before its content")
        return self.cohort


async def load_existing(session: AsyncSession, plan: ProgramPlan) -> Rows:
    """The program (locked), the file's courses, the program's links and weeks, and the lessons."""
    cohort = (
        await session.execute(select(Cohort).where(Cohort.slug == plan.slug).with_for_update())
    ).scalar_one_or_none()
    courses = {
        c.slug: c
        for c in (
            await session.execute(
                select(Course).where(Course.slug.in_([c.slug for c in plan.courses]))
            )
        ).scalars()
    }
    links: list[CohortCourse] = []
    weeks: dict[int, Week] = {}
    if cohort is not None:
        links = list(
            (
                await session.execute(
                    select(CohortCourse)
                    .where(CohortCourse.cohort_id == cohort.id)
                    .order_by(CohortCourse.sort_order)
                )
            ).scalars()
        )
        weeks = {
            w.week_number: w
            for w in (
                await session.execute(select(Week).where(Week.cohort_id == cohort.id))
            ).scalars()
        }
    lessons = await _load_lessons(session, plan, courses, weeks)
    return Rows(cohort, courses, links, weeks, index_lessons(lessons, cohort, courses))


async def _load_lessons(
    session: AsyncSession, plan: ProgramPlan, courses: dict[str, Course], weeks: dict[int, Week]
) -> list[tuple[Lesson, int, str]]:
    """Lessons of this program's weeks, plus the file's lessons wherever they live now.

    Each comes with its week's cohort id and slug, ordered by week, then position.
    """
    file_slugs = {lesson.slug for week in plan.weeks for lesson in week.lessons}
    lesson_filter: list[ColumnElement[bool]] = []
    if weeks:
        lesson_filter.append(Lesson.week_id.in_([w.id for w in weeks.values()]))
    if courses and file_slugs:
        lesson_filter.append(
            and_(
                Lesson.course_id.in_([c.id for c in courses.values()]),
                Lesson.slug.in_(file_slugs),
            )
        )
    if not lesson_filter:
        return []
    return [
        (lesson, cohort_id, cohort_slug)
        for lesson, cohort_id, cohort_slug in (
            await session.execute(
                select(Lesson, Week.cohort_id, Cohort.slug)
                .join(Week, Week.id == Lesson.week_id)
                .join(Cohort, Cohort.id == Week.cohort_id)
                .where(or_(*lesson_filter))
                .order_by(Lesson.week_id, Lesson.sort_order)
            )
        )
    ]


async def course_slugs(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    """Slugs of courses the import did not load by slug (kept ones, other lessons' courses)."""
    return {
        course_id: slug
        for course_id, slug in await session.execute(
            select(Course.id, Course.slug).where(Course.id.in_(ids))
        )
    }


async def assignments(session: AsyncSession, weeks: Collection[Week]) -> dict[int, Assignment]:
    """The weeks' assignments, by week id."""
    return {
        a.week_id: a
        for a in (
            await session.execute(
                select(Assignment).where(Assignment.week_id.in_([w.id for w in weeks]))
            )
        ).scalars()
    }


async def hls_neighbours(session: AsyncSession, plan: ProgramPlan) -> list[StoredVideo]:
    """Stored HLS videos, and stored videos inside the file's HLS folders, in one SELECT (none
    when the file has no video)."""
    videos = [lesson.video for week in plan.weeks for lesson in week.lessons if lesson.video]
    if not videos:
        return []
    folders = {f for v in videos if (f := hls_folder(v.cloud_front_path, v.mime_type)) is not None}
    rows = await session.execute(
        select(
            VideoAsset.s3_bucket,
            VideoAsset.s3_key,
            VideoAsset.cloud_front_path,
            VideoAsset.mime_type,
        ).where(
            or_(
                VideoAsset.mime_type.in_(sorted(HLS_MIME_TYPES)),
                *(
                    VideoAsset.cloud_front_path.startswith(f, autoescape=True)
                    for f in sorted(folders)
                ),
            )
        )
    )
    return [StoredVideo(*row) for row in rows]


async def videos(session: AsyncSession, keys: list[VideoKey]) -> dict[VideoKey, VideoAsset]:
    """The video assets with these (bucket, key) pairs; no SELECT when there are none."""
    if not keys:
        return {}
    return {
        (v.s3_bucket, v.s3_key): v
        for v in (
            await session.execute(
                select(VideoAsset).where(tuple_(VideoAsset.s3_bucket, VideoAsset.s3_key).in_(keys))
            )
        ).scalars()
    }


async def prerequisites(session: AsyncSession, lesson_ids: list[int]) -> dict[tuple[int, int], int]:
    """Stored prerequisite links of these lessons: row id by (lesson id, prerequisite id)."""
    if not lesson_ids:
        return {}
    return {
        (lesson_id, target_id): row_id
        for row_id, lesson_id, target_id in (
            await session.execute(
                select(
                    LessonPrerequisite.id,
                    LessonPrerequisite.lesson_id,
                    LessonPrerequisite.prerequisite_lesson_id,
                ).where(LessonPrerequisite.lesson_id.in_(lesson_ids))
            )
        )
    }
