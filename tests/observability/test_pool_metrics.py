"""The pool series: connections in use while sessions hold them, and a checkout that had to
wait because every connection was taken."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from edxelera_gql.db.engine import create_engine, create_sessionmaker
from edxelera_gql.infra import metrics
from tests.support.metrics import Scrape


def _scrape() -> Scrape:
    return Scrape(metrics.exposition().decode())


async def test_in_use_and_waits_follow_the_pool(base_settings) -> None:
    engine = create_engine(base_settings.database_url, pool_size=1, max_overflow=0)
    sessions = create_sessionmaker(engine)
    in_use = "edxelera_db_pool_connections_in_use"
    waits = "edxelera_db_pool_wait_seconds_count"
    try:
        before = _scrape()
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        assert _scrape().value(in_use) - before.value(in_use) == 1

        async def second() -> None:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))

        waiter = asyncio.create_task(second())
        await asyncio.sleep(0.1)  # it is waiting for the one connection
        assert not waiter.done()
        release.set()
        await asyncio.gather(holder, waiter)
        after = _scrape()
        assert after.value(waits) - before.value(waits) == 1
        assert after.value(in_use) == before.value(in_use)
    finally:
        await engine.dispose()
