"""Programs shaped for the learning tests, and the GraphQL documents those tests send.

``make_program`` (tests.support.factories) lays lessons out as ``w<n>-l<j>``: week *n*, sort
order *j*, in course ``<slug>-c<j mod courses>``; week *n* releases at start + (n-1) weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from edxelera_gql.catalog.models import Assignment, Cohort, Course, Lesson, LessonPrerequisite, Week
from edxelera_gql.learning.models import LessonProgress
from tests.support.factories import make_program
from tests.support.users import Account


@dataclass(frozen=True)
class Program:
    id: int
    slug: str
    start: datetime

    def release(self, week: int) -> datetime:
        return self.start + timedelta(weeks=week - 1)

    def course(self, index: int) -> str:
        return f"{self.slug}-c{index}"


async def build_program(
    session: AsyncSession,
    *,
    slug: str,
    courses: int = 2,
    weeks: int = 3,
    lessons_per_week: int = 2,
    start: datetime | None = None,
    published: bool = True,
    extras: bool = True,
) -> Program:
    """A program; with ``extras`` every week gets an assignment (deadline = next release) and a
    live session (day 2, 18:00-19:00 UTC) with a link."""
    cohort = await make_program(
        session,
        slug=slug,
        courses=courses,
        weeks=weeks,
        lessons_per_week=lessons_per_week,
        start=start,
        published=published,
    )
    if extras:
        for week in await session.scalars(select(Week).where(Week.cohort_id == cohort.id)):
            week.assignment_deadline_utc = week.release_at_utc + timedelta(weeks=1)
            day_two = week.release_at_utc.replace(hour=18, minute=0) + timedelta(days=1)
            week.live_session_title = f"Live {week.week_number}"
            week.live_session_start_utc = day_two
            week.live_session_end_utc = day_two + timedelta(hours=1)
            week.live_session_url = f"https://meet.example.com/{slug}-{week.week_number}"
            session.add(
                Assignment(
                    week_id=week.id,
                    title=f"Assignment {week.week_number}",
                    instructions="Do it.",
                    submission_type="url",
                    max_score=100,
                )
            )
        await session.flush()
    return Program(cohort.id, cohort.slug, cohort.start_at_utc)


async def lesson(session: AsyncSession, course_slug: str, lesson_slug: str) -> Lesson:
    found = await session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
    )
    assert found is not None, (course_slug, lesson_slug)
    return found


async def require(
    session: AsyncSession, dependent: tuple[str, str], *prerequisites: tuple[str, str]
) -> None:
    """``dependent`` (course slug, lesson slug) needs each of ``prerequisites`` first."""
    target = await lesson(session, *dependent)
    for pre in prerequisites:
        pre_lesson = await lesson(session, *pre)
        session.add(LessonPrerequisite(lesson_id=target.id, prerequisite_lesson_id=pre_lesson.id))
    await session.flush()


async def mark_completed(
    session: AsyncSession, user_id: int, at: datetime, *lessons: tuple[str, str]
) -> None:
    """Completion rows written directly (no course progress): for shaping read tests."""
    for key in lessons:
        found = await lesson(session, *key)
        session.add(LessonProgress(user_id=user_id, lesson_id=found.id, completed_at_utc=at))
    await session.flush()


async def course_lessons(session: AsyncSession, course_slug: str) -> list[str]:
    """Lesson slugs of a course in release order."""
    rows = await session.scalars(
        select(Lesson.slug)
        .join(Course, Course.id == Lesson.course_id)
        .join(Week, Week.id == Lesson.week_id)
        .where(Course.slug == course_slug)
        .order_by(Week.week_number, Lesson.sort_order)
    )
    return list(rows)


async def cohort(session: AsyncSession, program: Program) -> Cohort:
    found = await session.get(Cohort, program.id)
    assert found is not None
    return found


def fresh(app: Starlette, account: Account) -> dict[str, str]:
    """The account's bearer header, re-issued at the app clock's now (tests move the clock by
    days; an access token lives 15 minutes). Same session, so the viewer stays the same."""
    token = account.headers["Authorization"].removeprefix("Bearer ")
    session_id = jwt.decode(token, options={"verify_signature": False})["sid"]
    issued = app.state.token_codec.issue(
        user_id=account.user_id, session_id=session_id, now=app.state.clock.now()
    )
    return {"Authorization": f"Bearer {issued.token}"}


LESSON_FIELDS = """
  id slug title description weekNumber sortOrder durationSeconds isPreview hasVideo
  status lockReason unlocksAt completedAt
  course { slug }
  missingPrerequisites { slug title courseSlug weekNumber }
"""

CERTIFICATE_FIELDS = """
  id type status certificateNumber issuedAt verificationUrl
  course { slug } program { slug }
"""

PROGRAM_HOME = f"""
query($slug: String!) {{
  programHome(programSlug: $slug) {{
    program {{
      id slug title lateJoinEndsAt
      courses {{ slug }}
      weeks {{ number isReleased lessonCount completedLessonCount }}
    }}
    enrollment {{ id status source }}
    courses {{
      course {{ slug }} completedLessons totalLessons percentComplete completedAt
      certificate {{ certificateNumber }}
    }}
    weeks {{ number title releaseAt isReleased assignmentDeadline lessonCount completedLessonCount }}
    currentWeek {{ number }}
    nextLesson {{ {LESSON_FIELDS} }}
    nextDeadline {{ weekNumber title deadline isPastDeadline }}
    nextLiveSession {{ weekNumber title startAt endAt url status }}
    certificates {{ {CERTIFICATE_FIELDS} }}
  }}
}}"""

WEEK_HUB = f"""
query($slug: String!, $week: Int!) {{
  weekHub(programSlug: $slug, weekNumber: $week) {{
    program {{ slug courses {{ slug }} }}
    week {{ number title releaseAt isReleased assignmentDeadline lessonCount completedLessonCount }}
    lessons {{ {LESSON_FIELDS} }}
    assignment {{ weekNumber title instructions submissionType maxScore deadline isPastDeadline }}
    liveSession {{ weekNumber title startAt endAt url status }}
    discussion {{ threadId postCount lastPostAt }}
  }}
}}"""

COURSE_PROGRESS = f"""
query($course: String!) {{
  courseProgress(courseSlug: $course) {{
    course {{ slug }} completedLessons totalLessons percentComplete completedAt
    certificate {{ {CERTIFICATE_FIELDS} }}
  }}
}}"""

COMPLETE_LESSON = f"""
mutation($course: String!, $lesson: String!) {{
  completeLesson(input: {{ courseSlug: $course, lessonSlug: $lesson }}) {{
    lesson {{ {LESSON_FIELDS} }}
    courseProgress {{
      course {{ slug }} completedLessons totalLessons percentComplete completedAt
      certificate {{ certificateNumber }}
    }}
    issuedCertificates {{ {CERTIFICATE_FIELDS} }}
    errors {{ code message field }}
  }}
}}"""

CERTIFICATES = f"{{ certificates {{ {CERTIFICATE_FIELDS} }} }}"


def error_code(result: dict) -> str | None:
    errors = result.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None
