"""Program home, week hub, course progress and lesson completion.

Reads take one session and issue a fixed number of statements whatever the program's size
(the rows come back in one statement per kind, and the rules run in Python). ``complete_lesson``
runs in the caller's transaction and keeps counts exact under concurrency; see its docstring.
No Strawberry here: the GraphQL layer turns the snapshots into types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Row, and_, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.auth import permissions
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.content import is_slug
from edxelera_gql.catalog.models import (
    Assignment,
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    LessonPrerequisite,
    Week,
)
from edxelera_gql.certificates import service as certificates
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.service import CertificateRow
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import DomainError
from edxelera_gql.learning import rules
from edxelera_gql.learning.models import CourseProgress, LessonProgress
from edxelera_gql.learning.snapshots import (
    AssignmentFacts,
    CourseFacts,
    CourseProgressData,
    CourseProgressFacts,
    EnrollmentFacts,
    LessonRefFacts,
    LessonView,
    ProgramFacts,
    ProgramHomeData,
    Standing,
    Validity,
    WeekCounts,
    WeekFacts,
    WeekHubData,
)

# --- access ---------------------------------------------------------------------------------


async def find_program(session: AsyncSession, slug: str) -> Cohort:
    cohort = await session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        raise DomainError("NOT_FOUND", "Program not found.")
    return cohort


def _refuse(cohort: Cohort) -> DomainError:
    # An unpublished program does not exist for those who may not see it.
    if not cohort.published:
        return DomainError("NOT_FOUND", "Program not found.")
    return DomainError("NOT_ENROLLED", "Enroll in this program to see it.")


async def program_access(
    session: AsyncSession, viewer: Viewer, cohort: Cohort
) -> Enrollment | None:
    """The viewer's active enrollment; staff may go without one. Anyone else is refused."""
    enrollment = await permissions.active_enrollment(
        session, user_id=viewer.user_id, cohort_id=cohort.id
    )
    if enrollment is None and not viewer.is_staff:
        raise _refuse(cohort)
    return enrollment


def _standing(viewer: Viewer, enrollment: Enrollment | None) -> Standing:
    return Standing(viewer.user_id, is_enrolled=enrollment is not None, is_staff=viewer.is_staff)


def _enrollment_facts(enrollment: Enrollment | None) -> EnrollmentFacts | None:
    if enrollment is None:
        return None
    return EnrollmentFacts(
        enrollment.id, enrollment.status, enrollment.enrolled_at_utc, enrollment.source
    )


# --- the rows, one statement each -----------------------------------------------------------


async def _courses(session: AsyncSession, cohort_id: int) -> list[Course]:
    """The program's courses in program order."""
    rows = await session.scalars(
        select(Course)
        .join(CohortCourse, CohortCourse.course_id == Course.id)
        .where(CohortCourse.cohort_id == cohort_id)
        .order_by(CohortCourse.sort_order)
    )
    return list(rows)


async def _weeks(session: AsyncSession, cohort_id: int) -> list[WeekFacts]:
    rows = await session.execute(
        select(Week, Assignment)
        .outerjoin(Assignment, Assignment.week_id == Week.id)
        .where(Week.cohort_id == cohort_id)
        .order_by(Week.week_number)
    )
    return [
        WeekFacts.from_model(
            week,
            AssignmentFacts(a.title, a.instructions, a.submission_type, a.max_score) if a else None,
        )
        for week, a in rows
    ]


class _LessonColumns(NamedTuple):
    """The lesson columns the views use; an ORM ``Lesson`` has the same attributes."""

    id: int
    course_id: int
    week_id: int
    slug: str
    title: str
    description: str
    sort_order: int
    duration_seconds: int
    is_preview: bool
    video_asset_id: int | None


_LESSON_COLUMNS = [getattr(Lesson, name) for name in _LessonColumns._fields]


@dataclass(frozen=True)
class _LessonRow:
    lesson: _LessonColumns | Lesson
    week_number: int
    release_at: datetime
    completed_at: datetime | None


async def _lessons(
    session: AsyncSession, *, user_id: int, cohort_id: int, week_id: int | None = None
) -> list[_LessonRow]:
    """Lessons of the program (or of one week) with the viewer's completion time.

    Plain columns, not ORM objects: a big program has hundreds of lessons, and building
    identity-mapped objects for them costs more than the query.
    """
    query = (
        select(
            *_LESSON_COLUMNS,
            Week.week_number,
            Week.release_at_utc,
            LessonProgress.completed_at_utc,
        )
        .join(Week, Week.id == Lesson.week_id)
        .outerjoin(
            LessonProgress,
            and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
        )
        .where(Week.cohort_id == cohort_id)
    )
    if week_id is not None:
        query = query.where(Lesson.week_id == week_id)
    width = len(_LESSON_COLUMNS)
    return [
        _LessonRow(_LessonColumns(*row[:width]), *row[width:])
        for row in await session.execute(query)
    ]


