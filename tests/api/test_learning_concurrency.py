"""completeLesson sent 50 times at once over HTTP (MariaDB): one record, one answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from edxelera_gql.learning.models import CourseProgress, LessonProgress
from tests.support.learning import COMPLETE_LESSON, PROGRAM_HOME, build_program, fresh
from tests.support.users import create_account, enroll

pytestmark = pytest.mark.mysql_only


async def test_fifty_simultaneous_requests_complete_a_lesson_once(
    app, gql, sessionmaker, clock, is_mysql
) -> None:
    if not is_mysql:
        pytest.skip("row locks and real concurrency need MariaDB")
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="rush", courses=1, weeks=1, lessons_per_week=2)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    headers = fresh(app, student)
    await gql(PROGRAM_HOME, {"slug": "rush"}, **headers)  # cached before the rush

    results = await asyncio.gather(
        *[
            gql(COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **headers)
            for _ in range(50)
        ]
    )

    payloads = [r["data"]["completeLesson"] for r in results]
    assert all(payload["errors"] == [] for payload in payloads)
    assert {
        (x["courseProgress"]["completedLessons"], x["courseProgress"]["totalLessons"])
        for x in payloads
    } == {(1, 2)}
    assert len({x["lesson"]["completedAt"] for x in payloads}) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(LessonProgress.id))) == 1
        stored = (await session.scalars(select(CourseProgress))).all()
    assert [(s.completed_lessons, s.total_lessons) for s in stored] == [(1, 2)]
    home = await gql(PROGRAM_HOME, {"slug": "rush"}, **headers)
    assert home["data"]["programHome"]["courses"][0]["completedLessons"] == 1
