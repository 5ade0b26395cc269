"""GraphQL types of the catalog: Program, Course, WeekSummary, built from catalog read models."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import loaders
from edxelera_gql.catalog.read_models import CourseFacts, ProgramFacts, WeekFacts
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import STAFF
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node
from edxelera_gql.learning.loaders import completed_count_by_user_week


@strawberry.type(
    description="A course of a program (a course belongs to one program). Readable by whoever "
    "may read its program; its lessons are listed per week (WeekHub.lessons)."
)
class Course(Node):
    slug: str = strawberry.field(
        description="Unique, URL-safe and stable (a-z, 0-9, '-'): use it in URLs and as "
        "`courseSlug`."
    )
    title: str = strawberry.field(description="The course's name, plain text.")
    description: str = strawberry.field(
        description="A summary for course pages, plain text (may be empty)."
    )

    @classmethod
    def from_facts(cls, course: CourseFacts) -> Course:
        return cls(
            id=global_id("Course", course.id),
            slug=course.slug,
            title=course.title,
            description=course.description,
        )


@strawberry.type(
    description="A week of a program: its title and times, without its content. Readable by "
    "whoever may read its program; the content is in `weekHub`."
)
class WeekSummary(Node):
    number: int = strawberry.field(
        description="1 for the first week, then consecutive; pass it as `weekNumber`."
    )
    title: str = strawberry.field(description="The week's title, plain text.")
    release_at: datetime = strawberry.field(
        description="When the week opens (inclusive): its lessons unlock for enrolled "
        "students, its live session link and discussion appear."
    )
    is_released: bool = strawberry.field(
        description="`releaseAt` has passed, by the server's clock at the time of the request."
    )
    assignment_deadline: datetime | None = strawberry.field(
        description="The deadline of the week's assignment; null when the week has none."
    )
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

    @strawberry.field(
        description="Lessons in this week, across the program's courses (locked ones too)."
    )
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


@strawberry.type(
    description="A program (cohort): one calendar run of several courses, released week by "
    "week. Published programs are public (anyone, signed in or not); unpublished ones only "
    f"{STAFF} see, through `program(slug:)` and `node(id:)`."
)
class Program(Node):
    slug: str = strawberry.field(
        description="Unique, URL-safe and stable (a-z, 0-9, '-'): use it in URLs and as "
        "`programSlug`."
    )
    title: str = strawberry.field(description="The program's name, plain text.")
    description: str = strawberry.field(
        description="A summary for catalog pages, plain text (may be empty)."
    )
    start_at: datetime = strawberry.field(
        description="When the program starts; week 1 is normally released then."
    )
    end_at: datetime = strawberry.field(
        description="When the program ends: from then on nobody can enroll (PROGRAM_ENDED) and "
        "`programs` leaves it out unless `includeEnded`."
    )
    timezone: str = strawberry.field(
        description="IANA time zone the program's calendar is planned in (e.g. Africa/Lagos): "
        "weeks release at the same local wall-clock time across daylight-saving changes. "
        "Every DateTime is still UTC; use this zone to show times as the program means them."
    )
    price_minor: int = strawberry.field(
        description="Price in the currency's minor unit (kobo for NGN: 15000000 is "
        "150,000.00 NGN); 0 means free, and initPayment then enrolls at once."
    )
    currency: str = strawberry.field(
        description="ISO 4217 code of the price, three capital letters (e.g. NGN)."
    )
    late_join_enabled: bool = strawberry.field(
        description="Whether students may still enroll after the regular window, until "
        "`lateJoinEndsAt`."
    )
    enrollment_closes_at: datetime = strawberry.field(
        description="End of the regular enrollment window (exclusive): a number of hours set "
        "per program (48 by default) before `startAt`."
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

    @strawberry.field(
        description="End of the late-join window (exclusive), which follows the regular one "
        "without a gap: `startAt` plus the program's late-join days (7 by default), but never "
        "after week 2's release. Null when late join is off."
    )
    def late_join_ends_at(self) -> datetime | None:
        return self.facts.late_join_ends_at

    @strawberry.field(description="The program's courses, in program order.")
    async def courses(self, info: Info[Context, None]) -> list[Course]:
        courses = await info.context.loaders(loaders.courses_by_program).load(self.facts.id)
        return [Course.from_facts(c) for c in courses]

    @strawberry.field(
        description="The program's weeks in order (1, 2, ...): titles and times, no content."
    )
    async def weeks(self, info: Info[Context, None]) -> list[WeekSummary]:
        weeks = await info.context.loaders(loaders.weeks_by_program).load(self.facts.id)
        now = info.context.now()
        return [WeekSummary.from_facts(w, now) for w in weeks]