@dataclass(frozen=True)
class Prerequisites:
    by_lesson: dict[int, list[LessonRefFacts]]
    completed_ids: set[int]  # prerequisites the viewer completed


async def prerequisites_of(
    session: AsyncSession,
    *,
    user_id: int | None,
    lesson_ids: Iterable[int] | None = None,
    **where: int,
) -> Prerequisites:
    """Prerequisites of the lessons selected by ``lesson_ids`` or by ``cohort_id``/``week_id``,
    named as the client shows them, and whether the viewer completed each (none without a
    viewer), in one statement."""
    pre = aliased(Lesson)
    pre_week = aliased(Week)
    dependents = select(Lesson.id).join(Week, Week.id == Lesson.week_id)
    if "cohort_id" in where:
        dependents = dependents.where(Week.cohort_id == where["cohort_id"])
    if "week_id" in where:
        dependents = dependents.where(Lesson.week_id == where["week_id"])
    if lesson_ids is not None:
        dependents = dependents.where(Lesson.id.in_(list(lesson_ids)))
    rows = await session.execute(
        select(
            LessonPrerequisite.lesson_id,
            pre.id,
            pre.slug,
            pre.title,
            Course.slug,
            pre_week.week_number,
            LessonProgress.id,
        )
        .join(pre, pre.id == LessonPrerequisite.prerequisite_lesson_id)
        .join(Course, Course.id == pre.course_id)
        .join(pre_week, pre_week.id == pre.week_id)
        .outerjoin(
            LessonProgress,
            and_(
                LessonProgress.lesson_id == pre.id,
                LessonProgress.user_id == user_id if user_id is not None else false(),
            ),
        )
        .where(LessonPrerequisite.lesson_id.in_(dependents))
        .order_by(LessonPrerequisite.lesson_id, LessonPrerequisite.id)
    )
    by_lesson: dict[int, list[LessonRefFacts]] = defaultdict(list)
    completed: set[int] = set()
    for lesson_id, pre_id, slug, title, course_slug, week_number, progress_id in rows:
        by_lesson[lesson_id].append(LessonRefFacts(pre_id, slug, title, course_slug, week_number))
        if progress_id is not None:
            completed.add(pre_id)
    return Prerequisites(by_lesson, completed)


# --- assembling -----------------------------------------------------------------------------


def _lesson_view(
    row: _LessonRow,
    *,
    prerequisites: Sequence[LessonRefFacts],
    completed_ids: set[int],
    standing: Standing,
    now: datetime,
) -> LessonView:
    lesson = row.lesson
    access = rules.lesson_access(
        now=now,
        lesson_id=lesson.id,
        is_preview=lesson.is_preview,
        release_at=row.release_at,
        prerequisite_ids=[p.id for p in prerequisites],
        is_enrolled=standing.is_enrolled,
        is_staff=standing.is_staff,
        completed_lesson_ids=completed_ids,
    )
    by_id = {p.id: p for p in prerequisites}
    return LessonView(
        id=lesson.id,
        slug=lesson.slug,
        title=lesson.title,
        description=lesson.description,
        course_id=lesson.course_id,
        week_number=row.week_number,
        sort_order=lesson.sort_order,
        duration_seconds=lesson.duration_seconds,
        is_preview=lesson.is_preview,
        has_video=lesson.video_asset_id is not None,
        status=access.status,
        lock_reason=access.lock_reason,
        unlocks_at=access.unlocks_at,
        missing_prerequisites=tuple(by_id[i] for i in access.missing_prerequisite_ids),
        completed_at=row.completed_at if access.status is rules.LessonStatus.COMPLETED else None,
    )


def _in_hub_order(rows: Iterable[_LessonRow], course_ids: Sequence[int]) -> list[_LessonRow]:
    """Week, then the course's place in the program, then the lesson's sort order."""
    place = {course_id: i for i, course_id in enumerate(course_ids)}
    return sorted(
        rows,
        key=lambda r: (
            r.week_number,
            place.get(r.lesson.course_id, len(place)),
            r.lesson.sort_order,
            r.lesson.id,
        ),
    )


