"""Development without Redis: ``serve`` runs the schedule itself, so ``make run`` needs nothing
else. The same job functions as the worker; one process, so no coordination is needed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from edxelera_gql.infra import metrics
from edxelera_gql.jobs.context import JobContext
from edxelera_gql.jobs.schedule import SCHEDULE, Scheduled
from edxelera_gql.jobs.tasks import run_job

log = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 10.0  # after start-up, so the first run is seen without waiting minutes


class InProcessScheduler:
    def __init__(
        self,
        jc: JobContext,
        schedule: tuple[Scheduled, ...] = SCHEDULE,
        *,
        tick_seconds: float = 1.0,
        first_run_seconds: float = FIRST_RUN_SECONDS,
    ) -> None:
        self.jc = jc
        self.schedule = schedule
        self.tick_seconds = tick_seconds
        self.first_run_seconds = first_run_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="edxelera-jobs")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self, scheduled: Scheduled) -> None:
        """One run; a failure is logged and counted, and the next slot runs it again."""
        try:
            await run_job(scheduled.job, self.jc)
        except Exception:
            metrics.JOB_RUNS.labels(scheduled.job, "failure").inc()
            log.exception("job %s failed", scheduled.job, extra={"job": scheduled.job})

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        due = {s.job: loop.time() + self.first_run_seconds for s in self.schedule}
        while True:
            for scheduled in self.schedule:
                if loop.time() >= due[scheduled.job]:
                    await self.run_once(scheduled)
                    due[scheduled.job] = loop.time() + scheduled.every_minutes * 60
            await asyncio.sleep(self.tick_seconds)
