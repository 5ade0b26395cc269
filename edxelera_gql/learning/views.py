"""Program lookups, the program access rule, and course progress as a read model.

Each read takes one session and issues a fixed number of statements whatever the program's
size (the rows come back in one statement per kind, and the rules run in Python).
"""

from __future__ import annotations

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
from edxelera_gql.learning.lessons import (
    course_counts,
    progress_facts,
)
from edxelera_gql.learning.read_models import (
    CourseProgressData,
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
    if enrollment is None and not viewer.is_staff_in(program.id):
        raise refusal(program)
    return enrollment_facts(enrollment) if enrollment is not None else None


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
        chosen = next((i for i, p in enumerate(programs) if viewer.is_staff_in(p.id)), None)
    if chosen is None:
        published = [p for p in programs if p.published]
        raise refusal(published[0] if published else programs[0])
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
