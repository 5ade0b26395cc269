"""Reading the catalog: programs, their courses and weeks, as read models.

Every function takes a session and returns frozen values (``catalog.read_models``); the
statements are few and fixed whatever the size of a program.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.catalog.models import Assignment, Cohort, CohortCourse, Course, Week
from edxelera_gql.catalog.read_models import AssignmentFacts, CourseFacts, ProgramFacts, WeekFacts
from edxelera_gql.db.program_staff import ProgramStaff


def _week_two_release() -> Any:
    # An alias correlated only to the program, so queries that also join weeks keep theirs.
    week = aliased(Week)
    return (
        select(week.release_at_utc)
        .where(week.cohort_id == Cohort.id, week.week_number == 2)
        .correlate(Cohort)
        .scalar_subquery()
    )


def program_columns() -> list[Any]:
    """The columns ``program_from_row`` reads, in order (for queries that add their own)."""
    return [
        Cohort.id,
        Cohort.slug,
        Cohort.title,
        Cohort.description,
        Cohort.start_at_utc,
        Cohort.end_at_utc,
        Cohort.timezone,
        Cohort.late_join_enabled,
        Cohort.late_join_days,
        Cohort.enrollment_close_hours_before_start,
        Cohort.published,
        Cohort.price_minor,
        Cohort.currency,
        _week_two_release(),
    ]


PROGRAM_WIDTH = 14


def program_from_row(row: Sequence[Any]) -> ProgramFacts:
    """The first ``PROGRAM_WIDTH`` values of a row selected with ``program_columns()``."""
    return ProgramFacts(*row[:PROGRAM_WIDTH])


def _programs() -> Select[Any]:
    return select(*program_columns())


async def list_programs(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    after: tuple[datetime, int] | None = None,
    include_ended: bool = False,
    include_unpublished: bool = False,
) -> list[ProgramFacts]:
    """Programs by start time (soonest first), keyset-paginated on (start, id)."""
    query = _programs().order_by(Cohort.start_at_utc, Cohort.id).limit(limit)
    if not include_unpublished:
        query = query.where(Cohort.published.is_(True))
    if not include_ended:
        query = query.where(Cohort.end_at_utc > now)
    if after is not None:
        start, cohort_id = after
        query = query.where(
            or_(
                Cohort.start_at_utc > start,
                and_(Cohort.start_at_utc == start, Cohort.id > cohort_id),
            )
        )
    return [program_from_row(row) for row in await session.execute(query)]


async def get_program(
    session: AsyncSession, slug: str, *, include_unpublished: bool = False
) -> ProgramFacts | None:
    query = _programs().where(Cohort.slug == slug)
    if not include_unpublished:
        query = query.where(Cohort.published.is_(True))
    row = (await session.execute(query)).one_or_none()
    return program_from_row(row) if row is not None else None


async def get_program_by_id(session: AsyncSession, cohort_id: int) -> ProgramFacts | None:
    """Published or not: callers check who may see it."""
    row = (await session.execute(_programs().where(Cohort.id == cohort_id))).one_or_none()
    return program_from_row(row) if row is not None else None


async def programs_staffed_by(
    session: AsyncSession, user_id: int
) -> list[tuple[ProgramFacts, str]]:
    """The programs the user is assigned to with their role there, by start; one statement."""
    query = (
        select(*program_columns(), ProgramStaff.role)
        .join(ProgramStaff, ProgramStaff.cohort_id == Cohort.id)
        .where(ProgramStaff.user_id == user_id)
        .order_by(Cohort.start_at_utc, Cohort.id)
    )
    return [(program_from_row(row[:-1]), str(row[-1])) for row in await session.execute(query)]


def course_facts(course: Course) -> CourseFacts:
    return CourseFacts(course.id, course.slug, course.title, course.description)


def week_facts(week: Week, assignment: Assignment | None) -> WeekFacts:
    return WeekFacts(
        id=week.id,
        number=week.week_number,
        title=week.title,
        release_at=week.release_at_utc,
        deadline=week.assignment_deadline_utc,
        assignment=AssignmentFacts(
            assignment.title,
            assignment.instructions,
            assignment.submission_type,
            assignment.max_score,
        )
        if assignment is not None
        else None,
        live_title=week.live_session_title,
        live_start=week.live_session_start_utc,
        live_end=week.live_session_end_utc,
        live_url=week.live_session_url,
    )


async def courses_by_program(
    session: AsyncSession, cohort_ids: Sequence[int]
) -> list[list[CourseFacts]]:
    """Each program's courses in program order (one statement for all)."""
    rows = await session.execute(
        select(CohortCourse.cohort_id, Course)
        .join(Course, Course.id == CohortCourse.course_id)
        .where(CohortCourse.cohort_id.in_(cohort_ids))
        .order_by(CohortCourse.cohort_id, CohortCourse.sort_order)
    )
    grouped: dict[int, list[CourseFacts]] = defaultdict(list)
    for cohort_id, course in rows:
        grouped[cohort_id].append(course_facts(course))
    return [grouped[i] for i in cohort_ids]


async def weeks_by_program(
    session: AsyncSession, cohort_ids: Sequence[int]
) -> list[list[WeekFacts]]:
    """Each program's weeks in order, with assignments (one statement for all)."""
    rows = await session.execute(
        select(Week, Assignment)
        .outerjoin(Assignment, Assignment.week_id == Week.id)
        .where(Week.cohort_id.in_(cohort_ids))
        .order_by(Week.cohort_id, Week.week_number)
    )
    grouped: dict[int, list[WeekFacts]] = defaultdict(list)
    for week, assignment in rows:
        grouped[week.cohort_id].append(week_facts(week, assignment))
    return [grouped[i] for i in cohort_ids]


async def courses_of(session: AsyncSession, cohort_id: int) -> list[CourseFacts]:
    return (await courses_by_program(session, [cohort_id]))[0]


async def weeks_of(session: AsyncSession, cohort_id: int) -> list[WeekFacts]:
    return (await weeks_by_program(session, [cohort_id]))[0]
