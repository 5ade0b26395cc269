"""Where an object lives in the catalog, by primary key: the slugs and week number that the
fields exposing it take, so fetching it by id goes through the same access checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Cohort, CohortCourse, Course, Lesson, Week


@dataclass(frozen=True)
class Place:
    program_slug: str
    week_number: int | None = None
    course_slug: str | None = None


Locator = Callable[[AsyncSession, int], Awaitable["Place | None"]]


async def program(session: AsyncSession, program_id: int) -> Place | None:
    slug = await session.scalar(select(Cohort.slug).where(Cohort.id == program_id))
    return Place(slug) if slug is not None else None


async def course(session: AsyncSession, course_id: int) -> Place | None:
    row = (
        await session.execute(
            select(Cohort.slug, Course.slug)
            .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
            .join(Course, Course.id == CohortCourse.course_id)
            .where(Course.id == course_id)
            .limit(1)
        )
    ).first()
    return Place(row[0], course_slug=row[1]) if row is not None else None


async def week(session: AsyncSession, week_id: int) -> Place | None:
    row = (
        await session.execute(
            select(Cohort.slug, Week.week_number)
            .join(Week, Week.cohort_id == Cohort.id)
            .where(Week.id == week_id)
        )
    ).first()
    return Place(row[0], week_number=row[1]) if row is not None else None


async def lesson(session: AsyncSession, lesson_id: int) -> Place | None:
    row = (
        await session.execute(
            select(Cohort.slug, Week.week_number, Course.slug)
            .join(Week, Week.cohort_id == Cohort.id)
            .join(Lesson, Lesson.week_id == Week.id)
            .join(Course, Course.id == Lesson.course_id)
            .where(Lesson.id == lesson_id)
        )
    ).first()
    return Place(row[0], week_number=row[1], course_slug=row[2]) if row is not None else None


async def week_of_program(session: AsyncSession, program_id: int, number: int) -> Place | None:
    row = (
        await session.execute(
            select(Cohort.slug)
            .join(Week, Week.cohort_id == Cohort.id)
            .where(Cohort.id == program_id, Week.week_number == number)
        )
    ).first()
    return Place(row[0], week_number=number) if row is not None else None
