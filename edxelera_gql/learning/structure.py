"""Program home and week hub from two parts: the program's structure, shared by every viewer,
and the viewer's progress, one small query.

A release moment has a whole cohort open the same program at once: the structure (hundreds of
lessons and their prerequisites) is loaded once per program version and the per-viewer work is
one enrollment row, the completed lesson ids and the certificates. Counts and statuses come
from the two in Python, never from loading every lesson per viewer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog import service as catalog
from edxelera_gql.catalog.models import Course, Lesson, LessonPrerequisite, Week
from edxelera_gql.catalog.read_models import LessonRefFacts, ProgramFacts
from edxelera_gql.certificates.issuance import certificate_facts
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.learning import rules
from edxelera_gql.learning.lessons import (
    LESSON_COLUMNS,
    LessonRow,
    lesson_view,
    progress_facts,
    validity,
)
from edxelera_gql.learning.models import LessonProgress
from edxelera_gql.learning.read_models import (
    Completed,
    CourseProgressFacts,
    LessonPrerequisites,
    LessonView,
    ProgramHomeData,
    ProgramStructure,
    Standing,
    StructureLesson,
    ViewerProgress,
    WeekCounts,
    WeekHubData,
)
from edxelera_gql.learning.views import program_access

# --- loading ----------------------------------------------------------------------------------


async def load_structure(session: AsyncSession, program: ProgramFacts) -> ProgramStructure:
    """Four statements whatever the program's size: courses, weeks, lessons, prerequisites."""
    courses = await catalog.courses_of(session, program.id)
    weeks = await catalog.weeks_of(session, program.id)
    rows = await session.execute(
        select(*LESSON_COLUMNS, Week.week_number, Week.release_at_utc)
        .join(Week, Week.id == Lesson.week_id)
        .where(Week.cohort_id == program.id)
    )
    lessons = [StructureLesson(*row) for row in rows]  # type: ignore[call-arg]
    place = {course.id: i for i, course in enumerate(courses)}
    lessons.sort(
        key=lambda x: (x.week_number, place.get(x.course_id, len(place)), x.sort_order, x.id)
    )
    return ProgramStructure(
        program=program,
        courses=tuple(courses),
        weeks=tuple(weeks),
        lessons=tuple(lessons),
        prerequisites=await _prerequisites(session, program.id),
    )


async def _prerequisites(session: AsyncSession, cohort_id: int) -> tuple[LessonPrerequisites, ...]:
    pre = aliased(Lesson)
    pre_week = aliased(Week)
    dependent_week = aliased(Week)
    rows = await session.execute(
        select(
            LessonPrerequisite.lesson_id,
            pre.id,
            pre.slug,
            pre.title,
            Course.slug,
            pre_week.week_number,
        )
        .join(Lesson, Lesson.id == LessonPrerequisite.lesson_id)
        .join(dependent_week, dependent_week.id == Lesson.week_id)
        .join(pre, pre.id == LessonPrerequisite.prerequisite_lesson_id)
        .join(Course, Course.id == pre.course_id)
        .join(pre_week, pre_week.id == pre.week_id)
        .where(dependent_week.cohort_id == cohort_id)
        .order_by(LessonPrerequisite.lesson_id, LessonPrerequisite.id)
    )
    by_lesson: dict[int, list[LessonRefFacts]] = defaultdict(list)
    for lesson_id, pre_id, slug, title, course_slug, week_number in rows:
        by_lesson[lesson_id].append(LessonRefFacts(pre_id, slug, title, course_slug, week_number))
    return tuple(LessonPrerequisites(i, tuple(refs)) for i, refs in by_lesson.items())


async def load_viewer_progress(
    session: AsyncSession, viewer: Viewer, program: ProgramFacts
) -> ViewerProgress:
    """Three statements: the enrollment (refusing who may not enter), completions, certificates."""
    enrollment = await program_access(session, viewer, program)
    completions = await session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at_utc)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Week, Week.id == Lesson.week_id)
        .where(LessonProgress.user_id == viewer.user_id, Week.cohort_id == program.id)
    )
    certificates = await session.scalars(
        select(Certificate)
        .where(Certificate.user_id == viewer.user_id, Certificate.cohort_id == program.id)
        .order_by(Certificate.issued_at_utc, Certificate.id)
    )
    return ViewerProgress(
        enrollment=enrollment,
        completions=tuple(Completed(lesson_id, at) for lesson_id, at in completions),
        certificates=tuple(certificate_facts(c) for c in certificates),
    )


