"""Completions racing each other on MariaDB: exact counts, each certificate exactly once.

Every call runs on its own session and transaction (``complete_lesson`` opens its own unit of
work), as concurrent requests do.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.infra.cache import Cache
from edxelera_gql.learning import completion
from edxelera_gql.learning.models import CourseProgress, LessonProgress
from edxelera_gql.learning.read_models import Completion
from tests.support.learning import Program, build_program, course_lessons
from tests.support.users import enroll

pytestmark = pytest.mark.mysql_only

NOW = datetime(2027, 3, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mysql_only(is_mysql: bool) -> None:
    if not is_mysql:
        pytest.skip("row locks and real concurrency need MariaDB")


async def _students(
    sessionmaker: async_sessionmaker[AsyncSession], program: Program, n: int
) -> list[Viewer]:
    async with sessionmaker() as session, session.begin():
        users = [
            User(email=f"race-{program.slug}-{i}@example.com", full_name=f"R{i}", password_hash="!")
            for i in range(n)
        ]
        session.add_all(users)
    for user in users:
        await enroll(sessionmaker, user_id=user.id, cohort_id=program.id)
    return [Viewer(user_id=u.id, roles=frozenset({"student"})) for u in users]


async def _complete(
    sessionmaker, cache: Cache, viewer: Viewer, course: str, lesson: str
) -> Completion:
    outcome = await completion.complete_lesson(
        sessionmaker, cache=cache, viewer=viewer, course_slug=course, lesson_slug=lesson, now=NOW
    )
    assert isinstance(outcome, Completion), outcome
    return outcome


async def _certificates(sessionmaker, user_id: int) -> list[str]:
    async with sessionmaker() as session:
        return sorted(
            await session.scalars(
                select(Certificate.scope_key).where(Certificate.user_id == user_id)
            )
        )


async def test_fifty_simultaneous_completions_of_one_lesson_leave_one_row(
    sessionmaker, cache
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="fifty", courses=1, weeks=2, lessons_per_week=2)
    (viewer,) = await _students(sessionmaker, p, 1)

    outcomes = await asyncio.gather(
        *[_complete(sessionmaker, cache, viewer, p.course(0), "w1-l0") for _ in range(50)]
    )

    assert {(o.progress.completed_lessons, o.progress.total_lessons) for o in outcomes} == {(1, 4)}
    assert sum(o.changed for o in outcomes) == 1  # exactly one call wrote
    async with sessionmaker() as session:
        rows = await session.scalar(select(func.count(LessonProgress.id)))
        progress = (await session.scalars(select(CourseProgress))).all()
    assert rows == 1
    assert [(c.completed_lessons, c.total_lessons, str(c.percent_complete)) for c in progress] == [
        (1, 4, "25.00")
    ]


@pytest.mark.parametrize("calls_per_lesson", [1, 3])
async def test_the_last_two_lessons_of_a_course_at_once_issue_one_course_certificate(
    sessionmaker, cache, calls_per_lesson: int
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="pair", courses=1, weeks=2, lessons_per_week=2)
        slugs = await course_lessons(session, p.course(0))
    students = await _students(sessionmaker, p, 6)
    for viewer in students:
        for slug in slugs[:2]:
            await _complete(sessionmaker, cache, viewer, p.course(0), slug)

    # Every student finishes the last two lessons at once.
    rounds = await asyncio.gather(
        *[
            asyncio.gather(
                *[
                    _complete(sessionmaker, cache, v, p.course(0), slug)
                    for slug in slugs[2:] * calls_per_lesson
                ]
            )
            for v in students
        ]
    )

    for viewer, outcomes in zip(students, rounds, strict=True):
        issued = [c for o in outcomes for c in o.issued]
        # One course certificate, and (a one-course program) one program certificate.
        assert sorted(c.type for c in issued) == ["course", "program"]
        (course_id,) = [c.course_id for c in issued if c.type == "course"]
        assert await _certificates(sessionmaker, viewer.user_id) == [
            f"course:{viewer.user_id}:{course_id}",
            f"program:{viewer.user_id}:{p.id}",
        ]
        async with sessionmaker() as session:
            stored = await session.scalar(
                select(CourseProgress).where(CourseProgress.user_id == viewer.user_id)
            )
        assert stored is not None
        assert (stored.completed_lessons, stored.total_lessons) == (4, 4)
        assert stored.completed_at_utc == NOW


# One call per lesson shows a missed certificate (each sees the other course unfinished);
# repeated calls show a doubled one.
@pytest.mark.parametrize("calls_per_lesson", [1, 3])
async def test_finishing_two_courses_at_once_issues_one_program_certificate(
    sessionmaker, cache, calls_per_lesson: int
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="both", courses=2, weeks=2, lessons_per_week=2)
        slugs = [await course_lessons(session, p.course(c)) for c in (0, 1)]
    students = await _students(sessionmaker, p, 10)
    for viewer in students:
        for c in (0, 1):
            await _complete(sessionmaker, cache, viewer, p.course(c), slugs[c][0])

    rounds = await asyncio.gather(
        *[
            asyncio.gather(
                *[
                    _complete(sessionmaker, cache, v, p.course(c), slugs[c][1])
                    for c in (0, 1)
                    for _ in range(calls_per_lesson)
                ]
            )
            for v in students
        ]
    )

    for viewer, outcomes in zip(students, rounds, strict=True):
        issued = sorted(c.type for o in outcomes for c in o.issued)
        assert issued == ["course", "course", "program"]
        keys = await _certificates(sessionmaker, viewer.user_id)
        assert len(keys) == 3
        assert keys.count(f"program:{viewer.user_id}:{p.id}") == 1


async def test_students_completing_at_the_same_time_do_not_block_each_other(
    sessionmaker, cache
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="crowd", courses=2, weeks=2, lessons_per_week=3)
    students = await _students(sessionmaker, p, 20)
    lessons = [(p.course(j % 2), f"w{n}-l{j}") for n in (1, 2) for j in range(3)]

    async def study(viewer: Viewer) -> None:
        for course, slug in lessons:
            await _complete(sessionmaker, cache, viewer, course, slug)

    # 20 students, 6 lessons each, all at once: no deadlock, no lost update.
    await asyncio.wait_for(asyncio.gather(*[study(v) for v in students]), timeout=60)

    async with sessionmaker() as session:
        per_user = (
            await session.execute(
                select(LessonProgress.user_id, func.count(LessonProgress.id)).group_by(
                    LessonProgress.user_id
                )
            )
        ).all()
        certificates = await session.scalar(select(func.count(Certificate.id)))
    assert sorted(n for _, n in per_user) == [6] * 20
    assert certificates == 20 * 3
