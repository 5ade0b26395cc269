"""The arq worker on the test Redis: several workers at once run each job once, and the job
series on /metrics move."""

from __future__ import annotations

import asyncio
import os

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from edxelera_gql.__main__ import main
from edxelera_gql.jobs.queue import QUEUE_NAME
from edxelera_gql.jobs.worker import worker_options
from tests.support.factories import make_program
from tests.support.metrics import scrape
from tests.support.paystack import payment_rows, paystack_settings
from tests.support.users import create_account

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the arq worker needs Redis (set REDIS_URL)"
)


async def _run_workers(settings, clock, count: int) -> None:
    workers = [
        Worker(
            **worker_options(settings, clock=clock),
            burst=True,
            handle_signals=False,
            poll_delay=0.05,
        )
        for _ in range(count)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(w.main() for w in workers)), 30)
    finally:
        for worker in workers:
            await worker.close()


@needs_redis
async def test_two_workers_reconcile_a_paid_learner_once_and_metrics_move(
    gql, client, app, settings, sessionmaker, paystack, paystack_server, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    reference = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"][
        "reference"
    ]
    paystack.complete(reference)  # paid; the webhook never comes
    clock.advance(minutes=16)
    worker_settings = paystack_settings(settings, paystack_server.url)
    before = await scrape(client)

    # Both workers' schedules fired the scan; each scan queues the same (payment, step) job id.
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    try:
        for scan in ("scan-a", "scan-b"):
            await redis.enqueue_job("reconcile_payments", _job_id=scan, _queue_name=QUEUE_NAME)
        await _run_workers(worker_settings, clock, 2)
        again = await redis.enqueue_job(
            "reconcile_payment", reference, _job_id=f"reconcile:{reference}:0",
            _queue_name=QUEUE_NAME,
        )  # fmt: skip
    finally:
        await redis.aclose()

    assert again is None  # the id is kept: the same check is not queued twice
    assert paystack.calls["verify"] == 1
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]

    after = await scrape(client)
    runs = "edxelera_job_runs_total"
    for job, count in (("reconcile_payments", 2), ("reconcile_payment", 1)):
        moved = after.value(runs, job=job, outcome="success") - before.value(
            runs, job=job, outcome="success"
        )
        assert moved == count, job
    reconciled = "edxelera_payments_reconciled_total"
    assert (
        after.value(reconciled, outcome="success") - before.value(reconciled, outcome="success")
        == 1
    )


@needs_redis
async def test_videos_sync_runs_as_a_job_on_demand(settings, sessionmaker, clock) -> None:
    from sqlalchemy import select

    from edxelera_gql.catalog.models import VideoAsset

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
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    try:
        await redis.enqueue_job("videos_sync", _job_id="videos-now", _queue_name=QUEUE_NAME)
    finally:
        await redis.aclose()
    await _run_workers(settings, clock, 1)
    async with sessionmaker() as session:
        assert await session.scalar(select(VideoAsset.status)) == "failed"  # the object is missing


def test_the_worker_command_needs_redis(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("EDXELERA_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["worker"]) == 2
    assert "worker needs REDIS_URL" in capsys.readouterr().err
