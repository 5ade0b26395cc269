"""SQL statement budgets of programHome, weekHub and courseProgress: fixed, whatever the size."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette

from edxelera_gql.certificates import issuance
from tests.support.learning import (
    COURSE_PROGRESS,
    PROGRAM_HOME,
    WEEK_HUB,
    Program,
    build_program,
    course_lessons,
    fresh,
    lesson,
    mark_completed,
    require,
)
from tests.support.sql import StatementLog, count_statements
from tests.support.users import Account, create_account, enroll

WEEK_HUB_WITH_ALL_WEEKS = """
query($slug: String!, $week: Int!) {
  weekHub(programSlug: $slug, weekNumber: $week) {
    program { slug lateJoinEndsAt courses { slug } weeks { number lessonCount completedLessonCount } }
    week { number lessonCount completedLessonCount }
    lessons { slug status course { slug } missingPrerequisites { slug } }
    discussion { postCount }
  }
}"""

BUDGET = 10


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


async def _program(
    app: Starlette,
    sessionmaker,
    student: Account,
    slug: str,
    courses: int,
    weeks: int,
    lessons: int,
) -> Program:
    """A program with every kind of row the views read: assignments, live sessions,
    prerequisites across courses, completions and a certificate."""
    async with sessionmaker() as session, session.begin():
        p = await build_program(
            session, slug=slug, courses=courses, weeks=weeks, lessons_per_week=lessons
        )
        for n in range(1, weeks + 1):
            await require(session, (p.course(1), f"w{n}-l1"), (p.course(0), f"w{n}-l0"))
        first_course = await course_lessons(session, p.course(0))
        await mark_completed(
            session,
            student.user_id,
            p.release(1),
            *[(p.course(0), slug) for slug in first_course],
            (p.course(1), "w1-l1"),
        )
        course_id = (await lesson(session, p.course(0), "w1-l0")).course_id
        await issuance.issue_once(
            session, user_id=student.user_id, cohort_id=p.id, course_id=course_id, now=p.release(1)
        )
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    return p


async def _count(
    app: Starlette, gql, account: Account, query: str, variables: dict
) -> StatementLog:
    headers = fresh(app, account)
    with count_statements(app.state.engine) as log:
        result = await gql(query, variables, **headers)
    assert "errors" not in result, result
    return log


async def test_statement_counts_do_not_grow_with_courses_weeks_and_lessons(
    app, gql, sessionmaker, clock
) -> None:
    student = await create_account(app, sessionmaker)
    small = await _program(app, sessionmaker, student, "small", courses=2, weeks=3, lessons=2)
    big = await _program(app, sessionmaker, student, "big", courses=6, weeks=12, lessons=8)
    clock.set(small.release(2) + timedelta(hours=1))
    # Resolve (and cache) the viewer first: the budgets below are the operations' own.
    await gql("{ me { id } }", **fresh(app, student))

    counts: dict[str, dict[str, StatementLog]] = {}
    for p in (small, big):
        counts[p.slug] = {
            "programHome": await _count(app, gql, student, PROGRAM_HOME, {"slug": p.slug}),
            "weekHub": await _count(app, gql, student, WEEK_HUB, {"slug": p.slug, "week": 2}),
            "weekHub+weeks": await _count(
                app, gql, student, WEEK_HUB_WITH_ALL_WEEKS, {"slug": p.slug, "week": 1}
            ),
            "courseProgress": await _count(
                app, gql, student, COURSE_PROGRESS, {"course": p.course(1)}
            ),
        }

    for name in counts["small"]:
        small_log, big_log = counts["small"][name], counts["big"][name]
        assert small_log.count == big_log.count, f"{name}\n{small_log}\n---\n{big_log}"
        assert big_log.count <= BUDGET, f"{name}\n{big_log}"
    # Locked so a regression shows. The first ever: the program, then its structure, shared by
    # every viewer (courses, weeks + assignments, lessons, prerequisites), then the viewer's part
    # (enrollment, completions, certificates).
    assert counts["big"]["programHome"].count == 8, str(counts["big"]["programHome"])
    # The week hub then reuses both the structure and the viewer's progress: only the
    # discussion summary is read.
    assert counts["big"]["weekHub"].count == 1, str(counts["big"]["weekHub"])
    # Other weeks' lesson counts and completed counts: one batch each.
    assert counts["big"]["weekHub+weeks"].count == 3, str(counts["big"]["weekHub+weeks"])
    # Course (+ program, enrollment), counts, certificate.
    assert counts["big"]["courseProgress"].count == 3, str(counts["big"]["courseProgress"])


async def test_a_viewer_of_a_cached_structure_costs_three_statements(
    app, gql, sessionmaker, clock
) -> None:
    first = await create_account(app, sessionmaker)
    second = await create_account(app, sessionmaker)
    p = await _program(app, sessionmaker, first, "shared", courses=6, weeks=12, lessons=8)
    await enroll(sessionmaker, user_id=second.user_id, cohort_id=p.id)
    clock.set(p.release(3) + timedelta(hours=1))
    await gql("{ me { id } }", **fresh(app, second))
    await _count(app, gql, first, PROGRAM_HOME, {"slug": "shared"})  # loads the structure

    home = await _count(app, gql, second, PROGRAM_HOME, {"slug": "shared"})
    # Only the viewer's part: enrollment, completed lessons, certificates.
    assert home.count == 3, str(home)
    assert not any("lesson_prerequisites" in s for s in home.statements), str(home)
    # A week hub of that viewer reads nothing more of theirs: the discussion summary only.
    hub = await _count(app, gql, second, WEEK_HUB, {"slug": "shared", "week": 2})
    assert hub.count == 1, str(hub)


async def test_warm_program_home_issues_no_sql(app, gql, sessionmaker, clock) -> None:
    student = await create_account(app, sessionmaker)
    p = await _program(app, sessionmaker, student, "warm", courses=6, weeks=12, lessons=8)
    clock.set(p.release(3) + timedelta(hours=1))
    headers = fresh(app, student)

    cold = await gql(PROGRAM_HOME, {"slug": "warm"}, **headers)
    with count_statements(app.state.engine) as log:
        warm = await gql(PROGRAM_HOME, {"slug": "warm"}, **headers)

    assert "errors" not in cold, cold
    assert log.count == 0, str(log)
    assert warm == cold
    home = warm["data"]["programHome"]
    assert home["courses"][0]["certificate"] is not None
    # Week 1 in course order: c0 (l0, l6 done), c1 (l1 done, then l7).
    assert home["nextLesson"]["slug"] == "w1-l7"


async def test_a_release_stampede_loads_the_structure_once(app, gql, sessionmaker, clock) -> None:
    """200 students open programHome at once with every cache cold: one structure load."""
    students = [await create_account(app, sessionmaker) for _ in range(200)]
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="stampede", courses=6, weeks=12, lessons_per_week=8)
        await require(session, (p.course(1), "w1-l1"), (p.course(0), "w1-l0"))
    for student in students:
        await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(3) + timedelta(hours=1))
    headers = [fresh(app, s) for s in students]
    for h in headers:  # the viewers themselves are cached between a student's requests
        await gql("{ me { id } }", **h)

    gate = asyncio.Semaphore(32)

    async def open_home(h: dict[str, str]) -> dict:
        async with gate:
            return await gql(PROGRAM_HOME, {"slug": "stampede"}, **h)

    with count_statements(app.state.engine) as log:
        results = await asyncio.gather(*(open_home(h) for h in headers))
    assert all("errors" not in r for r in results), next(r for r in results if "errors" in r)
    structure_loads = [s for s in log.statements if "FROM lesson_prerequisites" in s]
    assert len(structure_loads) == 1, str(log)
    # The viewers were cached by the warm-up, but only for 60 real seconds: on a loaded machine
    # some expire before the stampede. At most one lookup each, apart from the program's work.
    viewers = [s for s in log.statements if s.startswith("SELECT users.status")]
    assert len(viewers) <= len(students), str(log)
    # Each viewer's own part: enrollment, completions, certificates (+ one program lookup).
    assert log.count - len(viewers) <= 5 + 1 + 3 * len(students), str(log)