def _course_progress(course_id: int, rows: Sequence[_LessonRow]) -> CourseProgressFacts:
    """Counts from the lessons as they are now (an import may have added some)."""
    times = [r.completed_at for r in rows if r.completed_at is not None]
    return _progress_facts(
        course_id, total=len(rows), done=len(times), last=max(times, default=None)
    )


def _progress_facts(
    course_id: int, *, total: int, done: int, last: datetime | None
) -> CourseProgressFacts:
    """A course is complete from the moment its last remaining lesson was completed."""
    complete = rules.is_course_complete(done, total)
    return CourseProgressFacts(
        course_id=course_id,
        completed_lessons=done,
        total_lessons=total,
        percent_complete=rules.percent_complete(done, total),
        completed_at=last if complete else None,
    )


def _validity(now: datetime, weeks: Iterable[WeekFacts]) -> Validity:
    instants = [t for week in weeks for t in week.boundaries()]
    return Validity(computed_at=now, valid_until=rules.next_boundary(now, instants))


async def load_program_home(
    session: AsyncSession, *, cohort: Cohort, viewer: Viewer, now: datetime
) -> ProgramHomeData:
    """Everything program home shows, in six statements (plus the caller's program lookup)."""
    enrollment = await program_access(session, viewer, cohort)
    standing = _standing(viewer, enrollment)
    courses = await _courses(session, cohort.id)
    weeks = await _weeks(session, cohort.id)
    lessons = await _lessons(session, user_id=viewer.user_id, cohort_id=cohort.id)
    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, cohort_id=cohort.id)
    certificate_rows = await session.scalars(
        select(Certificate)
        .where(Certificate.user_id == viewer.user_id, Certificate.cohort_id == cohort.id)
        .order_by(Certificate.issued_at_utc, Certificate.id)
    )

    completed_ids = {r.lesson.id for r in lessons if r.completed_at} | prerequisites.completed_ids
    by_course: dict[int, list[_LessonRow]] = defaultdict(list)
    by_week: dict[int, list[_LessonRow]] = defaultdict(list)
    for row in lessons:
        by_course[row.lesson.course_id].append(row)
        by_week[row.lesson.week_id].append(row)

    next_lesson = None
    for row in _in_hub_order(lessons, [c.id for c in courses]):
        view = _lesson_view(
            row,
            prerequisites=prerequisites.by_lesson.get(row.lesson.id, []),
            completed_ids=completed_ids,
            standing=standing,
            now=now,
        )
        if view.status is rules.LessonStatus.AVAILABLE:
            next_lesson = view
            break

    return ProgramHomeData(
        program=ProgramFacts.from_model(cohort),
        standing=standing,
        enrollment=_enrollment_facts(enrollment),
        courses=tuple(CourseFacts.from_model(c) for c in courses),
        progress=tuple(_course_progress(c.id, by_course[c.id]) for c in courses),
        weeks=tuple(weeks),
        week_counts=tuple(
            WeekCounts(
                w.id,
                len(by_week[w.id]),
                sum(1 for r in by_week[w.id] if r.completed_at is not None),
            )
            for w in weeks
        ),
        next_lesson=next_lesson,
        certificates=tuple(CertificateRow.from_model(c) for c in certificate_rows),
        validity=_validity(now, weeks),
    )


async def load_week_hub(
    session: AsyncSession, *, cohort: Cohort, viewer: Viewer, week_number: int, now: datetime
) -> WeekHubData:
    """One week as the viewer sees it, in five statements (plus the caller's program lookup)."""
    enrollment = await program_access(session, viewer, cohort)
    standing = _standing(viewer, enrollment)
    weeks = await _weeks(session, cohort.id)
    week = next((w for w in weeks if w.number == week_number), None)
    if week is None:
        raise DomainError("NOT_FOUND", f"This program has no week {week_number}.")
    courses = await _courses(session, cohort.id)
    rows = await _lessons(session, user_id=viewer.user_id, cohort_id=cohort.id, week_id=week.id)
    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, week_id=week.id)
    completed_ids = {r.lesson.id for r in rows if r.completed_at} | prerequisites.completed_ids
    lessons = tuple(
        _lesson_view(
            row,
            prerequisites=prerequisites.by_lesson.get(row.lesson.id, []),
            completed_ids=completed_ids,
            standing=standing,
            now=now,
        )
        for row in _in_hub_order(rows, [c.id for c in courses])
    )
    return WeekHubData(
        program=ProgramFacts.from_model(cohort),
        standing=standing,
        courses=tuple(CourseFacts.from_model(c) for c in courses),
        weeks=tuple(weeks),
        week=week,
        counts=WeekCounts(week.id, len(rows), sum(1 for r in rows if r.completed_at is not None)),
        lessons=lessons,
        validity=_validity(now, [week]),
    )


