"""Concurrent discussion requests over HTTP on MariaDB + Redis: one thread per week however
many first requests race, and rate limits that hold under a burst."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from tests.support.discussion import CREATE_POST, THREAD
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

pytestmark = pytest.mark.mysql_only

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mysql_only(is_mysql: bool) -> None:
    if not is_mysql:
        pytest.skip("real concurrency needs MariaDB (SQLite serializes writers)")


async def _students(app, sessionmaker, clock, count: int):
    clock.set(START + timedelta(days=1))
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="race", weeks=2, start=START)
    accounts = []
    for _ in range(count):
        account = await create_account(app, sessionmaker)
        await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
        accounts.append(account)
    return cohort, accounts


async def _count(sessionmaker, column) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count(column)))


async def test_100_concurrent_first_requests_create_exactly_one_thread(
    app, gql, sessionmaker, clock
) -> None:
    _, students = await _students(app, sessionmaker, clock, 10)
    # Signed-in viewers are cached and the pool holds open connections after this warm-up,
    # so the hundred requests race at the thread rather than queue for connections.
    warm_up = [gql('{ program(slug: "race") { id } }', **s.headers) for s in students * 3]
    assert all("errors" not in r for r in await asyncio.gather(*warm_up))

    results = await asyncio.gather(
        *(gql(THREAD, {"slug": "race", "week": 1}, **students[i % 10].headers) for i in range(100))
    )

    assert all("errors" not in r for r in results), [r for r in results if "errors" in r][:1]
    ids = {r["data"]["discussionThread"]["id"] for r in results}
    assert len(ids) == 1
    assert await _count(sessionmaker, DiscussionThread.id) == 1


async def test_concurrent_first_posts_share_one_new_thread(app, gql, sessionmaker, clock) -> None:
    _, students = await _students(app, sessionmaker, clock, 20)

    results = await asyncio.gather(
        *(
            gql(CREATE_POST, {"slug": "race", "week": 1, "body": f"first {i}"}, **s.headers)
            for i, s in enumerate(students)
        )
    )

    assert all(r["data"]["createPost"]["errors"] == [] for r in results), results[:1]
    assert await _count(sessionmaker, DiscussionThread.id) == 1
    assert await _count(sessionmaker, DiscussionPost.id) == 20


async def test_a_burst_of_posts_by_one_user_stops_at_the_limit(
    app, gql, sessionmaker, clock
) -> None:
    _, [student] = await _students(app, sessionmaker, clock, 1)

    results = await asyncio.gather(
        *(
            gql(CREATE_POST, {"slug": "race", "week": 1, "body": f"burst {i}"}, **student.headers)
            for i in range(25)
        )
    )

    outcomes = Counter(
        (r["data"]["createPost"]["errors"] or [{"code": "OK"}])[0]["code"] for r in results
    )
    assert outcomes == {"OK": 10, "RATE_LIMITED": 15}
    assert await _count(sessionmaker, DiscussionPost.id) == 10
