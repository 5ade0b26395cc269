"""With Redis unreachable, program home and week hub are kept in the process under the cache
versions the database holds (db.versions): a repeated read costs the viewer and the versions,
and every write still shows at once, because it bumped the database's version in its own
transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from edxelera_gql.app import create_app
from edxelera_gql.catalog.importer import import_program_text
from edxelera_gql.db import versions as db_versions
from edxelera_gql.infra import versions
from tests.support.http_client import GraphQLClient
from tests.support.learning import COMPLETE_LESSON, PROGRAM_HOME, WEEK_HUB, build_program, fresh
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

EXAMPLE = (Path(__file__).parents[1] / "catalog" / "data" / "example.yaml").read_text()


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


@pytest.fixture
async def down(settings, clock) -> AsyncIterator[tuple[Starlette, GraphQLClient]]:
    # A Redis nobody listens on: every cache call fails open.
    app = create_app(
        settings.with_overrides(redis_url="redis://127.0.0.1:1/0"), clock=clock, setup_logging=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield app, GraphQLClient(client)


async def test_repeated_reads_cost_the_viewer_and_the_versions(down, sessionmaker, clock) -> None:
    app, gql = down
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="outage", courses=2, weeks=2, lessons_per_week=3)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1))

    first = await gql(PROGRAM_HOME, {"slug": "outage"}, **fresh(app, student))
    assert "errors" not in first, first
    with count_statements(app.state.engine) as again:
        second = await gql(PROGRAM_HOME, {"slug": "outage"}, **fresh(app, student))
    # The viewer (its cache is down too) and the database-held versions: nothing else.
    assert again.count == 2, str(again)
    assert second == first

    hub = await gql(WEEK_HUB, {"slug": "outage", "week": 1}, **fresh(app, student))
    assert "errors" not in hub, hub
    with count_statements(app.state.engine) as hub_again:
        assert await gql(WEEK_HUB, {"slug": "outage", "week": 1}, **fresh(app, student)) == hub
    assert hub_again.count == 2, str(hub_again)

    done = await gql(
        COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, student)
    )
    assert done["data"]["completeLesson"]["errors"] == []
    after = await gql(PROGRAM_HOME, {"slug": "outage"}, **fresh(app, student))
    hub_after = await gql(WEEK_HUB, {"slug": "outage", "week": 1}, **fresh(app, student))
    assert after["data"]["programHome"]["courses"][0]["completedLessons"] == 1
    statuses = {x["slug"]: x["status"] for x in hub_after["data"]["weekHub"]["lessons"]}
    assert statuses["w1-l0"] == "COMPLETED"


async def test_an_import_during_the_outage_shows_at_once(down, sessionmaker, clock) -> None:
    app, gql = down
    cache = app.state.cache
    report = await import_program_text(sessionmaker, EXAMPLE, filename="x.yaml", cache=cache)
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=report.cohort_id)
    clock.set(datetime(2027, 3, 2, tzinfo=UTC))
    slug = "data-analytics-2027-03"
    before = await gql(WEEK_HUB, {"slug": slug, "week": 1}, **fresh(app, student))
    assert "errors" not in before, before
    assert before["data"]["weekHub"]["lessons"][0]["title"] == "What is SQL?"

    edited = EXAMPLE.replace("title: What is SQL?", "title: What is SQL, really?")
    await import_program_text(sessionmaker, edited, filename="x.yaml", cache=cache)
    after = await gql(WEEK_HUB, {"slug": slug, "week": 1}, **fresh(app, student))
    assert after["data"]["weekHub"]["lessons"][0]["title"] == "What is SQL, really?"


async def test_a_rolled_back_write_leaves_the_database_version(sessionmaker) -> None:
    scope = versions.program_scope(424242)

    async def failing_write() -> None:
        async with sessionmaker() as session, session.begin():
            await db_versions.bump_rows(session, scope)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_write()
    assert await db_versions.read(sessionmaker, scope) == {scope: "d0"}
    async with sessionmaker() as session, session.begin():
        await db_versions.bump_rows(session, scope, scope)  # one bump per scope and write
    async with sessionmaker() as session, session.begin():
        await db_versions.bump_rows(session, scope)
    assert await db_versions.read(sessionmaker, scope) == {scope: "d2"}
