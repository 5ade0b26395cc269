"""Learning types built from the learning read models, with the request's clock.

The catalog's loaders are primed with the read model's own values, so `program { courses
weeks }` and the week counts need no more SQL (none at all when the read model came from the
cache).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from edxelera_gql.catalog import loaders as catalog_loaders
from edxelera_gql.catalog import schedule
from edxelera_gql.catalog.read_models import CourseFacts, ProgramFacts, WeekFacts
from edxelera_gql.certificates.enums import CertificateType
from edxelera_gql.certificates.read_models import CertificateFacts
from edxelera_gql.graphql.catalog.types import Course, Program, WeekSummary
from edxelera_gql.graphql.certificates.types import Certificate
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.enrollment.types import Enrollment
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.learning.types import (
    Assignment,
    CompleteLessonPayload,
    CourseProgress,
    LessonItem,
    LiveSession,
    ProgramHome,
    WeekHub,
)
from edxelera_gql.learning import rules
from edxelera_gql.learning.loaders import completed_count_by_user_week
from edxelera_gql.learning.read_models import (
    Completion,
    CourseProgressData,
    LessonView,
    ProgramHomeData,
    WeekCounts,
    WeekHubData,
)


def _program(facts: ProgramFacts) -> Program:
    return Program.from_facts(facts)


def course_type(facts: CourseFacts) -> Course:
    return Course.from_facts(facts)


def certificate_type(
    row: CertificateFacts, courses: dict[int, Course], program: Program, ctx: Context
) -> Certificate:
    return Certificate.build(
        row,
        course=courses.get(row.course_id) if row.course_id is not None else None,
        program=program,
        settings=ctx.settings,
    )


def _prime_catalog(
    ctx: Context,
    program: ProgramFacts,
    courses: Sequence[CourseFacts],
    weeks: Sequence[WeekFacts],
    counts: Iterable[WeekCounts],
    user_id: int,
) -> None:
    """What the catalog's loaders would fetch is in the read model already."""
    ctx.loaders(catalog_loaders.courses_by_program).prime(program.id, list(courses))
    ctx.loaders(catalog_loaders.weeks_by_program).prime(program.id, list(weeks))
    for c in counts:
        ctx.loaders(catalog_loaders.lesson_count_by_week).prime(c.week_id, c.lesson_count)
        ctx.loaders(completed_count_by_user_week).prime((user_id, c.week_id), c.completed_count)


def _week_summary(week: WeekFacts, now: datetime) -> WeekSummary:
    return WeekSummary.from_facts(week, now)


def program_home(data: ProgramHomeData, ctx: Context) -> ProgramHome:
    now = ctx.now()
    _prime_catalog(
        ctx, data.program, data.courses, data.weeks, data.week_counts, data.standing.user_id
    )
    program = _program(data.program)
    courses = {c.id: course_type(c) for c in data.courses}
    certificates = [certificate_type(c, courses, program, ctx) for c in data.certificates]
    course_certificates = {
        c.course_id: certificate
        for c, certificate in zip(data.certificates, certificates, strict=True)
        if c.course_id is not None and c.type == CertificateType.COURSE
    }
    weeks = [_week_summary(w, now) for w in data.weeks]
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
        id=global_id("ProgramHome", data.program.id),
        program=program,
        enrollment=Enrollment.from_facts(data.enrollment) if data.enrollment else None,
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
        id=global_id("Course", view.course_id), slug="", title="", description=""
    )


def week_hub(data: WeekHubData, ctx: Context) -> WeekHub:
    now = ctx.now()
    _prime_catalog(
        ctx, data.program, data.courses, data.weeks, [data.counts], data.standing.user_id
    )
    courses = {c.id: course_type(c) for c in data.courses}
    week = data.week
    return WeekHub(
        id=global_id("WeekHub", week.id),
        program=_program(data.program),
        week=_week_summary(week, now),
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
        certificate_type(data.certificate, {data.course.id: course}, program, ctx)
        if data.certificate
        else None
    )
    return CourseProgress.build(data.progress, course, certificate)


def completed(done: Completion, ctx: Context) -> CompleteLessonPayload:
    course = course_type(done.course)
    courses = {done.course.id: course}
    program = _program(done.program)
    course_certificate = (
        certificate_type(done.course_certificate, courses, program, ctx)
        if done.course_certificate
        else None
    )
    return CompleteLessonPayload(
        lesson=LessonItem.from_view(done.lesson, course),
        course_progress=CourseProgress.build(done.progress, course, course_certificate),
        issued_certificates=[certificate_type(c, courses, program, ctx) for c in done.issued],
    )
