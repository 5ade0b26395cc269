"""Program home, week hub and course progress as read models.

Each read takes one session and issues a fixed number of statements whatever the program's
size (the rows come back in one statement per kind, and the rules run in Python).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog import service as catalog
from edxelera_gql.catalog.models import Cohort, CohortCourse, Course
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.certificates.issuance import certificate_facts, course_scope_key
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.enrollment.access import active_enrollment
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.enrollment.read_models import EnrollmentFacts
from edxelera_gql.enrollment.rows import enrollment_facts
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.learning import rules
from edxelera_gql.learning.lessons import (
    LessonRow,
    course_counts,
    course_progress,
    in_hub_order,
    lesson_view,
    lessons_of,
    prerequisites_of,
    progress_facts,
    validity,
)
from edxelera_gql.learning.read_models import (
    CourseProgressData,
    ProgramHomeData,
    Standing,
    WeekCounts,
    WeekHubData,
)


async def find_program(session: AsyncSession, slug: str) -> ProgramFacts:
    program = await catalog.get_program(session, slug, include_unpublished=True)
    if program is None:
        raise DomainError(Code.NOT_FOUND, "Program not found.")
    return program


async def find_program_by_id(session: AsyncSession, cohort_id: int) -> ProgramFacts:
    program = await catalog.get_program_by_id(session, cohort_id)
    if program is None:
        raise DomainError(Code.NOT_FOUND, "Program not found.")
    return program


def refusal(program: ProgramFacts) -> DomainError:
    # An unpublished program does not exist for those who may not see it.
    if not program.published:
        return DomainError(Code.NOT_FOUND, "Program not found.")
    return DomainError(Code.NOT_ENROLLED, "Enroll in this program to see it.")


async def program_access(
    session: AsyncSession, viewer: Viewer, program: ProgramFacts
) -> EnrollmentFacts | None:
    """The viewer's active enrollment; staff may go without one. Anyone else is refused."""
    enrollment = await active_enrollment(session, user_id=viewer.user_id, cohort_id=program.id)
    if enrollment is None and not viewer.is_staff:
        raise refusal(program)
    return enrollment_facts(enrollment) if enrollment is not None else None


def _standing(viewer: Viewer, enrollment: EnrollmentFacts | None) -> Standing:
    return Standing(viewer.user_id, is_enrolled=enrollment is not None, is_staff=viewer.is_staff)


async def load_program_home(
    session: AsyncSession, *, program: ProgramFacts, viewer: Viewer, now: datetime
) -> ProgramHomeData:
    """Everything program home shows, in six statements (plus the caller's program lookup)."""
    enrollment = await program_access(session, viewer, program)
    standing = _standing(viewer, enrollment)
    courses = await catalog.courses_of(session, program.id)
    weeks = await catalog.weeks_of(session, program.id)
    lessons = await lessons_of(session, user_id=viewer.user_id, cohort_id=program.id)
    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, cohort_id=program.id)
    certificate_rows = await session.scalars(
        select(Certificate)
        .where(Certificate.user_id == viewer.user_id, Certificate.cohort_id == program.id)
        .order_by(Certificate.issued_at_utc, Certificate.id)
    )

    completed_ids = {r.lesson.id for r in lessons if r.completed_at} | prerequisites.completed_ids
    by_course: dict[int, list[LessonRow]] = defaultdict(list)
    by_week: dict[int, list[LessonRow]] = defaultdict(list)
    for row in lessons:
        by_course[row.lesson.course_id].append(row)
        by_week[row.lesson.week_id].append(row)

    next_lesson = None
    for row in in_hub_order(lessons, [c.id for c in courses]):
        view = lesson_view(
            row,
            prerequisites=prerequisites.by_lesson.get(row.lesson.id, []),
            completed_ids=completed_ids,
            standing=standing,
            now=now,
        )
        if view.status is rules.LessonStatus.AVAILABLE:
            next_lesson = view
            break

    return ProgramHomeData(
        program=program,
        standing=standing,
        enrollment=enrollment,
        courses=tuple(courses),
        progress=tuple(course_progress(c.id, by_course[c.id]) for c in courses),
        weeks=tuple(weeks),
        week_counts=tuple(
            WeekCounts(
                w.id,
                len(by_week[w.id]),
                sum(1 for r in by_week[w.id] if r.completed_at is not None),
            )
            for w in weeks
        ),
        next_lesson=next_lesson,
        certificates=tuple(certificate_facts(c) for c in certificate_rows),
        validity=validity(now, weeks),
    )


