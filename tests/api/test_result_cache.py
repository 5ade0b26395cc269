"""The whole-result cache of programHome and weekHub: a warm answer runs no resolver and no SQL,
and it is keyed on the document, the variables and the viewer, and watched by versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from edxelera_gql.graphql import result_cache
from tests.support.learning import (
    COMPLETE_LESSON,
    PROGRAM_HOME,
    WEEK_HUB,
    Program,
    build_program,
    fresh,
)
from tests.support.sql import count_statements
from tests.support.users import Account, create_account, enroll

SMALL_HOME = 'query { programHome(programSlug: "rc") { courses { completedLessons } } }'
POST = """mutation { createPost(input: {programSlug: "rc", weekNumber: 1, body: "Hello"})
  { errors { code } } }"""


@pytest.fixture
async def world(app, sessionmaker, clock) -> tuple[Program, Account, Account]:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="rc", courses=1, weeks=2, lessons_per_week=2)
    clock.set(p.release(1) + timedelta(hours=1))  # before the sessions, which live 30 days
    ada = await create_account(app, sessionmaker)
    bola = await create_account(app, sessionmaker)
    for student in (ada, bola):
        await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    return p, ada, bola


async def _entries(app) -> int:
    """How many result entries the cache holds for the world's two students (by key prefix)."""
    cache = app.state.cache
    if cache.backend == "redis":
        return len([k async for k in cache._client.scan_iter(f"{result_cache.PREFIX}:*")])
    return len([k for k in cache._data if k.startswith(result_cache.PREFIX)])


async def test_a_warm_answer_runs_no_sql_and_is_the_same(app, gql, world) -> None:
    _, ada, _ = world
    headers = fresh(app, ada)
    cold = await gql(PROGRAM_HOME, {"slug": "rc"}, **headers)
    assert "errors" not in cold, cold
    assert await _entries(app) == 1
    with count_statements(app.state.engine) as log:
        warm = await gql(PROGRAM_HOME, {"slug": "rc"}, **headers)
    assert log.count == 0, str(log)
    assert warm == cold


async def test_the_key_is_the_document_and_its_variables(app, gql, world) -> None:
    _, ada, _ = world
    headers = fresh(app, ada)
    week1 = await gql(WEEK_HUB, {"slug": "rc", "week": 1}, **headers)
    week2 = await gql(WEEK_HUB, {"slug": "rc", "week": 2}, **headers)
    assert week1["data"]["weekHub"]["week"]["number"] == 1
    assert week2["data"]["weekHub"]["week"]["number"] == 2
    small = await gql(SMALL_HOME, **headers)
    full = await gql(PROGRAM_HOME, {"slug": "rc"}, **headers)
    assert set(small["data"]["programHome"]) == {"courses"}
    assert "weeks" in full["data"]["programHome"]
    assert await _entries(app) == 4
    # Asked again, each gets its own answer back.
    assert await gql(WEEK_HUB, {"slug": "rc", "week": 1}, **headers) == week1
    assert await gql(SMALL_HOME, **headers) == small


async def test_an_answer_never_reaches_another_viewer(app, gql, world) -> None:
    p, ada, bola = world
    await gql(COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, ada))
    mine = await gql(SMALL_HOME, **fresh(app, ada))
    theirs = await gql(SMALL_HOME, **fresh(app, bola))
    assert mine["data"]["programHome"]["courses"][0]["completedLessons"] == 1
    assert theirs["data"]["programHome"]["courses"][0]["completedLessons"] == 0


async def test_a_completion_and_a_post_show_at_once(app, gql, world) -> None:
    p, ada, bola = world
    before = await gql(SMALL_HOME, **fresh(app, ada))
    hub_before = await gql(WEEK_HUB, {"slug": "rc", "week": 1}, **fresh(app, ada))
    await gql(COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, ada))
    assert (await gql(POST, **fresh(app, bola)))["data"]["createPost"]["errors"] == []
    after = await gql(SMALL_HOME, **fresh(app, ada))
    hub_after = await gql(WEEK_HUB, {"slug": "rc", "week": 1}, **fresh(app, ada))
    assert before["data"]["programHome"]["courses"][0]["completedLessons"] == 0
    assert after["data"]["programHome"]["courses"][0]["completedLessons"] == 1
    assert hub_before["data"]["weekHub"]["discussion"]["postCount"] == 0
    assert hub_after["data"]["weekHub"]["discussion"]["postCount"] == 1


async def test_an_answer_does_not_outlive_the_next_release(app, gql, world, clock) -> None:
    p, ada, _ = world
    clock.set(p.release(2) - timedelta(seconds=1))
    home = 'query { programHome(programSlug: "rc") { weeks { isReleased } } }'
    before = await gql(home, **fresh(app, ada))
    clock.set(p.release(2) + timedelta(seconds=1))
    after = await gql(home, **fresh(app, ada))
    assert [w["isReleased"] for w in before["data"]["programHome"]["weeks"]] == [True, False]
    assert [w["isReleased"] for w in after["data"]["programHome"]["weeks"]] == [True, True]


async def test_refusals_and_other_fields_are_not_kept(app, gql, world, sessionmaker) -> None:
    outsider = await create_account(app, sessionmaker)
    refused = await gql(SMALL_HOME, **fresh(app, outsider))
    assert refused["errors"][0]["extensions"]["code"] == "NOT_ENROLLED"
    _, ada, _ = world
    mixed = 'query { me { id } programHome(programSlug: "rc") { id } }'
    assert "errors" not in await gql(mixed, **fresh(app, ada))
    assert await _entries(app) == 0
