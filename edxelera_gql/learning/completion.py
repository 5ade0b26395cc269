"""completeLesson: record the completion, update course progress, issue certificates.

One unit of work in READ COMMITTED. One user's completions in one program run one at a time:
the enrollment row is locked first (``SELECT ... FOR UPDATE``), so counts stay exact and the
last two lessons of a course (or the last lessons of two courses) finishing at once still
issue each certificate. The unique keys (user + lesson, user + course, certificate scope) back
that up. Under MariaDB's default REPEATABLE READ, reads after waiting for that lock would still
see the snapshot taken before the wait and miss what the previous holder committed; READ
COMMITTED reads what is committed and takes no gap locks, so completions of different users
never block each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Row, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.content import is_slug
from edxelera_gql.catalog.models import Cohort, CohortCourse, Course, Lesson, Week
from edxelera_gql.catalog.read_models import CourseFacts, ProgramFacts
from edxelera_gql.catalog.service import course_facts, program_columns, program_from_row
from edxelera_gql.certificates import issuance
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.db import versions as db_versions
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.learning import rules
from edxelera_gql.learning.lessons import (
    LessonRow,
    course_counts,
    lesson_view,
    prerequisites_of,
    progress_facts,
)
from edxelera_gql.learning.models import CourseProgress, LessonProgress
from edxelera_gql.learning.read_models import Completion, CourseProgressFacts, LessonView, Standing
from edxelera_gql.learning.views import refusal


@dataclass(frozen=True)
class _Target:
    lesson: Lesson
    week: Week
    course: CourseFacts
    program: ProgramFacts


def _iso(instant: datetime | None) -> str:
    return instant.isoformat().replace("+00:00", "Z") if instant else ""


def _check_slugs(course_slug: str, lesson_slug: str) -> None:
    # A slug the content format could never have produced names no lesson.
    for field, value in (("courseSlug", course_slug), ("lessonSlug", lesson_slug)):
        if not is_slug(value):
            raise DomainError(
                Code.INVALID_INPUT,
                "Expected a slug: 1-100 lowercase letters, digits and dashes.",
                field=field,
            )


async def _find(session: AsyncSession, course_slug: str, lesson_slug: str) -> _Target:
    found = (
        await session.execute(
            select(Lesson, Week, Course, *program_columns())
            .join(Week, Week.id == Lesson.week_id)
            .join(Course, Course.id == Lesson.course_id)
            .join(Cohort, Cohort.id == Week.cohort_id)
            .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
        )
    ).one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, "Lesson not found.", field="lessonSlug")
    return _Target(found[0], found[1], course_facts(found[2]), program_from_row(found[3:]))


async def _lock_active_enrollment(session: AsyncSession, user_id: int, target: _Target) -> None:
    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.user_id == user_id, Enrollment.cohort_id == target.program.id)
        .with_for_update()
    )
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        refused = refusal(target.program)
        raise DomainError(refused.code, refused.message, course=target.course)


def _locked_message(view: LessonView) -> str:
    if view.lock_reason is Code.WEEK_NOT_RELEASED:
        return f"This lesson opens at {_iso(view.unlocks_at)}."
    if view.lock_reason is Code.PREREQUISITES_INCOMPLETE:
        names = ", ".join(
            f"{p.title} ({p.course_slug}/{p.slug})" for p in view.missing_prerequisites
        )
        return f"Complete these lessons first: {names}."
    return "This lesson is locked."


async def _record_completion(
    session: AsyncSession, viewer: Viewer, target: _Target, now: datetime
) -> tuple[LessonView, bool]:
    """The lesson after completing it, and whether a record was written; LOCKED lessons raise
    with the lesson (as the viewer sees it) in the error's details."""
    lesson, week = target.lesson, target.week
    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, lesson_ids=[lesson.id])
    existing = await session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == viewer.user_id, LessonProgress.lesson_id == lesson.id
        )
    )
    completed_ids = set(prerequisites.completed_ids)
    if existing is not None:
        completed_ids.add(lesson.id)
    standing = Standing(
        viewer.user_id, is_enrolled=True, is_staff=viewer.is_staff_in(target.program.id)
    )
    required = prerequisites.by_lesson.get(lesson.id, [])

    def view(completed_at: datetime | None) -> LessonView:
        row = LessonRow(lesson, week.week_number, week.release_at_utc, completed_at)
        return lesson_view(
            row, prerequisites=required, completed_ids=completed_ids, standing=standing, now=now
        )

    before = view(existing.completed_at_utc if existing else None)
    if before.status is rules.LessonStatus.LOCKED:
        assert before.lock_reason is not None
        raise DomainError(
            before.lock_reason, _locked_message(before), course=target.course, lesson=before
        )
    changed = False
    if existing is None:
        existing, changed = await _insert_lesson_progress(session, viewer.user_id, lesson.id, now)
        completed_ids.add(lesson.id)
    return view(existing.completed_at_utc), changed


