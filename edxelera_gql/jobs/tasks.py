"""The jobs. Each takes a ``JobContext`` (and plain arguments), so SAQ, the in-process
scheduler and a test all call the same function; ``run_job`` times and counts every run."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from edxelera_gql.catalog.videos import sync_pending_videos
from edxelera_gql.enrollment import reconciliation
from edxelera_gql.infra import metrics
from edxelera_gql.jobs.context import JobContext
from edxelera_gql.notifications import scan, sender
from edxelera_gql.notifications.mailer import Mailer

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[Any]]


async def videos_sync(jc: JobContext) -> str:
    """``videos sync`` on a schedule: pending uploads become ready (or failed)."""
    async with jc.sessionmaker() as session, session.begin():
        report = await sync_pending_videos(session, storage=jc.storage)
    return report.summary().splitlines()[0]


def reconcile_job_id(reference: str, step: int) -> str:
    """One check per payment and step, whichever worker's scan queues it first."""
    return f"reconcile:{reference}:{step}"


async def reconcile_payments(jc: JobContext) -> int:
    """The scan: queues one ``reconcile_payment`` per pending payment whose next check is due;
    returns how many it queued (the others were queued already)."""
    due = await reconciliation.due_checks(jc.sessionmaker, now=jc.clock.now())
    queued = 0
    for check in due:
        job_id = reconcile_job_id(check.reference, check.step)
        queued += await jc.queue.enqueue(
            "reconcile_payment", job_id=job_id, reference=check.reference
        )
    return queued


async def reconcile_payment(jc: JobContext, *, reference: str) -> str:
    """Asks Paystack about one pending payment and applies the verdict (raises, and so is
    retried, while Paystack is unavailable)."""
    outcome = await reconciliation.reconcile_payment(
        jc.sessionmaker, reference=reference, now=jc.clock.now(), paystack=jc.paystack,
        cache=jc.cache,
    )  # fmt: skip
    label = outcome if outcome in (reconciliation.SETTLED, "success") else "other"
    metrics.PAYMENTS_RECONCILED.labels(label).inc()
    return outcome


async def notifications_scan(jc: JobContext) -> int:
    """The calendar's emails (weeks released, assignments due tomorrow) into the outbox."""
    return await scan.scan(jc.sessionmaker, now=jc.clock.now())


async def notifications_send(jc: JobContext) -> str:
    """Sends what the outbox holds, batch after batch, until nothing is due; SMTP failures
    are retried by the outbox's own backoff, not by failing the job."""
    settings = jc.settings
    mailer = Mailer(settings.smtp, var_dir=settings.var_dir)
    total = sender.SendReport()
    # Well within the job's timeout; what is left waits for the next minute's run.
    stop_at = time.monotonic() + 240
    while True:
        report = await sender.send_pending(
            jc.sessionmaker, mailer=mailer, public_base_url=settings.public_base_url,
            verify_url_template=settings.certificate_verify_url, now=jc.clock.now(),
        )  # fmt: skip
        for name in ("sent", "skipped", "retried", "failed"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        full = report.sent + report.skipped == sender.BATCH
        if not full or report.retried or report.failed or time.monotonic() > stop_at:
            return str(total)


TASKS: dict[str, Job] = {
    "notifications_scan": notifications_scan,
    "notifications_send": notifications_send,
    "videos_sync": videos_sync,
    "reconcile_payments": reconcile_payments,
    "reconcile_payment": reconcile_payment,
}


async def run_job(name: str, jc: JobContext, **kwargs: Any) -> Any:
    """Runs ``TASKS[name]``, recording its duration and, on success, the run (callers count
    retries and failures, which they decide)."""
    started = time.perf_counter()
    span = (
        jc.tracer.start_as_current_span(f"job {name}", attributes={"edxelera.job": name})
        if jc.tracer is not None
        else contextlib.nullcontext()
    )
    try:
        with span:
            result = await TASKS[name](jc, **kwargs)
    finally:
        metrics.JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
    metrics.JOB_RUNS.labels(name, "success").inc()
    log.info("job %s done: %s", name, result, extra={"job": name})
    return result
