"""GraphQL types of the learning views, built from the services' snapshots.

Time-dependent values that need nothing but the schedule (released, past deadline, live
status, current week, next deadline and live session) are computed here with the request's
clock; lesson statuses come from the snapshot. The catalog's loaders are primed from the
snapshot, so `program { courses weeks }` and the week counts need no more SQL (none at all
when the snapshot came from the cache).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import loaders as catalog_loaders
from edxelera_gql.catalog import schedule
from edxelera_gql.catalog.types import Course, Program, WeekSummary
from edxelera_gql.certificates.service import COURSE, CertificateRow
from edxelera_gql.certificates.types import Certificate
from edxelera_gql.discussion.loaders import ThreadSummary, summary_by_cohort_week
from edxelera_gql.discussion.types import DiscussionSummary
from edxelera_gql.enrollment.types import Enrollment, EnrollmentStatus
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import ErrorCode, UserError
from edxelera_gql.learning import rules
from edxelera_gql.learning.loaders import completed_count_by_user_week
from edxelera_gql.learning.snapshots import (
    CourseFacts,
    CourseProgressData,
    CourseProgressFacts,
    EnrollmentFacts,
    LessonView,
    ProgramFacts,
    ProgramHomeData,
    Standing,
    WeekCounts,
    WeekFacts,
    WeekHubData,
)


@strawberry.enum
class LessonStatus(Enum):
    LOCKED = "LOCKED"
    AVAILABLE = "AVAILABLE"
    COMPLETED = "COMPLETED"


@strawberry.enum
class LiveSessionStatus(Enum):
    UPCOMING = "UPCOMING"
    LIVE = "LIVE"
    ENDED = "ENDED"


@strawberry.type(description="A lesson named as a prerequisite.")
class LessonRef:
    slug: str
    title: str
    course_slug: str
    week_number: int


@strawberry.type(description="A lesson as the viewer sees it: open, completed, or locked and why.")
class LessonItem:
    id: strawberry.ID
    slug: str
    title: str
    description: str
    course: Course
    week_number: int
    sort_order: int
    duration_seconds: int
    is_preview: bool
    has_video: bool
    status: LessonStatus
    lock_reason: ErrorCode | None
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
            id=strawberry.ID(str(view.id)),
            slug=view.slug,
            title=view.title,
            description=view.description,
            course=course,
            week_number=view.week_number,
            sort_order=view.sort_order,
            duration_seconds=view.duration_seconds,
            is_preview=view.is_preview,
            has_video=view.has_video,
            status=LessonStatus(view.status.value),
            lock_reason=ErrorCode(view.lock_reason.value) if view.lock_reason else None,
            unlocks_at=view.unlocks_at,
            missing_prerequisites=[
                LessonRef(
                    slug=p.slug, title=p.title, course_slug=p.course_slug, week_number=p.week_number
                )
                for p in view.missing_prerequisites
            ],
            completed_at=view.completed_at,
        )


@strawberry.type(description="A week's assignment.")
class Assignment:
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
            week_number=week.number,
            title=week.assignment.title,
            instructions=week.assignment.instructions,
            submission_type=week.assignment.submission_type,
            max_score=week.assignment.max_score,
            deadline=week.deadline,
            is_past_deadline=rules.is_past_deadline(now, week.deadline),
        )


@strawberry.type(description="A week's live session; the link only for its students and staff.")
class LiveSession:
    week_number: int
    title: str
    start_at: datetime
    end_at: datetime
    url: str | None = strawberry.field(
        description="For enrolled students and staff, once the week is released."
    )
    status: LiveSessionStatus

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
            week_number=week.number,
            title=week.live_title or week.title,
            start_at=week.live_start,
            end_at=week.live_end,
            url=week.live_url if visible else None,
            status=LiveSessionStatus(
                rules.live_session_status(now, week.live_start, week.live_end).value
            ),
        )


@strawberry.type(description="The viewer's progress through one course.")
class CourseProgress:
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
            course=course,
            completed_lessons=facts.completed_lessons,
            total_lessons=facts.total_lessons,
            percent_complete=float(facts.percent_complete),
            completed_at=facts.completed_at,
            certificate=certificate,
        )


@strawberry.type(description="A program from the viewer's seat: progress, schedule, what's next.")
class ProgramHome:
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
class WeekHub:
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
            return DiscussionSummary.from_summary(ThreadSummary(None, 0, None))
        summary = await info.context.loaders(summary_by_cohort_week).load(
            (self.cohort_id, self.week_number)
        )
        return DiscussionSummary.from_summary(summary)


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


# --- building from snapshots ----------------------------------------------------------------


def _program(facts: ProgramFacts) -> Program:
    return Program.from_model(facts.to_model())


def course_type(facts: CourseFacts) -> Course:
    return Course(
        id=strawberry.ID(str(facts.id)),
        slug=facts.slug,
        title=facts.title,
        description=facts.description,
    )


def _enrollment(facts: EnrollmentFacts | None) -> Enrollment | None:
    if facts is None:
        return None
    return Enrollment(
        id=strawberry.ID(str(facts.id)),
        status=EnrollmentStatus(facts.status),
        enrolled_at=facts.enrolled_at,
        source=facts.source,
    )


def _certificate(
    row: CertificateRow, courses: dict[int, Course], program: Program, ctx: Context
) -> Certificate:
    return Certificate.build(
        row,
        course=courses.get(row.course_id) if row.course_id is not None else None,
        program=program,
        public_base_url=ctx.settings.public_base_url,
    )


def _prime_catalog(
    ctx: Context,
    program: ProgramFacts,
    courses: Sequence[CourseFacts],
    weeks: Sequence[WeekFacts],
    counts: Iterable[WeekCounts],
    user_id: int,
) -> None:
    """What the catalog's loaders would fetch is in the snapshot already."""
    ctx.loaders(catalog_loaders.courses_by_cohort).prime(
        program.id, [c.to_model() for c in courses]
    )
    ctx.loaders(catalog_loaders.weeks_by_cohort).prime(
        program.id, [w.to_model(program.id) for w in weeks]
    )
    for c in counts:
        ctx.loaders(catalog_loaders.lesson_count_by_week).prime(c.week_id, c.lesson_count)
        ctx.loaders(completed_count_by_user_week).prime((user_id, c.week_id), c.completed_count)


