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
from edxelera_gql.graphql.descriptions import PAYLOAD_ERRORS
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
    slug: str = strawberry.field(description="The lesson's slug, unique within its course.")
    title: str = strawberry.field(description="The lesson's title, plain text.")
    course_slug: str = strawberry.field(description="The slug of the lesson's course.")
    week_number: int = strawberry.field(description="The week the lesson is released in.")


@strawberry.type(
    description="A lesson as the viewer sees it: open, completed, or locked and why. Lessons "
    "appear in weekHub, programHome and completeLesson; `node(id:)` answers one like its "
    "week's weekHub does."
)
class LessonItem(Node):
    slug: str = strawberry.field(
        description="Unique within its course; pass it as `lessonSlug` with the course's slug."
    )
    title: str = strawberry.field(description="The lesson's title, plain text.")
    description: str = strawberry.field(
        description="A summary of the lesson, plain text (may be empty)."
    )
    course: Course = strawberry.field(description="The course the lesson belongs to.")
    week_number: int = strawberry.field(description="The week the lesson is released in.")
    sort_order: int = strawberry.field(
        description="Position within its week as authored (lists order lessons by course, "
        "then by this)."
    )
    duration_seconds: int = strawberry.field(description="Length of the lesson, in seconds.")
    is_preview: bool = strawberry.field(
        description="A free sample: open to anyone, signed in or not, enrolled or not, "
        "released or not."
    )
    has_video: bool = strawberry.field(
        description="The lesson has a video; lessonPlayback answers VIDEO_NOT_READY while it "
        "is still processing."
    )
    status: LessonStatus = strawberry.field(  # type: ignore[valid-type]
        description="Whether the viewer may open it now (see LessonStatus)."
    )
    lock_reason: ErrorCode | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it is LOCKED: NOT_ENROLLED, WEEK_NOT_RELEASED or "
        "PREREQUISITES_INCOMPLETE. Null when not locked; staff never see a lock."
    )
    unlocks_at: datetime | None = strawberry.field(
        description="With WEEK_NOT_RELEASED: when the week opens; null otherwise."
    )
    missing_prerequisites: list[LessonRef] = strawberry.field(
        description="With PREREQUISITES_INCOMPLETE: the lessons to complete first, in the "
        "order the lesson lists them; empty otherwise."
    )
    completed_at: datetime | None = strawberry.field(
        description="When the viewer completed it; null if they have not."
    )

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


@strawberry.type(
    description="A week's assignment, readable like its week's weekHub (an ACTIVE enrollment "
    "or staff)."
)
class Assignment(Node):
    week_number: int = strawberry.field(description="The week it belongs to.")
    title: str = strawberry.field(description="The assignment's title, plain text.")
    instructions: str = strawberry.field(description="What to do, plain text.")
    submission_type: str = strawberry.field(
        description="How the work is handed in: `text`, `url` or `file`."
    )
    max_score: int | None = strawberry.field(
        description="The highest score it can get; null when it is not scored."
    )
    deadline: datetime = strawberry.field(
        description="The deadline; by default the next week's release."
    )
    is_past_deadline: bool = strawberry.field(
        description="The deadline has passed (at the deadline instant it has), by the server's "
        "clock at the time of the request."
    )

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


@strawberry.type(
    description="A week's live session, readable like its week's weekHub; the meeting link "
    "only for the program's students and staff."
)
class LiveSession(Node):
    week_number: int = strawberry.field(description="The week it belongs to.")
    title: str = strawberry.field(
        description="The session's own title, or the week's when it has none."
    )
    start_at: datetime = strawberry.field(description="When it starts.")
    end_at: datetime = strawberry.field(description="When it ends (exclusive).")
    url: str | None = strawberry.field(
        description="The meeting link, for students with an ACTIVE enrollment and staff once "
        "the week is released; null otherwise, or when the session has no link."
    )
    status: LiveSessionStatus = strawberry.field(  # type: ignore[valid-type]
        description="Upcoming, live or ended, at the time of the request."
    )

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


@strawberry.type(
    description="The viewer's progress through one course (courseProgress, programHome, "
    "completeLesson); `node(id:)` answers it like courseProgress."
)
class CourseProgress(Node):
    course: Course = strawberry.field(description="The course.")
    completed_lessons: int = strawberry.field(
        description="Lessons of the course the viewer completed."
    )
    total_lessons: int = strawberry.field(description="Lessons in the course.")
    percent_complete: float = strawberry.field(
        description="0 to 100 with two decimals; 100 only when every lesson is completed."
    )
    completed_at: datetime | None = strawberry.field(
        description="When the last lesson was completed; null until all are."
    )
    certificate: Certificate | None = strawberry.field(
        description="The viewer's course certificate, issued when the course is completed; "
        "null before."
    )

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


