"""Development without Redis: `serve` runs the schedule itself, calling the same jobs."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from edxelera_gql.catalog.models import VideoAsset
from edxelera_gql.jobs.in_process import InProcessScheduler
from edxelera_gql.jobs.schedule import SCHEDULE
from tests.support.jobs import inline_context
from tests.support.metrics import scrape
from tests.support.paystack import running_app


async def test_the_scheduler_runs_videos_sync_on_its_own(app, client, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(
            VideoAsset(
                s3_bucket="videos",
                s3_key="nowhere.mp4",
                cloud_front_path="/nowhere.mp4",
                mime_type="video/mp4",
                status="pending",
            )
        )

    async def runs() -> float:  # as Prometheus reads them, from /metrics
        exposed = await scrape(client)
        return exposed.value("edxelera_job_runs_total", job="videos_sync", outcome="success")

    before = await runs()
    scheduler = InProcessScheduler(inline_context(app), tick_seconds=0.01, first_run_seconds=0)
    scheduler.start()
    try:
        for _ in range(500):
            if await runs() > before:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # ten more ticks: it must not run again so soon
    finally:
        await scheduler.stop()
    assert await runs() - before == 1  # once: the next run is five minutes away
    async with sessionmaker() as session:
        status = await session.scalar(select(VideoAsset.status))
    assert status == "failed"  # no such object in storage: the sync ran without anyone asking


async def test_development_without_redis_runs_the_schedule_in_the_web_process(
    settings, clock, cache
) -> None:
    development = settings.with_overrides(app_env="development", redis_url=None)
    async with running_app(development, clock) as app:
        scheduler = app.state.job_scheduler
        assert isinstance(scheduler, InProcessScheduler)
        assert {s.job for s in scheduler.schedule} == {s.job for s in SCHEDULE}
    async with running_app(settings, clock) as app:  # tests (and production) run no schedule
        assert app.state.job_scheduler is None