async def load_course_progress(
    session: AsyncSession, *, course_slug: str, viewer: Viewer
) -> CourseProgressData:
    """The viewer's progress in a course of a program they study (staff: any), 4 statements."""
    rows = (
        await session.execute(
            select(Course, Cohort, Enrollment)
            .join(CohortCourse, CohortCourse.course_id == Course.id)
            .join(Cohort, Cohort.id == CohortCourse.cohort_id)
            .outerjoin(
                Enrollment,
                and_(
                    Enrollment.cohort_id == Cohort.id,
                    Enrollment.user_id == viewer.user_id,
                    Enrollment.status == permissions.ACTIVE,
                ),
            )
            .where(Course.slug == course_slug)
            .order_by(Cohort.start_at_utc, Cohort.id)
        )
    ).all()
    if not rows:
        raise DomainError("NOT_FOUND", "Course not found.")
    # A course normally sits in one program; if several, the one the viewer studies wins.
    chosen = next((r for r in rows if r[2] is not None), None)
    if chosen is None:
        if not viewer.is_staff:
            published = [r for r in rows if r[1].published]
            raise _refuse(published[0][1] if published else rows[0][1])
        chosen = rows[0]
    course, cohort = chosen[0], chosen[1]
    total, done, last = await _course_counts(session, user_id=viewer.user_id, course_id=course.id)
    certificate = await session.scalar(
        select(Certificate).where(
            Certificate.scope_key == certificates.course_scope_key(viewer.user_id, course.id)
        )
    )
    return CourseProgressData(
        program=ProgramFacts.from_model(cohort),
        course=CourseFacts.from_model(course),
        progress=_progress_facts(course.id, total=total, done=done, last=last),
        certificate=CertificateRow.from_model(certificate) if certificate else None,
    )


async def _course_counts(
    session: AsyncSession, *, user_id: int, course_id: int
) -> tuple[int, int, datetime | None]:
    """Lessons of the course, how many the user completed, and the last completion time."""
    total, done, last = (
        await session.execute(
            select(
                func.count(Lesson.id),
                func.count(LessonProgress.id),
                func.max(LessonProgress.completed_at_utc),
            )
            .select_from(Lesson)
            .outerjoin(
                LessonProgress,
                and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
            )
            .where(Lesson.course_id == course_id)
        )
    ).one()
    return total, done, last


# --- completing a lesson --------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    program: ProgramFacts
    course: CourseFacts
    lesson: LessonView
    progress: CourseProgressFacts
    course_certificate: CertificateRow | None
    issued: tuple[CertificateRow, ...]
    changed: bool  # something was written: cached answers of this viewer are stale


@dataclass(frozen=True)
class CompletionRefused:
    code: str
    message: str
    field: str | None = None
    course: CourseFacts | None = None
    lesson: LessonView | None = None  # the locked lesson, so the client can show why


async def use_read_committed(session: AsyncSession) -> None:
    """Must run before the transaction's first statement.

    Under MariaDB's default REPEATABLE READ, reads after waiting for the enrollment lock would
    still see the snapshot taken before the wait, and miss what the previous lock holder
    committed (the other of the last two lessons, say). READ COMMITTED reads what is committed
    and takes no gap locks, so completions of different users never block each other.
    """
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        await session.connection(execution_options={"isolation_level": "READ COMMITTED"})


def _iso(instant: datetime | None) -> str:
    return instant.isoformat().replace("+00:00", "Z") if instant else ""


def _missing_message(view: LessonView) -> str:
    names = ", ".join(f"{p.title} ({p.course_slug}/{p.slug})" for p in view.missing_prerequisites)
    return f"Complete these lessons first: {names}."