def _week_summary(week: WeekFacts, cohort_id: int, now: datetime) -> WeekSummary:
    return WeekSummary.from_model(week.to_model(cohort_id), now)


def program_home(data: ProgramHomeData, ctx: Context) -> ProgramHome:
    now = ctx.now()
    _prime_catalog(
        ctx, data.program, data.courses, data.weeks, data.week_counts, data.standing.user_id
    )
    program = _program(data.program)
    courses = {c.id: course_type(c) for c in data.courses}
    certificates = [_certificate(c, courses, program, ctx) for c in data.certificates]
    course_certificates = {
        c.course_id: certificate
        for c, certificate in zip(data.certificates, certificates, strict=True)
        if c.course_id is not None and c.type == COURSE
    }
    weeks = [_week_summary(w, data.program.id, now) for w in data.weeks]
    current = schedule.current_week_number(now, [(w.number, w.release_at) for w in data.weeks])
    deadline = rules.next_deadline(
        now, [w.deadline for w in data.weeks if w.assignment and w.deadline]
    )
    deadline_week = next((w for w in data.weeks if w.assignment and w.deadline == deadline), None)
    live_weeks = [w for w in data.weeks if w.has_live_session]
    live_index = rules.next_live_session_index(
        now,
        [(w.live_start, w.live_end) for w in live_weeks],  # type: ignore[misc]
    )
    next_lesson = data.next_lesson
    return ProgramHome(
        program=program,
        enrollment=_enrollment(data.enrollment),
        courses=[
            CourseProgress.build(p, courses[p.course_id], course_certificates.get(p.course_id))
            for p in data.progress
        ],
        weeks=weeks,
        current_week=next((w for w in weeks if w.number == current), None),
        next_lesson=LessonItem.from_view(next_lesson, courses[next_lesson.course_id])
        if next_lesson is not None and next_lesson.course_id in courses
        else None,
        next_deadline=Assignment.from_week(deadline_week, now) if deadline_week else None,
        next_live_session=LiveSession.from_week(live_weeks[live_index], now, data.standing)
        if live_index is not None
        else None,
        certificates=certificates,
    )


def _lesson_course(view: LessonView, courses: dict[int, Course]) -> Course:
    # A lesson whose course is not (or no longer) in the program still shows its course id.
    return courses.get(view.course_id) or Course(
        id=strawberry.ID(str(view.course_id)), slug="", title="", description=""
    )


def week_hub(data: WeekHubData, ctx: Context) -> WeekHub:
    now = ctx.now()
    _prime_catalog(
        ctx, data.program, data.courses, data.weeks, [data.counts], data.standing.user_id
    )
    courses = {c.id: course_type(c) for c in data.courses}
    week = data.week
    return WeekHub(
        program=_program(data.program),
        week=_week_summary(week, data.program.id, now),
        lessons=[LessonItem.from_view(v, _lesson_course(v, courses)) for v in data.lessons],
        assignment=Assignment.from_week(week, now),
        live_session=LiveSession.from_week(week, now, data.standing),
        cohort_id=data.program.id,
        week_number=week.number,
        show_discussion=rules.discussion_visible(
            is_staff=data.standing.is_staff, week_released=rules.is_released(now, week.release_at)
        ),
    )


def course_progress(data: CourseProgressData, ctx: Context) -> CourseProgress:
    course = course_type(data.course)
    program = _program(data.program)
    certificate = (
        _certificate(data.certificate, {data.course.id: course}, program, ctx)
        if data.certificate
        else None
    )
    return CourseProgress.build(data.progress, course, certificate)


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
