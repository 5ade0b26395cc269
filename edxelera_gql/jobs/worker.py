"""The job worker: ``python -m edxelera_gql worker``, on SAQ. Several may run at once on one
Redis: a scheduled run is one job per slot (SAQ's unique cron key), a queued job runs once per
id (``queue``), and every effect is idempotent in the database anyway."""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import AsyncExitStack
from typing import Any

from saq import CronJob, Worker
from saq.queue.redis import RedisQueue

from edxelera_gql.clock import Clock
from edxelera_gql.infra import metrics
from edxelera_gql.jobs.context import JobContext, job_resources
from edxelera_gql.jobs.queue import JOB_TIMEOUT_SECONDS, QUEUE_NAME, SaqQueue
from edxelera_gql.jobs.schedule import SCHEDULE
from edxelera_gql.jobs.tasks import TASKS, run_job
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

SCHEDULED_TRIES = 2  # a failed scan is retried once; the next slot runs it again anyway
# On SIGTERM, running jobs get this long to finish before they are cancelled (and queued again):
# less than the usual 30 s a process manager waits before it kills.
SHUTDOWN_GRACE_SECONDS = 10


def _saq_job(name: str) -> Any:
    """``TASKS[name]`` as SAQ calls it; counts a failure as a retry while tries remain."""

    async def job(ctx: dict[str, Any], **kwargs: Any) -> Any:
        try:
            return await run_job(name, ctx["jobs"], **kwargs)
        except Exception as exc:
            current = ctx.get("job")
            retried = current is not None and current.retryable
            metrics.JOB_RUNS.labels(name, "retry" if retried else "failure").inc()
            log.warning(
                "job %s failed%s", name, ", retrying" if retried else "",
                extra={"job": name, "error": str(exc)},
            )  # fmt: skip
            raise

    job.__name__ = job.__qualname__ = name
    return job


def create_queue(settings: Settings) -> RedisQueue:
    assert settings.redis_url, "the worker needs REDIS_URL"
    return RedisQueue.from_url(settings.redis_url, name=QUEUE_NAME)


def create_worker(
    settings: Settings, queue: RedisQueue, *, clock: Clock | None = None, **options: Any
) -> Worker:
    """The worker; tests pass their clock and SAQ's burst options."""

    async def startup(ctx: dict[str, Any]) -> None:
        stack = AsyncExitStack()
        sessionmaker, cache, paystack, storage, now, tracer = await stack.enter_async_context(
            job_resources(settings, clock=clock)
        )
        ctx["stack"] = stack
        ctx["jobs"] = JobContext(
            settings, sessionmaker, cache, paystack, storage, now, SaqQueue(queue), tracer=tracer
        )

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "stack" in ctx:
            await ctx["stack"].aclose()

    jobs = {name: _saq_job(name) for name in TASKS}
    cron_jobs = [
        CronJob(
            jobs[s.job],
            cron=f"*/{s.every_minutes} * * * *",
            unique=True,
            timeout=JOB_TIMEOUT_SECONDS,
            retries=SCHEDULED_TRIES,
        )
        for s in SCHEDULE
    ]
    options.setdefault("shutdown_grace_period_s", SHUTDOWN_GRACE_SECONDS)
    return Worker(
        queue,
        functions=list(jobs.values()),
        cron_jobs=cron_jobs,
        startup=startup,
        shutdown=shutdown,
        **options,
    )


async def enqueue_now(settings: Settings, job: str) -> bool:
    """A scheduled job, queued to run now (``jobs enqueue``): the next free worker runs it."""
    queue = create_queue(settings)
    await queue.connect()
    try:
        return await SaqQueue(queue).enqueue(job, job_id=f"{job}:now:{uuid.uuid4().hex}")
    finally:
        await queue.disconnect()


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    async def main() -> None:
        queue = create_queue(settings)
        await queue.connect()
        try:
            # Burst: upkeep loops end after their sleep, so short ones let it exit at once.
            quick = {"schedule": 1, "sweep": 1, "worker_info": 1, "abort": 1}
            options: dict[str, Any] = (
                {"burst": True, "dequeue_timeout": 1.0, "timers": quick} if burst else {}
            )
            await create_worker(settings, queue, **options).start()
        finally:
            await queue.disconnect()

    asyncio.run(main())
    return 0