async def complete_lesson(
    session: AsyncSession, *, viewer: Viewer, course_slug: str, lesson_slug: str, now: datetime
) -> Completion | CompletionRefused:
    """Records the completion, updates course progress and issues certificates, in the caller's
    transaction (which must be fresh: see ``use_read_committed``).

    One user's completions in one program run one at a time: the enrollment row is locked
    first (``SELECT ... FOR UPDATE``), so counts stay exact and the last two lessons of a course
    (or the last lessons of two courses) finishing at once still issue each certificate. The
    unique keys (user + lesson, user + course, certificate scope) back that up.
    """
    # Input first: a slug the content format could never have produced names no lesson.
    for field, value in (("courseSlug", course_slug), ("lessonSlug", lesson_slug)):
        if not is_slug(value):
            return CompletionRefused(
                "INVALID_INPUT",
                "Expected a slug: 1-100 lowercase letters, digits and dashes.",
                field=field,
            )
    await use_read_committed(session)
    found = (
        await session.execute(
            select(Lesson, Week, Course, Cohort)
            .join(Week, Week.id == Lesson.week_id)
            .join(Course, Course.id == Lesson.course_id)
            .join(Cohort, Cohort.id == Week.cohort_id)
            .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
        )
    ).one_or_none()
    if found is None:
        return CompletionRefused("NOT_FOUND", "Lesson not found.", field="lessonSlug")
    lesson, week, course, cohort = found
    course_facts = CourseFacts.from_model(course)

    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.user_id == viewer.user_id, Enrollment.cohort_id == cohort.id)
        .with_for_update()
    )
    if enrollment is None or enrollment.status != permissions.ACTIVE:
        refusal = _refuse(cohort)
        return CompletionRefused(refusal.code, refusal.message, course=course_facts)

    prerequisites = await prerequisites_of(session, user_id=viewer.user_id, lesson_ids=[lesson.id])
    existing = await session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == viewer.user_id, LessonProgress.lesson_id == lesson.id
        )
    )
    completed_ids = set(prerequisites.completed_ids)
    if existing is not None:
        completed_ids.add(lesson.id)
    standing = Standing(viewer.user_id, is_enrolled=True, is_staff=viewer.is_staff)
    row = _LessonRow(
        lesson,
        week.week_number,
        week.release_at_utc,
        existing.completed_at_utc if existing else None,
    )
    before = _lesson_view(
        row,
        prerequisites=prerequisites.by_lesson.get(lesson.id, []),
        completed_ids=completed_ids,
        standing=standing,
        now=now,
    )
    if before.status is rules.LessonStatus.LOCKED:
        assert before.lock_reason is not None
        message = {
            rules.LockReason.WEEK_NOT_RELEASED: (
                f"This lesson opens at {_iso(before.unlocks_at)}."
            ),
            rules.LockReason.PREREQUISITES_INCOMPLETE: _missing_message(before),
        }.get(before.lock_reason, "This lesson is locked.")
        return CompletionRefused(
            before.lock_reason.value, message, course=course_facts, lesson=before
        )

    changed = False
    if existing is None:
        existing, changed = await _insert_lesson_progress(session, viewer.user_id, lesson.id, now)
        completed_ids.add(lesson.id)
    row = _LessonRow(lesson, week.week_number, week.release_at_utc, existing.completed_at_utc)
    after = _lesson_view(
        row,
        prerequisites=prerequisites.by_lesson.get(lesson.id, []),
        completed_ids=completed_ids,
        standing=standing,
        now=now,
    )

    progress, progress_changed = await _update_course_progress(
        session, user_id=viewer.user_id, course_id=course.id
    )
    changed = changed or progress_changed
    issued: list[Certificate] = []
    if rules.is_course_complete(progress.completed_lessons, progress.total_lessons):
        course_certificate = await certificates.issue_once(
            session, user_id=viewer.user_id, cohort_id=cohort.id, course_id=course.id, now=now
        )
        if course_certificate is not None:
            issued.append(course_certificate)
        if await _program_complete(session, user_id=viewer.user_id, cohort_id=cohort.id):
            program_certificate = await certificates.issue_once(
                session, user_id=viewer.user_id, cohort_id=cohort.id, course_id=None, now=now
            )
            if program_certificate is not None:
                issued.append(program_certificate)
    course_certificate = next((c for c in issued if c.course_id == course.id), None)
    if course_certificate is None:
        course_certificate = await session.scalar(
            select(Certificate).where(
                Certificate.scope_key == certificates.course_scope_key(viewer.user_id, course.id)
            )
        )
    return Completion(
        program=ProgramFacts.from_model(cohort),
        course=course_facts,
        lesson=after,
        progress=progress,
        course_certificate=CertificateRow.from_model(course_certificate)
        if course_certificate
        else None,
        issued=tuple(CertificateRow.from_model(c) for c in issued),
        changed=changed or bool(issued),
    )


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
    total, done, last = await _course_counts(session, user_id=user_id, course_id=course_id)
    facts = _progress_facts(course_id, total=total, done=done, last=last)
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
    rows: Sequence[Row[tuple[int, int, int]]] = (
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
