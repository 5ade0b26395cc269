"""The arq worker: ``python -m edxelera_gql worker``. Several may run at once on one Redis:
scheduled runs are unique per slot (arq's cron job ids), on-demand jobs by their job ids, and
every effect is idempotent in the database anyway."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from typing import Any

from arq import Retry, cron, func
from arq.connections import RedisSettings
from arq.worker import Worker

from edxelera_gql.clock import Clock
from edxelera_gql.infra import metrics
from edxelera_gql.jobs.context import JobContext, job_resources
from edxelera_gql.jobs.queue import KEEP_RESULT_SECONDS, QUEUE_NAME, ArqQueue
from edxelera_gql.jobs.schedule import SCHEDULE
from edxelera_gql.jobs.tasks import TASKS, run_job
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

MAX_TRIES = 5
SCHEDULED_TRIES = 2  # a failed scan is retried once; the next slot runs it again anyway


def backoff_seconds(job_try: int) -> int:
    """15 s, 30 s, 1 min, 2 min ... at most 10 minutes between tries."""
    return int(min(600, 15 * 2 ** (job_try - 1)))


def _arq_job(name: str, max_tries: int) -> Any:
    async def job(ctx: dict[str, Any], *args: Any) -> Any:
        try:
            return await run_job(name, ctx["jobs"], *args)
        except Exception as exc:
            tries = int(ctx.get("job_try", 1))
            if tries >= max_tries:
                metrics.JOB_RUNS.labels(name, "failure").inc()
                log.exception("job %s failed after %d tries", name, tries, extra={"job": name})
                raise
            metrics.JOB_RUNS.labels(name, "retry").inc()
            log.warning("job %s failed, retrying", name, extra={"job": name, "error": str(exc)})
            raise Retry(defer=backoff_seconds(tries)) from exc

    job.__name__ = job.__qualname__ = name
    return job


def worker_options(settings: Settings, *, clock: Clock | None = None) -> dict[str, Any]:
    """``Worker(**worker_options(settings))``; tests pass their clock and ``burst=True``."""
    assert settings.redis_url, "the worker needs REDIS_URL"

    async def startup(ctx: dict[str, Any]) -> None:
        stack = AsyncExitStack()
        sessionmaker, cache, paystack, storage, now, tracer = await stack.enter_async_context(
            job_resources(settings, clock=clock)
        )
        ctx["stack"] = stack
        queue = ArqQueue(ctx["redis"])
        ctx["jobs"] = JobContext(
            settings, sessionmaker, cache, paystack, storage, now, queue, tracer=tracer
        )

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "stack" in ctx:
            await ctx["stack"].aclose()

    scheduled = {s.job for s in SCHEDULE}
    functions = [
        func(_arq_job(name, MAX_TRIES), name=name, max_tries=MAX_TRIES)
        for name in TASKS
        if name not in scheduled
    ]
    cron_jobs = [
        cron(
            _arq_job(s.job, SCHEDULED_TRIES),
            name=s.job,
            minute=set(range(0, 60, s.every_minutes)),
            max_tries=SCHEDULED_TRIES,
        )
        for s in SCHEDULE
    ]
    return {
        "functions": functions,
        "cron_jobs": cron_jobs,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "keep_result": KEEP_RESULT_SECONDS,
        "max_tries": MAX_TRIES,
        "job_timeout": 300,
    }


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    async def main() -> None:
        worker = Worker(**worker_options(settings), burst=burst)
        try:
            await worker.main()
        finally:
            await worker.close()

    asyncio.run(main())
    return 0
