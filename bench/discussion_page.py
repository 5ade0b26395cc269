"""Time to render one discussion page through the whole app (not part of the test suite).

Usage: DATABASE_URL=... [REDIS_URL=...] .venv/bin/python bench/discussion_page.py [N]

The scratch database DATABASE_URL is migrated here. A week thread gets 45 posts (two pinned)
with 4 replies each; a signed-in student then asks N times for the page the frontend shows
first: 20 posts with authors, pins and their first 3 replies. Prints p50/p95 in ms and the
SQL statements per request.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test support helpers

from edxelera_gql.app import create_app
from edxelera_gql.db import migrations
from edxelera_gql.settings import Settings
from tests.support.discussion import add_posts, make_thread, pin, thread_page
from tests.support.factories import make_program
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

POSTS, REPLIES = 45, 4


async def main(n: int) -> None:
    settings = Settings.from_env().with_overrides(app_env="test")
    app = create_app(settings, setup_logging=False)
    slug = f"bench-{time.time_ns()}"
    now = datetime.now(UTC).replace(microsecond=0)
    async with app.router.lifespan_context(app):
        sessionmaker = app.state.sessionmaker
        async with sessionmaker() as session, session.begin():
            cohort = await make_program(session, slug=slug, start=now - timedelta(days=2))
            thread = await make_thread(session, cohort_id=cohort.id)
        reader = await create_account(app, sessionmaker, full_name="Reader")
        await enroll(sessionmaker, user_id=reader.user_id, cohort_id=cohort.id)
        tutor = await create_account(app, sessionmaker, full_name="Tutor", roles=("instructor",))
        async with sessionmaker() as session, session.begin():
            tops = await add_posts(
                session,
                thread_id=thread.id,
                author_ids=[reader.user_id],
                count=POSTS,
                start=now - timedelta(days=1),
            )
            pin(tops[0], by_user_id=tutor.user_id, at=now - timedelta(minutes=1))
            pin(tops[-1], by_user_id=tutor.user_id, at=now - timedelta(minutes=2))
            for top in tops:
                await add_posts(
                    session,
                    thread_id=thread.id,
                    author_ids=[tutor.user_id, reader.user_id],
                    count=REPLIES,
                    start=now - timedelta(hours=12),
                    parent_post_id=top.id,
                )

        query = thread_page(20, 3)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def page() -> None:
                body = {"query": query, "variables": {"slug": slug, "week": 1}}
                response = await client.post("/graphql", json=body, headers=reader.headers)
                result = response.json()
                assert "errors" not in result, result
                assert len(result["data"]["discussionThread"]["posts"]["edges"]) == 20

            for _ in range(5):  # warm-up: validation cache, pool connections, viewer cache
                await page()
            samples, counts = [], []
            for _ in range(n):
                with count_statements(app.state.engine) as statements:
                    started = time.perf_counter()
                    await page()
                    samples.append((time.perf_counter() - started) * 1000)
                counts.append(statements.count)
    samples.sort()
    print(
        f"discussion page (20 posts x 3 replies, authors, pins), n={n}: "
        f"p50 {statistics.median(samples):.1f} ms  p95 {samples[int(n * 0.95) - 1]:.1f} ms  "
        f"SQL statements per request (BEGIN/COMMIT excluded) {sorted(set(counts))}"
    )


if __name__ == "__main__":
    migrations.upgrade(Settings.from_env().database_url)  # runs its own event loop
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
