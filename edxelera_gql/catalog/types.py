"""GraphQL types of the catalog: Program, Course, WeekSummary."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import loaders, schedule
from edxelera_gql.catalog.models import Cohort, Week
from edxelera_gql.catalog.models import Course as CourseModel
from edxelera_gql.graphql.context import Context
from edxelera_gql.learning.loaders import completed_count_by_user_week


@strawberry.type
class Course:
    id: strawberry.ID
    slug: str
    title: str
    description: str

    @classmethod
    def from_model(cls, course: CourseModel) -> Course:
        return cls(
            id=strawberry.ID(str(course.id)),
            slug=course.slug,
            title=course.title,
            description=course.description,
        )


@strawberry.type(description="A week's title and times, without its content.")
class WeekSummary:
    number: int
    title: str
    release_at: datetime
    is_released: bool
    assignment_deadline: datetime | None
    week_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, week: Week, now: datetime) -> WeekSummary:
        return cls(
            number=week.week_number,
            title=week.title,
            release_at=week.release_at_utc,
            is_released=now >= week.release_at_utc,
            assignment_deadline=week.assignment_deadline_utc,
            week_id=week.id,
        )

    @strawberry.field
    async def lesson_count(self, info: Info[Context, None]) -> int:
        return await info.context.loaders(loaders.lesson_count_by_week).load(self.week_id)

    @strawberry.field(description="Lessons of this week the viewer completed (0 when anonymous).")
    async def completed_lesson_count(self, info: Info[Context, None]) -> int:
        viewer = info.context.viewer
        if viewer is None:
            return 0
        return await info.context.loaders(completed_count_by_user_week).load(
            (viewer.user_id, self.week_id)
        )


@strawberry.type(description="A program (cohort): one calendar run of several courses.")
class Program:
    id: strawberry.ID
    slug: str
    title: str
    description: str
    start_at: datetime
    end_at: datetime
    timezone: str = strawberry.field(description="IANA time zone of the program's calendar.")
    price_minor: int = strawberry.field(description="Price in minor units; 0 means free.")
    currency: str
    late_join_enabled: bool
    enrollment_closes_at: datetime = strawberry.field(
        description="End of the regular enrollment window."
    )
    cohort: strawberry.Private[Cohort]

    @classmethod
    def from_model(cls, cohort: Cohort) -> Program:
        return cls(
            id=strawberry.ID(str(cohort.id)),
            slug=cohort.slug,
            title=cohort.title,
            description=cohort.description,
            start_at=cohort.start_at_utc,
            end_at=cohort.end_at_utc,
            timezone=cohort.timezone,
            price_minor=cohort.price_minor,
            currency=cohort.currency,
            late_join_enabled=cohort.late_join_enabled,
            enrollment_closes_at=schedule.enrollment_closes_at(
                cohort.start_at_utc, cohort.enrollment_close_hours_before_start
            ),
            cohort=cohort,
        )

    @strawberry.field(description="End of the late-join window; null when late join is off.")
    async def late_join_ends_at(self, info: Info[Context, None]) -> datetime | None:
        if not self.cohort.late_join_enabled:
            return None
        weeks = await info.context.loaders(loaders.weeks_by_cohort).load(self.cohort.id)
        week_two = next((w.release_at_utc for w in weeks if w.week_number == 2), None)
        return schedule.late_join_ends_at(
            self.cohort.start_at_utc, True, self.cohort.late_join_days, week_two
        )

    @strawberry.field(description="Courses in program order.")
    async def courses(self, info: Info[Context, None]) -> list[Course]:
        courses = await info.context.loaders(loaders.courses_by_cohort).load(self.cohort.id)
        return [Course.from_model(c) for c in courses]

    @strawberry.field(description="Weeks in order: titles and times, no content.")
    async def weeks(self, info: Info[Context, None]) -> list[WeekSummary]:
        weeks = await info.context.loaders(loaders.weeks_by_cohort).load(self.cohort.id)
        now = info.context.now()
        return [WeekSummary.from_model(w, now) for w in weeks]
