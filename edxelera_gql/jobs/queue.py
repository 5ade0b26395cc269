"""How one job queues another: on SAQ (Redis) for workers, or inline without Redis.

Both run a job id once within ``KEEP_SECONDS``: SAQ refuses a key while its job is queued or
running, and a marker set with the job (``SET NX``) keeps a finished one from running again.
"""

from __future__ import annotations

import logging
from typing import Any

from saq.queue.redis import RedisQueue

from edxelera_gql.infra import metrics
from edxelera_gql.infra.cache import Cache
from edxelera_gql.jobs.context import JobContext
from edxelera_gql.jobs.tasks import run_job

log = logging.getLogger(__name__)

QUEUE_NAME = "edxelera-jobs"
# The reconciliation window and its grace: each (payment, step) check runs once.
KEEP_SECONDS = 50 * 3600
MAX_TRIES = 5
# Retries back off from this delay, doubling, with jitter, up to RETRY_MAX_DELAY_SECONDS.
RETRY_DELAY_SECONDS = 15.0
RETRY_MAX_DELAY_SECONDS = 600.0
JOB_TIMEOUT_SECONDS = 300


def marker_key(job_id: str) -> str:
    return f"edxelera:job-once:{job_id}"


class SaqQueue:
    def __init__(self, queue: RedisQueue, *, retry_delay: float = RETRY_DELAY_SECONDS) -> None:
        self._queue = queue
        self._retry_delay = retry_delay

    async def enqueue(self, job: str, *, job_id: str, **kwargs: Any) -> bool:
        marker = marker_key(job_id)
        if not await self._queue.redis.set(marker, "1", nx=True, ex=KEEP_SECONDS):
            return False
        try:
            queued = await self._queue.enqueue(
                job, key=job_id, timeout=JOB_TIMEOUT_SECONDS, retries=MAX_TRIES,
                retry_delay=self._retry_delay, retry_backoff=RETRY_MAX_DELAY_SECONDS, **kwargs,
            )  # fmt: skip
        except Exception:
            await self._queue.redis.delete(marker)  # not queued: the next scan tries again
            raise
        return queued is not None


class InlineQueue:
    """Development without Redis: the job runs now, in this process, once per id."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self.context: JobContext | None = None  # set once the context that holds it exists

    async def enqueue(self, job: str, *, job_id: str, **kwargs: Any) -> bool:
        assert self.context is not None
        done = f"job-done:{job_id}"
        if await self._cache.get(done) is not None:
            return False
        async with self._cache.lock(done, 300) as mine:
            if not mine:
                return False
            try:
                await run_job(job, self.context, **kwargs)
            except Exception:
                # Not remembered as done: the next scan queues it again.
                metrics.JOB_RUNS.labels(job, "failure").inc()
                log.exception("job %s failed", job, extra={"job": job, "job_id": job_id})
                return True
            await self._cache.set(done, "1", KEEP_SECONDS)
        return True
