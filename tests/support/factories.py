"""Builds catalog rows directly, for tests that need data shaped a certain way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Cohort, CohortCourse, Course, Lesson, Week


async def make_program(
    session: AsyncSession,
    *,
    slug: str,
    courses: int = 1,
    weeks: int = 1,
    lessons_per_week: int = 1,
    start: datetime | None = None,
    published: bool = True,
    late_join_enabled: bool = False,
    price_minor: int = 0,
) -> Cohort:
    start = start or datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    cohort = Cohort(
        slug=slug,
        title=f"Program {slug}",
        description="",
        start_at_utc=start,
        end_at_utc=start + timedelta(weeks=weeks + 1),
        timezone="Africa/Lagos",
        late_join_enabled=late_join_enabled,
        late_join_days=7,
        enrollment_close_hours_before_start=48,
        published=published,
        price_minor=price_minor,
        currency="NGN",
    )
    session.add(cohort)
    await session.flush()
    course_rows = []
    for i in range(courses):
        course = Course(slug=f"{slug}-c{i}", title=f"Course {i}", description="")
        session.add(course)
        course_rows.append(course)
    await session.flush()
    session.add_all(
        CohortCourse(cohort_id=cohort.id, course_id=c.id, sort_order=i)
        for i, c in enumerate(course_rows)
    )
    for n in range(1, weeks + 1):
        week = Week(
            cohort_id=cohort.id,
            week_number=n,
            title=f"Week {n}",
            release_at_utc=start + timedelta(weeks=n - 1),
        )
        session.add(week)
        await session.flush()
        for j in range(lessons_per_week):
            course = course_rows[j % len(course_rows)]
            session.add(
                Lesson(
                    course_id=course.id,
                    week_id=week.id,
                    slug=f"w{n}-l{j}",
                    title=f"Lesson {n}.{j}",
                    description="",
                    sort_order=j,
                    duration_seconds=60,
                )
            )
    await session.flush()
    return cohort
