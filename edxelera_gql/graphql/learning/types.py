"""GraphQL types of the learning views, built from the services' snapshots.

Time-dependent values that need nothing but the schedule (released, past deadline, live
status, current week, next deadline and live session) are computed here with the request's
clock; lesson statuses come from the read model. The catalog's loaders are primed with the
read model's own values, so `program { courses weeks }` and the week counts need no more SQL
(none at all when the read model came from the cache).
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog.read_models import CourseFacts, WeekFacts
from edxelera_gql.discussion.loaders import ThreadSummary, summary_by_cohort_week
from edxelera_gql.errors import DomainError
from edxelera_gql.graphql.catalog.types import Course, Program, WeekSummary
from edxelera_gql.graphql.certificates.types import Certificate
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.discussion.types import DiscussionSummary
from edxelera_gql.graphql.enrollment.types import Enrollment
from edxelera_gql.graphql.enums import ErrorCode, LessonStatus, LiveSessionStatus
from edxelera_gql.graphql.errors import UserError, user_errors
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node
from edxelera_gql.learning import rules
from edxelera_gql.learning.read_models import (
    CourseProgressFacts,
    LessonView,
    Standing,
)


@strawberry.type(description="A lesson named as a prerequisite.")
class LessonRef:
    id: strawberry.ID = strawberry.field(
        description="The prerequisite lesson's own id: `node(id:)` answers its `LessonItem`."
    )
    slug: str
    title: str
    course_slug: str
    week_number: int


@strawberry.type(description="A lesson as the viewer sees it: open, completed, or locked and why.")
class LessonItem(Node):
    slug: str
    title: str
    description: str
    course: Course
    week_number: int
    sort_order: int
    duration_seconds: int
    is_preview: bool
    has_video: bool
    status: LessonStatus  # type: ignore[valid-type]
    lock_reason: ErrorCode | None  # type: ignore[valid-type]
    unlocks_at: datetime | None = strawberry.field(
        description="With WEEK_NOT_RELEASED: when the week opens."
    )
    missing_prerequisites: list[LessonRef] = strawberry.field(
        description="With PREREQUISITES_INCOMPLETE: the lessons to complete first."
    )
    completed_at: datetime | None

    @classmethod
    def from_view(cls, view: LessonView, course: Course) -> LessonItem:
        return cls(
            id=global_id("LessonItem", view.id),
            slug=view.slug,
            title=view.title,
            description=view.description,
            course=course,
            week_number=view.week_number,
            sort_order=view.sort_order,
            duration_seconds=view.duration_seconds,
            is_preview=view.is_preview,
            has_video=view.has_video,
            status=view.status,
            lock_reason=view.lock_reason,
            unlocks_at=view.unlocks_at,
            missing_prerequisites=[
                LessonRef(
                    id=global_id("LessonItem", p.id),
                    slug=p.slug,
                    title=p.title,
                    course_slug=p.course_slug,
                    week_number=p.week_number,
                )
                for p in view.missing_prerequisites
            ],
            completed_at=view.completed_at,
        )


@strawberry.type(description="A week's assignment.")
class Assignment(Node):
    week_number: int
    title: str
    instructions: str
    submission_type: str
    max_score: int | None
    deadline: datetime
    is_past_deadline: bool

    @classmethod
    def from_week(cls, week: WeekFacts, now: datetime) -> Assignment | None:
        if week.assignment is None or week.deadline is None:
            return None
        return cls(
            id=global_id("Assignment", week.id),
            week_number=week.number,
            title=week.assignment.title,
            instructions=week.assignment.instructions,
            submission_type=week.assignment.submission_type,
            max_score=week.assignment.max_score,
            deadline=week.deadline,
            is_past_deadline=rules.is_past_deadline(now, week.deadline),
        )


@strawberry.type(description="A week's live session; the link only for its students and staff.")
class LiveSession(Node):
    week_number: int
    title: str
    start_at: datetime
    end_at: datetime
    url: str | None = strawberry.field(
        description="For enrolled students and staff, once the week is released."
    )
    status: LiveSessionStatus  # type: ignore[valid-type]

    @classmethod
    def from_week(cls, week: WeekFacts, now: datetime, standing: Standing) -> LiveSession | None:
        if week.live_start is None or week.live_end is None:
            return None
        visible = rules.live_session_url_visible(
            is_enrolled=standing.is_enrolled,
            is_staff=standing.is_staff,
            week_released=rules.is_released(now, week.release_at),
        )
        return cls(
            id=global_id("LiveSession", week.id),
            week_number=week.number,
            title=week.live_title or week.title,
            start_at=week.live_start,
            end_at=week.live_end,
            url=week.live_url if visible else None,
            status=rules.live_session_status(now, week.live_start, week.live_end),
        )


@strawberry.type(description="The viewer's progress through one course.")
class CourseProgress(Node):
    course: Course
    completed_lessons: int
    total_lessons: int
    percent_complete: float = strawberry.field(description="0-100, two decimals.")
    completed_at: datetime | None
    certificate: Certificate | None

    @classmethod
    def build(
        cls, facts: CourseProgressFacts, course: Course, certificate: Certificate | None
    ) -> CourseProgress:
        return cls(
            id=global_id("CourseProgress", facts.course_id),
            course=course,
            completed_lessons=facts.completed_lessons,
            total_lessons=facts.total_lessons,
            percent_complete=float(facts.percent_complete),
            completed_at=facts.completed_at,
            certificate=certificate,
        )


@strawberry.type(description="A program from the viewer's seat: progress, schedule, what's next.")
class ProgramHome(Node):
    program: Program
    enrollment: Enrollment | None = strawberry.field(
        description="Null only for staff viewing without an enrollment."
    )
    courses: list[CourseProgress] = strawberry.field(description="In program order.")
    weeks: list[WeekSummary]
    current_week: WeekSummary | None = strawberry.field(description="The highest released week.")
    next_lesson: LessonItem | None = strawberry.field(
        description="The first available lesson not completed yet, in release order."
    )
    next_deadline: Assignment | None = strawberry.field(
        description="The assignment with the earliest deadline still ahead."
    )
    next_live_session: LiveSession | None = strawberry.field(
        description="The live session on now, or the next one to start."
    )
    certificates: list[Certificate] = strawberry.field(
        description="The viewer's certificates earned in this program."
    )


@strawberry.type(description="One week: its lessons, assignment, live session and discussion.")
class WeekHub(Node):
    program: Program
    week: WeekSummary
    lessons: list[LessonItem] = strawberry.field(description="Course order, then sort order.")
    assignment: Assignment | None
    live_session: LiveSession | None
    cohort_id: strawberry.Private[int]
    week_number: strawberry.Private[int]
    show_discussion: strawberry.Private[bool]

    @strawberry.field(description="Thread id, post count, last post time (empty until released).")
    async def discussion(self, info: Info[Context, None]) -> DiscussionSummary:
        if not self.show_discussion:
            return DiscussionSummary.from_summary(ThreadSummary(None, 0, None), self.week.week_id)
        summary = await info.context.loaders(summary_by_cohort_week).load(
            (self.cohort_id, self.week_number)
        )
        return DiscussionSummary.from_summary(summary, self.week.week_id)


@strawberry.type
class CalendarFeedPayload:
    url: str | None = strawberry.field(default=None, description="The new feed URL.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CompleteLessonInput:
    course_slug: str
    lesson_slug: str


@strawberry.type
class CompleteLessonPayload:
    lesson: LessonItem | None = strawberry.field(
        default=None, description="The lesson; when it is locked, with the reason."
    )
    course_progress: CourseProgress | None = None
    issued_certificates: list[Certificate] = strawberry.field(
        default_factory=list, description="Certificates this completion issued."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_error(cls, error: DomainError) -> CompleteLessonPayload:
        # A locked lesson comes back with the reason, so the client can show why.
        lesson, course = error.details.get("lesson"), error.details.get("course")
        return cls(
            lesson=LessonItem.from_view(lesson, Course.from_facts(course))
            if isinstance(lesson, LessonView) and isinstance(course, CourseFacts)
            else None,
            errors=user_errors(error),
        )


@strawberry.type(description="A short-lived signed URL to a lesson's video.")
class LessonPlayback:
    url: str
    expires_at: datetime
    mime_type: str
    signed_query: str | None = strawberry.field(
        default=None,
        description="HLS only: append this query string to every segment and playlist URL "
        "of the asset's folder.",
    )