# --- assembling (pure) ------------------------------------------------------------------------


class _Viewing:
    """This viewer's completions against the shared structure's index: rows and views are made
    only for the lessons an answer shows."""

    def __init__(self, structure: ProgramStructure, progress: ViewerProgress, viewer: Viewer):
        self.structure = structure
        self.index = structure.index
        known = self.index.course_of
        self.done = {c.lesson_id: c.completed_at for c in progress.completions}
        self.done = {lesson_id: at for lesson_id, at in self.done.items() if lesson_id in known}
        self.completed_ids = set(self.done)
        self.standing = Standing(
            viewer.user_id,
            is_enrolled=progress.enrollment is not None,
            is_staff=viewer.is_staff_in(structure.program.id),
        )

    def row(self, lesson: StructureLesson) -> LessonRow:
        return LessonRow(lesson, lesson.week_number, lesson.release_at, self.done.get(lesson.id))

    def view(self, row: LessonRow, now: datetime) -> LessonView:
        return lesson_view(
            row,
            prerequisites=self.index.prerequisites.get(row.lesson.id, ()),
            completed_ids=self.completed_ids,
            standing=self.standing,
            now=now,
        )

    def is_available(self, lesson: StructureLesson, now: datetime) -> bool:
        access = rules.lesson_access(
            now=now,
            lesson_id=lesson.id,
            is_preview=lesson.is_preview,
            release_at=lesson.release_at,
            prerequisite_ids=[p.id for p in self.index.prerequisites.get(lesson.id, ())],
            is_enrolled=self.standing.is_enrolled,
            is_staff=self.standing.is_staff,
            completed_lesson_ids=self.completed_ids,
        )
        return access.status is rules.LessonStatus.AVAILABLE

    def course_progress(self, course_id: int) -> CourseProgressFacts:
        of = self.index.course_of
        times = [at for lesson_id, at in self.done.items() if of[lesson_id] == course_id]
        return progress_facts(
            course_id,
            total=self.index.course_totals.get(course_id, 0),
            done=len(times),
            last=max(times, default=None),
        )

    def week_counts(self, week_id: int) -> WeekCounts:
        of = self.index.week_of
        done = sum(1 for lesson_id in self.done if of[lesson_id] == week_id)
        return WeekCounts(week_id, len(self.index.week_lessons.get(week_id, ())), done)


def program_home(
    structure: ProgramStructure, progress: ViewerProgress, viewer: Viewer, now: datetime
) -> ProgramHomeData:
    viewing = _Viewing(structure, progress, viewer)
    # The first lesson in hub order the viewer can open now; only that one becomes a view.
    first = next((x for x in structure.lessons if viewing.is_available(x, now)), None)
    return ProgramHomeData(
        program=structure.program,
        standing=viewing.standing,
        enrollment=progress.enrollment,
        courses=structure.courses,
        progress=tuple(viewing.course_progress(c.id) for c in structure.courses),
        weeks=structure.weeks,
        week_counts=tuple(viewing.week_counts(w.id) for w in structure.weeks),
        next_lesson=viewing.view(viewing.row(first), now) if first is not None else None,
        certificates=progress.certificates,
        validity=validity(now, structure.weeks),
    )


def week_hub(
    structure: ProgramStructure,
    progress: ViewerProgress,
    viewer: Viewer,
    week_number: int,
    now: datetime,
) -> WeekHubData:
    week = next((w for w in structure.weeks if w.number == week_number), None)
    if week is None:
        raise DomainError(Code.NOT_FOUND, f"This program has no week {week_number}.")
    viewing = _Viewing(structure, progress, viewer)
    rows = [viewing.row(x) for x in viewing.index.week_lessons.get(week.id, ())]
    return WeekHubData(
        program=structure.program,
        standing=viewing.standing,
        courses=structure.courses,
        weeks=structure.weeks,
        week=week,
        counts=viewing.week_counts(week.id),
        lessons=tuple(viewing.view(row, now) for row in rows),
        validity=validity(now, [week]),
    )
