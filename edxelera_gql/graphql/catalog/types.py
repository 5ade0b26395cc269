"""GraphQL types of the catalog: Program, Course, WeekSummary, built from catalog read models."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import loaders
from edxelera_gql.catalog.read_models import CourseFacts, ProgramFacts, WeekFacts
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node
from edxelera_gql.learning.loaders import completed_count_by_user_week


@strawberry.type(description="A course of a program (a course belongs to one program).")
class Course(Node):
    slug: str
    title: str
    description: str

    @classmethod
    def from_facts(cls, course: CourseFacts) -> Course:
        return cls(
            id=global_id("Course", course.id),
            slug=course.slug,
            title=course.title,
            description=course.description,
        )


@strawberry.type(description="A week's title and times, without its content.")
class WeekSummary(Node):
    number: int
    title: str
    release_at: datetime
    is_released: bool
    assignment_deadline: datetime | None
    week_id: strawberry.Private[int]

    @classmethod
    def from_facts(cls, week: WeekFacts, now: datetime) -> WeekSummary:
        return cls(
            id=global_id("WeekSummary", week.id),
            number=week.number,
            title=week.title,
            release_at=week.release_at,
            is_released=now >= week.release_at,
            assignment_deadline=week.deadline,
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
class Program(Node):
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
    facts: strawberry.Private[ProgramFacts]

    @classmethod
    def from_facts(cls, program: ProgramFacts) -> Program:
        return cls(
            id=global_id("Program", program.id),
            slug=program.slug,
            title=program.title,
            description=program.description,
            start_at=program.start_at,
            end_at=program.end_at,
            timezone=program.timezone,
            price_minor=program.price_minor,
            currency=program.currency,
            late_join_enabled=program.late_join_enabled,
            enrollment_closes_at=program.enrollment_closes_at,
            facts=program,
        )

    @strawberry.field(description="End of the late-join window; null when late join is off.")
    def late_join_ends_at(self) -> datetime | None:
        return self.facts.late_join_ends_at

    @strawberry.field(description="Courses in program order.")
    async def courses(self, info: Info[Context, None]) -> list[Course]:
        courses = await info.context.loaders(loaders.courses_by_program).load(self.facts.id)
        return [Course.from_facts(c) for c in courses]

    @strawberry.field(description="Weeks in order: titles and times, no content.")
    async def weeks(self, info: Info[Context, None]) -> list[WeekSummary]:
        weeks = await info.context.loaders(loaders.weeks_by_program).load(self.facts.id)
        now = info.context.now()
        return [WeekSummary.from_facts(w, now) for w in weeks]