@strawberry.type(
    description="A program from the viewer's seat: progress, schedule, what's next. Needs an "
    "ACTIVE enrollment or staff."
)
class ProgramHome(Node):
    program: Program = strawberry.field(description="The program.")
    enrollment: Enrollment | None = strawberry.field(
        description="Null only for staff viewing without an enrollment."
    )
    courses: list[CourseProgress] = strawberry.field(
        description="The viewer's progress in each course, in program order."
    )
    weeks: list[WeekSummary] = strawberry.field(description="Every week, in order.")
    current_week: WeekSummary | None = strawberry.field(
        description="The highest released week; null before week 1 is released."
    )
    next_lesson: LessonItem | None = strawberry.field(
        description="The first AVAILABLE lesson not completed yet, in release order (week, "
        "then course order, then sort order); null when there is none."
    )
    next_deadline: Assignment | None = strawberry.field(
        description="The assignment with the earliest deadline still ahead; null when none is."
    )
    next_live_session: LiveSession | None = strawberry.field(
        description="The live session on now, or else the next one to start; null when all "
        "have ended."
    )
    certificates: list[Certificate] = strawberry.field(
        description="The viewer's certificates earned in this program."
    )


@strawberry.type(
    description="One week: its lessons, assignment, live session and discussion. Needs an "
    "ACTIVE enrollment or staff. Before the week's release a student still gets it, with "
    "the lessons LOCKED (preview lessons stay open), no live session link and an empty "
    "discussion."
)
class WeekHub(Node):
    program: Program = strawberry.field(description="The program.")
    week: WeekSummary = strawberry.field(description="The week's title and times.")
    lessons: list[LessonItem] = strawberry.field(
        description="The week's lessons in course order, then sort order, each with its "
        "status for the viewer."
    )
    assignment: Assignment | None = strawberry.field(
        description="The week's assignment; null when it has none."
    )
    live_session: LiveSession | None = strawberry.field(
        description="The week's live session; null when it has none."
    )
    cohort_id: strawberry.Private[int]
    week_number: strawberry.Private[int]
    show_discussion: strawberry.Private[bool]

    @strawberry.field(
        description="Thread id, post count and last post time; empty for students until the "
        "week is released."
    )
    async def discussion(self, info: Info[Context, None]) -> DiscussionSummary:
        if not self.show_discussion:
            return DiscussionSummary.from_summary(ThreadSummary(None, 0, None), self.week.week_id)
        summary = await info.context.loaders(summary_by_cohort_week).load(
            (self.cohort_id, self.week_number)
        )
        return DiscussionSummary.from_summary(summary, self.week.week_id)


@strawberry.type(description="What rotateCalendarFeed answers.")
class CalendarFeedPayload:
    url: str | None = strawberry.field(
        default=None, description="The new feed URL (the old one no longer works)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)


@strawberry.input(description="The lesson to complete.")
class CompleteLessonInput:
    course_slug: str = strawberry.field(description="The slug of the lesson's course.")
    lesson_slug: str = strawberry.field(description="The lesson's slug, unique within its course.")


@strawberry.type(
    description="What completeLesson answers. Unlike other payloads, `lesson` is also filled "
    "when the lesson is locked, to show why."
)
class CompleteLessonPayload:
    lesson: LessonItem | None = strawberry.field(
        default=None,
        description="The lesson, COMPLETED; when it is locked, with the reason "
        "(`lockReason`, `unlocksAt`, `missingPrerequisites`).",
    )
    course_progress: CourseProgress | None = strawberry.field(
        default=None, description="The course's progress after this completion."
    )
    issued_certificates: list[Certificate] = strawberry.field(
        default_factory=list,
        description="Certificates this completion issued (the course's, and the program's "
        "when it was the last course); empty when none, and on a repeated completion.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)

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
    url: str = strawberry.field(
        description="The video (for HLS, its playlist); works until `expiresAt`. Do not store it."
    )
    expires_at: datetime = strawberry.field(
        description="When the URL stops working; call lessonPlayback again after that."
    )
    mime_type: str = strawberry.field(
        description="The video's type, e.g. `video/mp4`, or `application/vnd.apple.mpegurl` "
        "for HLS."
    )
    signed_query: str | None = strawberry.field(
        default=None,
        description="HLS only: append this query string to every segment and playlist URL "
        "of the asset's folder.",
    )
