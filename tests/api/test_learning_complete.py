"""completeLesson over HTTP: each refusal, idempotence, progress kept in step, and nothing
half-written when it is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from edxelera_gql.learning.models import CourseProgress, LessonProgress
from tests.support.learning import (
    COMPLETE_LESSON,
    WEEK_HUB,
    build_program,
    fresh,
    lesson,
    require,
)
from tests.support.users import create_account, enroll


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


async def _complete(gql, app, account, course: str, lesson: str) -> dict:
    result = await gql(COMPLETE_LESSON, {"course": course, "lesson": lesson}, **fresh(app, account))
    assert "errors" not in result, result
    return result["data"]["completeLesson"]


async def _rows(sessionmaker, user_id: int) -> tuple[int, list[tuple[int, int, Decimal]]]:
    async with sessionmaker() as session:
        lessons = await session.scalar(
            select(func.count(LessonProgress.id)).where(LessonProgress.user_id == user_id)
        )
        courses = (
            await session.execute(
                select(
                    CourseProgress.completed_lessons,
                    CourseProgress.total_lessons,
                    CourseProgress.percent_complete,
                )
                .where(CourseProgress.user_id == user_id)
                .order_by(CourseProgress.course_id)
            )
        ).all()
    return lessons or 0, [tuple(row) for row in courses]


async def test_completing_records_progress_once_and_answers_the_same_twice(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="once", courses=1, weeks=3, lessons_per_week=1)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1) + timedelta(hours=2))

    first = await _complete(gql, app, student, p.course(0), "w1-l0")
    clock.advance(minutes=5)
    second = await _complete(gql, app, student, p.course(0), "w1-l0")

    assert first["errors"] == []
    assert first["lesson"]["status"] == "COMPLETED"
    assert first["lesson"]["completedAt"] == "2027-03-01T10:00:00.000000Z"
    assert first["courseProgress"] == {
        "course": {"slug": "once-c0"},
        "completedLessons": 1,
        "totalLessons": 3,
        "percentComplete": 33.33,
        "completedAt": None,
        "certificate": None,
    }
    assert first["issuedCertificates"] == []
    # The second call changes nothing: same answer, the first completion time stands.
    assert second == first
    assert await _rows(sessionmaker, student.user_id) == (1, [(1, 3, Decimal("33.33"))])


async def test_refusals_and_their_codes(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="refuse", courses=1, weeks=2, lessons_per_week=2)
        other = await build_program(session, slug="other", courses=1, weeks=1)
        await require(session, (p.course(0), "w1-l1"), (p.course(0), "w1-l0"))
    student = await create_account(app, sessionmaker)
    pending = await create_account(app, sessionmaker)
    staff = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[p.id])
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    await enroll(sessionmaker, user_id=pending.user_id, cohort_id=p.id, status="pending_payment")
    clock.set(p.release(1) + timedelta(hours=1))
    course = p.course(0)

    async def code(account, course_slug: str, lesson_slug: str) -> tuple[str, str | None]:
        payload = await _complete(gql, app, account, course_slug, lesson_slug)
        assert payload["courseProgress"] is None
        assert payload["issuedCertificates"] == []
        (error,) = payload["errors"]
        return error["code"], error["field"]

    anonymous = await gql(COMPLETE_LESSON, {"course": course, "lesson": "w1-l0"})
    assert anonymous["data"]["completeLesson"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert await code(student, course, "No Such Lesson") == ("INVALID_INPUT", "lessonSlug")
    assert await code(student, "", "w1-l0") == ("INVALID_INPUT", "courseSlug")
    assert await code(student, course, "nope") == ("NOT_FOUND", "lessonSlug")
    assert await code(student, "nope", "w1-l0") == ("NOT_FOUND", "lessonSlug")
    assert await code(pending, course, "w1-l0") == ("NOT_ENROLLED", None)
    assert await code(staff, course, "w1-l0") == ("NOT_ENROLLED", None)
    assert await code(student, other.course(0), "w1-l0") == ("NOT_ENROLLED", None)
    assert await code(student, course, "w2-l0") == ("WEEK_NOT_RELEASED", None)
    assert await code(student, course, "w1-l1") == ("PREREQUISITES_INCOMPLETE", None)

    # Nothing was written by any of them.
    for account in (student, pending, staff):
        assert await _rows(sessionmaker, account.user_id) == (0, [])


async def test_a_locked_lesson_comes_back_with_the_reason(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="why", courses=2, weeks=2, lessons_per_week=2)
        await require(session, (p.course(0), "w1-l0"), (p.course(1), "w1-l1"))
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))

    prereq = await _complete(gql, app, student, p.course(0), "w1-l0")
    unreleased = await _complete(gql, app, student, p.course(0), "w2-l0")

    assert prereq["errors"][0]["code"] == "PREREQUISITES_INCOMPLETE"
    assert "why-c1/w1-l1" in prereq["errors"][0]["message"]
    assert prereq["lesson"]["missingPrerequisites"] == [
        {"slug": "w1-l1", "title": "Lesson 1.1", "courseSlug": "why-c1", "weekNumber": 1}
    ]
    assert unreleased["lesson"]["lockReason"] == "WEEK_NOT_RELEASED"
    assert unreleased["lesson"]["unlocksAt"] == "2027-03-08T08:00:00.000000Z"
    assert "2027-03-08T08:00:00Z" in unreleased["errors"][0]["message"]


async def test_a_preview_lesson_can_be_completed_before_its_week(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="peek", courses=1, weeks=2, lessons_per_week=1)
        (await lesson(session, p.course(0), "w2-l0")).is_preview = True
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    done = await _complete(gql, app, student, p.course(0), "w2-l0")
    assert done["errors"] == []
    assert done["lesson"]["status"] == "COMPLETED"
    assert done["courseProgress"]["completedLessons"] == 1


async def test_completion_shows_in_the_next_week_hub(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="seen", courses=1, weeks=1, lessons_per_week=2)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    variables = {"slug": "seen", "week": 1}
    before = (await gql(WEEK_HUB, variables, **fresh(app, student)))["data"]["weekHub"]
    await _complete(gql, app, student, p.course(0), "w1-l1")
    after = (await gql(WEEK_HUB, variables, **fresh(app, student)))["data"]["weekHub"]
    assert [x["status"] for x in before["lessons"]] == ["AVAILABLE", "AVAILABLE"]
    assert before["week"]["completedLessonCount"] == 0
    assert [x["status"] for x in after["lessons"]] == ["AVAILABLE", "COMPLETED"]
    assert after["week"]["completedLessonCount"] == 1
