"""Several senders at once (MariaDB): two SAQ workers running the scan and the sender jobs
together, and concurrent claims, mail each active learner once."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from edxelera_gql.db.outbox import OutboxEmail
from edxelera_gql.jobs.queue import SaqQueue
from edxelera_gql.jobs.worker import create_queue, create_worker
from edxelera_gql.notifications import scan, sender
from edxelera_gql.notifications.mailer import Mailer
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

pytestmark = pytest.mark.mysql_only
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _needs_mariadb(is_mysql: bool) -> None:
    if not is_mysql:
        pytest.skip("row locks and real concurrency need MariaDB")


async def _program_with_learners(app, sessionmaker, active: int) -> list[str]:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="busy", weeks=2, start=START)
    emails = []
    for i in range(active):
        account = await create_account(app, sessionmaker, email=f"l{i:02}@example.com")
        await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
        emails.append(account.email)
    for status in ("pending_payment", "refunded"):
        account = await create_account(app, sessionmaker, email=f"{status}@example.com")
        await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id, status=status)
    return sorted(emails)


async def _two_workers(settings, clock, job: str) -> None:
    """Queues ``job`` twice (two ids, as two scheduler slots would) and runs two burst workers
    side by side, one job at a time each."""
    queues = [create_queue(settings) for _ in range(2)]
    for queue in queues:
        await queue.connect()
    try:
        for tag in ("a", "b"):
            await SaqQueue(queues[0]).enqueue(job, job_id=f"{job}:{tag}:{clock.now().isoformat()}")
        workers = [
            create_worker(
                settings,
                queue,
                clock=clock,
                burst=True,
                concurrency=1,
                dequeue_timeout=0.5,
                shutdown_grace_period_s=10,
                timers={"schedule": 1, "sweep": 1, "worker_info": 1, "abort": 1},
            )
            for queue in queues
        ]
        await asyncio.wait_for(asyncio.gather(*(w.start() for w in workers)), 60)
    finally:
        for queue in queues:
            await queue.disconnect()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the job worker needs Redis")
async def test_two_workers_mail_a_week_release_to_each_active_learner_once(
    app, mail_settings, sessionmaker, clock, smtp_server
) -> None:
    emails = await _program_with_learners(app, sessionmaker, active=12)
    clock.set(START + timedelta(days=7, seconds=30))  # week 2 opened 30 s ago
    await _two_workers(mail_settings, clock, "notifications_scan")
    await _two_workers(mail_settings, clock, "notifications_send")
    assert smtp_server.inbox.recipients() == emails
    async with sessionmaker() as session:
        statuses = (await session.scalars(select(OutboxEmail.status))).all()
    assert statuses == ["sent"] * len(emails)


async def test_concurrent_scans_and_senders_mail_each_learner_once(
    app, mail_settings, sessionmaker, clock, smtp_server
) -> None:
    emails = await _program_with_learners(app, sessionmaker, active=30)
    now = START + timedelta(days=7, minutes=1)
    await asyncio.gather(*(scan.scan(sessionmaker, now=now) for _ in range(3)))
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(OutboxEmail.id))) == len(emails)
    mailer = Mailer(mail_settings.smtp)

    async def one_sender() -> sender.SendReport:
        return await sender.send_pending(
            sessionmaker, mailer=mailer, public_base_url=mail_settings.public_base_url,
            verify_url_template=None, now=now, limit=4,
        )  # fmt: skip

    reports: list[sender.SendReport] = []
    while True:  # rounds of four senders at once, each claiming up to four rows
        round_ = await asyncio.gather(*(one_sender() for _ in range(4)))
        reports.extend(round_)
        if sum(r.sent for r in round_) == 0:
            break
    assert sum(r.sent for r in reports) == len(emails)
    assert sum(r.retried + r.failed for r in reports) == 0
    assert smtp_server.inbox.recipients() == emails
