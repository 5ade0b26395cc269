"""The job worker (SAQ) on the test Redis: two workers at once run each check once, a failing
job is retried with backoff, and the job series on /metrics move."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import select

from edxelera_gql.__main__ import main
from edxelera_gql.catalog.models import VideoAsset
from edxelera_gql.jobs.queue import SaqQueue
from edxelera_gql.jobs.worker import create_queue, create_worker
from tests.support.factories import make_program
from tests.support.metrics import scrape
from tests.support.paystack import payment_rows, paystack_settings
from tests.support.users import create_account

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the job worker needs Redis (set REDIS_URL)"
)


async def _run_workers(settings, clock, count: int = 1, *, dequeue_timeout: float = 0.5) -> None:
    """``count`` workers in burst mode: they run what is queued (and what that queues), then
    stop. One job at a time each, so a worker does not stop while its scan is still queueing."""
    queues = [create_queue(settings) for _ in range(count)]
    for queue in queues:
        await queue.connect()
    workers = [
        create_worker(
            settings,
            queue,
            clock=clock,
            burst=True,
            concurrency=1,
            dequeue_timeout=dequeue_timeout,
            shutdown_grace_period_s=10,
            # Upkeep loops end after their sleep: short ones let the worker stop at once.
            timers={"schedule": 1, "sweep": 1, "worker_info": 1, "abort": 1},
        )
        for queue in queues
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(w.start() for w in workers)), 60)
    finally:
        for queue in queues:
            await queue.disconnect()


async def _enqueue(settings, job: str, *, job_id: str, retry_delay: float = 15.0, **kwargs) -> bool:
    queue = create_queue(settings)
    await queue.connect()
    try:
        return await SaqQueue(queue, retry_delay=retry_delay).enqueue(job, job_id=job_id, **kwargs)
    finally:
        await queue.disconnect()


async def _paid_without_webhook(gql, app, sessionmaker, paystack) -> str:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    paystack.complete(started["reference"])  # paid; the webhook never comes
    return started["reference"]


def _moved(before, after, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


@needs_redis
async def test_two_workers_reconcile_a_paid_learner_once_and_metrics_move(
    gql, client, app, settings, sessionmaker, paystack, paystack_server, clock
) -> None:
    reference = await _paid_without_webhook(gql, app, sessionmaker, paystack)
    clock.advance(minutes=16)
    worker_settings = paystack_settings(settings, paystack_server.url)
    before = await scrape(client)

    # Both workers' schedules fired the scan; each scan queues the same (payment, step) check.
    for scan in ("scan-a", "scan-b"):
        assert await _enqueue(worker_settings, "reconcile_payments", job_id=scan)
    await _run_workers(worker_settings, clock, 2)

    assert paystack.calls["verify"] == 1
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]
    # The check's key stays claimed: it is not queued again, by this or any worker.
    again = await _enqueue(
        worker_settings, "reconcile_payment", job_id=f"reconcile:{reference}:0", reference=reference
    )
    assert again is False

    after = await scrape(client)
    runs = "edxelera_job_runs_total"
    assert _moved(before, after, runs, job="reconcile_payments", outcome="success") == 2
    # At least this check; the worker's own scan may check the same payment too (the payment is
    # pending long enough), which applies nothing twice: one enrollment, asserted above.
    assert _moved(before, after, runs, job="reconcile_payment", outcome="success") >= 1
    assert _moved(before, after, "edxelera_payments_reconciled_total", outcome="success") == 1


@needs_redis
async def test_a_check_paystack_cannot_answer_is_retried_with_backoff(
    gql, client, app, settings, sessionmaker, paystack, paystack_server, clock
) -> None:
    reference = await _paid_without_webhook(gql, app, sessionmaker, paystack)
    worker_settings = paystack_settings(settings, paystack_server.url)
    paystack.fail("verify", status=500)
    before = await scrape(client)
    # A short first delay keeps the test quick; the backoff doubles it from there.
    assert await _enqueue(
        worker_settings, "reconcile_payment", job_id="check", retry_delay=0.2, reference=reference
    )
    running = asyncio.create_task(_run_workers(worker_settings, clock, dequeue_timeout=3))
    for _ in range(200):  # the first try failed: both verify attempts answered 500
        if paystack.calls["verify"] >= 2:
            break
        await asyncio.sleep(0.05)
    paystack.heal()
    await running

    assert [e.status for e in (await payment_rows(sessionmaker)).enrollments] == ["active"]
    after = await scrape(client)
    runs = "edxelera_job_runs_total"
    assert _moved(before, after, runs, job="reconcile_payment", outcome="retry") >= 1
    # At least this check; the worker's own scan may check the same payment too (the payment is
    # pending long enough), which applies nothing twice: one enrollment, asserted above.
    assert _moved(before, after, runs, job="reconcile_payment", outcome="success") >= 1
    assert _moved(before, after, runs, job="reconcile_payment", outcome="failure") == 0


@needs_redis
async def test_videos_sync_runs_as_a_job_on_demand(settings, sessionmaker, clock) -> None:
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
    assert await _enqueue(settings, "videos_sync", job_id="videos-now")
    await _run_workers(settings, clock)
    async with sessionmaker() as session:
        assert await session.scalar(select(VideoAsset.status)) == "failed"  # the object is missing


def test_the_worker_command_needs_redis(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("EDXELERA_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["worker"]) == 2
    assert "worker needs REDIS_URL" in capsys.readouterr().err


@needs_redis
async def test_the_worker_command_runs_queued_jobs_and_exits_in_burst_mode(
    settings, sessionmaker, tmp_path
) -> None:
    import subprocess
    import sys

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
    assert await _enqueue(settings, "videos_sync", job_id="videos-cli")
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "EDXELERA_VAR_DIR": str(tmp_path),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "edxelera_gql", "worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "job videos_sync done" in done.stderr + done.stdout
    async with sessionmaker() as session:
        assert await session.scalar(select(VideoAsset.status)) == "failed"


@needs_redis
async def test_jobs_enqueue_runs_a_scheduled_job_now(
    settings, sessionmaker, clock, monkeypatch, capsys, tmp_path
) -> None:
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
    for name, value in {
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "EDXELERA_VAR_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(main, ["jobs", "enqueue", "videos_sync"]) == 0
    assert "queued videos_sync" in capsys.readouterr().out
    await _run_workers(settings, clock)
    async with sessionmaker() as session:
        assert await session.scalar(select(VideoAsset.status)) == "failed"