async def load_week_hub(
    session: AsyncSession,
    *,
    program: ProgramFacts,
    viewer: Viewer,
    week_number: int,
    now: datetime,
) -> WeekHubData:
    """One week as the viewer sees it, in five statements (plus the caller's program lookup)."""
    enrollment = await program_access(session, viewer, program)
    standing = _standing(viewer, enrollment)
    weeks = await catalog.weeks_of(session, program.id)
    week = next((w for w in weeks if w.number == week_number), None)
    if week is None:
        raise DomainError(Code.NOT_FOUND, f"This program has no week {week_number}.")
    courses = await catalog.courses_of(session, program.id)
    rows = await lessons_of(session, user_id=viewer.user_id, cohort_id=program.id, week_id=week.id)
    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, week_id=week.id)
    completed_ids = {r.lesson.id for r in rows if r.completed_at} | prerequisites.completed_ids
    lessons = tuple(
        lesson_view(
            row,
            prerequisites=prerequisites.by_lesson.get(row.lesson.id, []),
            completed_ids=completed_ids,
            standing=standing,
            now=now,
        )
        for row in in_hub_order(rows, [c.id for c in courses])
    )
    return WeekHubData(
        program=program,
        standing=standing,
        courses=tuple(courses),
        weeks=tuple(weeks),
        week=week,
        counts=WeekCounts(week.id, len(rows), sum(1 for r in rows if r.completed_at is not None)),
        lessons=lessons,
        validity=validity(now, [week]),
    )


async def load_course_progress(
    session: AsyncSession, *, course_slug: str, viewer: Viewer
) -> CourseProgressData:
    """The viewer's progress in a course of a program they study (staff: any), 3 statements."""
    rows = (
        await session.execute(
            select(Course, Enrollment.id, *catalog.program_columns())
            .join(CohortCourse, CohortCourse.course_id == Course.id)
            .join(Cohort, Cohort.id == CohortCourse.cohort_id)
            .outerjoin(
                Enrollment,
                and_(
                    Enrollment.cohort_id == Cohort.id,
                    Enrollment.user_id == viewer.user_id,
                    Enrollment.status == EnrollmentStatus.ACTIVE,
                ),
            )
            .where(Course.slug == course_slug)
            .order_by(Cohort.start_at_utc, Cohort.id)
        )
    ).all()
    if not rows:
        raise DomainError(Code.NOT_FOUND, "Course not found.")
    programs = [catalog.program_from_row(r[2:]) for r in rows]
    # A course normally sits in one program; if several, the one the viewer studies wins.
    chosen = next((i for i, r in enumerate(rows) if r[1] is not None), None)
    if chosen is None:
        if not viewer.is_staff:
            published = [p for p in programs if p.published]
            raise refusal(published[0] if published else programs[0])
        chosen = 0
    course, program = rows[chosen][0], programs[chosen]
    total, done, last = await course_counts(session, user_id=viewer.user_id, course_id=course.id)
    certificate = await session.scalar(
        select(Certificate).where(
            Certificate.scope_key == course_scope_key(viewer.user_id, course.id)
        )
    )
    return CourseProgressData(
        program=program,
        course=catalog.course_facts(course),
        progress=progress_facts(course.id, total=total, done=done, last=last),
        certificate=certificate_facts(certificate) if certificate else None,
    )
