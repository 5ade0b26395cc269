"""How one job queues another: on arq (Redis) for workers, or inline without Redis.

Both are idempotent by job id: arq refuses an id whose job is queued, running or has a kept
result; the inline queue remembers finished ids in the cache for as long.
"""

from __future__ import annotations

import logging
from typing import Any

from arq.connections import ArqRedis

from edxelera_gql.infra import metrics
from edxelera_gql.infra.cache import Cache
from edxelera_gql.jobs.context import JobContext
from edxelera_gql.jobs.tasks import run_job

log = logging.getLogger(__name__)

QUEUE_NAME = "edxelera:jobs"
# How long a finished job's id keeps a second one with the same id out: the reconciliation
# window and its grace, so each (payment, step) check runs once.
KEEP_RESULT_SECONDS = 50 * 3600


class ArqQueue:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def enqueue(self, job: str, *args: Any, job_id: str) -> bool:
        queued = await self._redis.enqueue_job(job, *args, _job_id=job_id, _queue_name=QUEUE_NAME)
        return queued is not None


class InlineQueue:
    """Development without Redis: the job runs now, in this process, once per id."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self.context: JobContext | None = None  # set once the context that holds it exists

    async def enqueue(self, job: str, *args: Any, job_id: str) -> bool:
        assert self.context is not None
        done = f"job-done:{job_id}"
        if await self._cache.get(done) is not None:
            return False
        async with self._cache.lock(done, 300) as mine:
            if not mine:
                return False
            try:
                await run_job(job, self.context, *args)
            except Exception:
                # Not remembered as done: the next scan queues it again.
                metrics.JOB_RUNS.labels(job, "failure").inc()
                log.exception("job %s failed", job, extra={"job": job, "job_id": job_id})
                return True
            await self._cache.set(done, "1", KEEP_RESULT_SECONDS)
        return True