async def complete_lesson(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    course_slug: str,
    lesson_slug: str,
    now: datetime,
) -> Completion:
    viewer = require_viewer(viewer)
    _check_slugs(course_slug, lesson_slug)
    async with UnitOfWork(sessionmaker, read_committed=True) as uow:
        session = uow.session
        target = await _find(session, course_slug, lesson_slug)
        await _lock_active_enrollment(session, viewer.user_id, target)
        after, changed = await _record_completion(session, viewer, target, now)
        progress, progress_changed = await _update_course_progress(
            session, user_id=viewer.user_id, course_id=target.course.id
        )
        issued = await _issue_certificates(session, viewer.user_id, target, progress, now)
        course_certificate = next((c for c in issued if c.course_id == target.course.id), None)
        if course_certificate is None:
            course_certificate = await session.scalar(
                select(Certificate).where(
                    Certificate.scope_key
                    == issuance.course_scope_key(viewer.user_id, target.course.id)
                )
            )
        changed = changed or progress_changed or bool(issued)
        if changed:
            scope = versions.viewer_program_scope(viewer.user_id, target.program.id)
            await db_versions.bump_in(uow, cache, scope)
        return Completion(
            program=target.program,
            course=target.course,
            lesson=after,
            progress=progress,
            course_certificate=issuance.certificate_facts(course_certificate)
            if course_certificate
            else None,
            issued=tuple(issuance.certificate_facts(c) for c in issued),
            changed=changed,
        )


async def _issue_certificates(
    session: AsyncSession,
    user_id: int,
    target: _Target,
    progress: CourseProgressFacts,
    now: datetime,
) -> list[Certificate]:
    issued: list[Certificate] = []
    if not rules.is_course_complete(progress.completed_lessons, progress.total_lessons):
        return issued
    cohort_id = target.program.id
    course_certificate = await issuance.issue_once(
        session, user_id=user_id, cohort_id=cohort_id, course_id=target.course.id, now=now
    )
    if course_certificate is not None:
        issued.append(course_certificate)
    if await _program_complete(session, user_id=user_id, cohort_id=cohort_id):
        program_certificate = await issuance.issue_once(
            session, user_id=user_id, cohort_id=cohort_id, course_id=None, now=now
        )
        if program_certificate is not None:
            issued.append(program_certificate)
    return issued


async def _insert_lesson_progress(
    session: AsyncSession, user_id: int, lesson_id: int, now: datetime
) -> tuple[LessonProgress, bool]:
    """The completion record and whether this call created it."""
    progress = LessonProgress(user_id=user_id, lesson_id=lesson_id, completed_at_utc=now)
    try:
        async with session.begin_nested():
            session.add(progress)
    except IntegrityError:
        # Recorded meanwhile (the unique key caught it): the earlier record stands.
        found = await session.scalar(
            select(LessonProgress).where(
                LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id
            )
        )
        assert found is not None
        return found, False
    return progress, True


async def _update_course_progress(
    session: AsyncSession, *, user_id: int, course_id: int
) -> tuple[CourseProgressFacts, bool]:
    """Recounts the course under the progress row's lock and stores the result."""
    stored = await _locked_course_progress(session, user_id, course_id)
    total, done, last = await course_counts(session, user_id=user_id, course_id=course_id)
    facts = progress_facts(course_id, total=total, done=done, last=last)
    values = (done, total, facts.percent_complete, facts.completed_at)
    current = (
        stored.completed_lessons,
        stored.total_lessons,
        stored.percent_complete,
        stored.completed_at_utc,
    )
    if values == current:
        return facts, False
    (
        stored.completed_lessons,
        stored.total_lessons,
        stored.percent_complete,
        stored.completed_at_utc,
    ) = values
    await session.flush()
    return facts, True


async def _locked_course_progress(
    session: AsyncSession, user_id: int, course_id: int
) -> CourseProgress:
    query = (
        select(CourseProgress)
        .where(CourseProgress.user_id == user_id, CourseProgress.course_id == course_id)
        .with_for_update()
    )
    stored = await session.scalar(query)
    if stored is not None:
        return stored
    stored = CourseProgress(
        user_id=user_id,
        course_id=course_id,
        completed_lessons=0,
        total_lessons=0,
        percent_complete=Decimal("0.00"),
        completed_at_utc=None,
    )
    try:
        async with session.begin_nested():
            session.add(stored)
    except IntegrityError:
        stored = await session.scalar(query)
        assert stored is not None
    return stored


async def _program_complete(session: AsyncSession, *, user_id: int, cohort_id: int) -> bool:
    rows: Sequence[Row[int, int, int]] = (
        await session.execute(
            select(CohortCourse.course_id, func.count(Lesson.id), func.count(LessonProgress.id))
            .outerjoin(Lesson, Lesson.course_id == CohortCourse.course_id)
            .outerjoin(
                LessonProgress,
                and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
            )
            .where(CohortCourse.cohort_id == cohort_id)
            .group_by(CohortCourse.course_id)
        )
    ).all()
    return rules.is_program_complete((done, total) for _, total, done in rows)
