"""Caching of programHome and weekHub: never past a schedule boundary, dropped by every write
that changes the answer, and never needed for a correct answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from edxelera_gql.app import create_app
from edxelera_gql.catalog.importer import import_program_text
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.graphql.result_cache import result_key
from edxelera_gql.infra import versions
from tests.support.http_client import GraphQLClient
from tests.support.learning import (
    COMPLETE_LESSON,
    PROGRAM_HOME,
    WEEK_HUB,
    build_program,
    error_code,
    fresh,
)
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

EXAMPLE = (Path(__file__).parents[1] / "catalog" / "data" / "example.yaml").read_text()


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


async def test_an_answer_cached_a_second_before_a_release_is_not_served_after_it(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="edge", courses=1, weeks=2, lessons_per_week=1)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(2) - timedelta(seconds=1))
    headers = fresh(app, student)

    before = await gql(PROGRAM_HOME, {"slug": "edge"}, **headers)
    with count_statements(app.state.engine) as cached:
        again = await gql(PROGRAM_HOME, {"slug": "edge"}, **headers)
    clock.set(p.release(2) + timedelta(seconds=1))
    after = await gql(PROGRAM_HOME, {"slug": "edge"}, **headers)

    assert cached.count == 0  # it was indeed cached
    assert again == before
    assert [w["isReleased"] for w in before["data"]["programHome"]["weeks"]] == [True, False]
    assert [w["isReleased"] for w in after["data"]["programHome"]["weeks"]] == [True, True]
    assert after["data"]["programHome"]["currentWeek"]["number"] == 2
    assert after["data"]["programHome"]["nextLesson"]["slug"] == "w1-l0"


async def test_cache_lifetime_is_cut_at_the_next_boundary(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="ttl", courses=1, weeks=2, lessons_per_week=1)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    cache = app.state.cache
    home = {"slug": "ttl"}
    hub = {"slug": "ttl", "week": 1}

    async def ttl_of(document: str, variables: dict[str, object]) -> float | None:
        # The whole answer as the result cache keeps it for this viewer.
        return await cache.ttl(result_key(document, None, variables, student.user_id))

    clock.set(p.release(2) - timedelta(seconds=10))
    await gql(PROGRAM_HOME, home, **fresh(app, student))
    await gql(WEEK_HUB, hub, **fresh(app, student))
    home_ttl = await ttl_of(PROGRAM_HOME, home)
    # Week 1's hub depends on its deadline, which is week 2's release too.
    hub_ttl = await ttl_of(WEEK_HUB, hub)
    assert home_ttl is not None
    assert 0 < home_ttl <= 10
    assert hub_ttl is not None
    assert 0 < hub_ttl <= 10

    clock.set(p.release(2) + timedelta(hours=1))  # the next boundaries are days away
    await gql(PROGRAM_HOME, home, **fresh(app, student))
    long_ttl = await ttl_of(PROGRAM_HOME, home)
    assert long_ttl is not None
    assert 10 < long_ttl <= app.state.settings.cache_ttl_seconds


async def test_a_completion_shows_in_the_next_program_home_and_week_hub(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="fresh", courses=1, weeks=1, lessons_per_week=2)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    home_query = (PROGRAM_HOME, {"slug": "fresh"})
    hub_query = (WEEK_HUB, {"slug": "fresh", "week": 1})
    home = await gql(*home_query, **fresh(app, student))
    hub = await gql(*hub_query, **fresh(app, student))

    await gql(COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, student))
    home_after = (await gql(*home_query, **fresh(app, student)))["data"]["programHome"]
    hub_after = (await gql(*hub_query, **fresh(app, student)))["data"]["weekHub"]

    assert home["data"]["programHome"]["courses"][0]["completedLessons"] == 0
    assert hub["data"]["weekHub"]["lessons"][0]["status"] == "AVAILABLE"
    assert home_after["courses"][0]["completedLessons"] == 1
    assert home_after["weeks"][0]["completedLessonCount"] == 1
    assert home_after["nextLesson"]["slug"] == "w1-l1"
    assert hub_after["lessons"][0]["status"] == "COMPLETED"
    assert hub_after["week"]["completedLessonCount"] == 1


async def test_an_enrollment_change_reaches_a_cached_viewer_through_its_version(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="refund", courses=1, weeks=1)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    assert "errors" not in await gql(PROGRAM_HOME, {"slug": "refund"}, **fresh(app, student))

    # What the payment code does on a refund: change the row, then bump the viewer's version.
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Enrollment)
            .where(Enrollment.user_id == student.user_id)
            .values(status="refunded")
        )
    await versions.bump(app.state.cache, versions.viewer_program_scope(student.user_id, p.id))

    result = await gql(PROGRAM_HOME, {"slug": "refund"}, **fresh(app, student))
    assert error_code(result) == "NOT_ENROLLED"


async def test_a_content_import_reaches_cached_answers(app, gql, sessionmaker, clock) -> None:
    cache = app.state.cache
    report = await import_program_text(sessionmaker, EXAMPLE, filename="x.yaml", cache=cache)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=report.cohort_id)
    clock.set(datetime(2027, 3, 2, tzinfo=UTC))
    slug = "data-analytics-2027-03"

    before = await gql(PROGRAM_HOME, {"slug": slug}, **fresh(app, student))
    hub_before = await gql(WEEK_HUB, {"slug": slug, "week": 1}, **fresh(app, student))
    edited = EXAMPLE.replace("Getting started", "Getting started, revised").replace(
        "title: What is SQL?", "title: What is SQL, really?"
    )
    await import_program_text(sessionmaker, edited, filename="x.yaml", cache=cache)
    after = await gql(PROGRAM_HOME, {"slug": slug}, **fresh(app, student))
    hub_after = await gql(WEEK_HUB, {"slug": slug, "week": 1}, **fresh(app, student))

    assert before["data"]["programHome"]["weeks"][0]["title"] == "Getting started"
    assert after["data"]["programHome"]["weeks"][0]["title"] == "Getting started, revised"
    assert hub_before["data"]["weekHub"]["lessons"][0]["title"] == "What is SQL?"
    assert hub_after["data"]["weekHub"]["lessons"][0]["title"] == "What is SQL, really?"
    assert hub_after["data"]["weekHub"]["lessons"][0]["hasVideo"] is True


async def test_answers_stay_correct_without_redis(settings, clock, sessionmaker) -> None:
    # A Redis nobody listens on: every cache call fails open.
    app = create_app(
        settings.with_overrides(redis_url="redis://127.0.0.1:1/0"), clock=clock, setup_logging=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            gql = GraphQLClient(client)
            async with sessionmaker() as session, session.begin():
                p = await build_program(session, slug="noredis", courses=1, weeks=1)
            student = await create_account(app, sessionmaker)
            await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
            clock.set(p.release(1))
            first = await gql(PROGRAM_HOME, {"slug": "noredis"}, **fresh(app, student))
            done = await gql(
                COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, student)
            )
            second = await gql(PROGRAM_HOME, {"slug": "noredis"}, **fresh(app, student))
    assert first["data"]["programHome"]["courses"][0]["completedLessons"] == 0
    assert done["data"]["completeLesson"]["errors"] == []
    assert second["data"]["programHome"]["courses"][0]["completedLessons"] == 1


async def _forget_everything(cache) -> None:
    """What a restarted or flushed Redis looks like to the app: every key gone, versions 0."""
    if cache.backend == "redis":
        await cache._client.flushdb()
    else:
        cache._data.clear()


async def test_a_flushed_cache_never_brings_back_a_copy_kept_in_the_process(
    app, gql, sessionmaker, clock
) -> None:
    """The process keeps the decoded structure while Redis holds its stamp; after a flush the
    versions start again from 0, so only the stamp tells the old copy from the new content."""
    from edxelera_gql.catalog.models import Week

    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="flushed", courses=1, weeks=2)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))
    before = await gql(PROGRAM_HOME, {"slug": "flushed"}, **fresh(app, student))
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Week).where(Week.cohort_id == p.id, Week.week_number == 1).values(title="New")
        )
    await _forget_everything(app.state.cache)
    after = await gql(PROGRAM_HOME, {"slug": "flushed"}, **fresh(app, student))
    assert before["data"]["programHome"]["weeks"][0]["title"] == "Week 1"
    assert after["data"]["programHome"]["weeks"][0]["title"] == "New"
