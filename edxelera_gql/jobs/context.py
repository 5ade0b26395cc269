"""What a job runs with: the same database, cache, Paystack client and storage as the web app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.clock import Clock, SystemClock
from edxelera_gql.db.engine import create_engine, create_sessionmaker
from edxelera_gql.enrollment.paystack import PaystackClient
from edxelera_gql.infra import tracing
from edxelera_gql.infra.cache import Cache, create_cache
from edxelera_gql.infra.storage import Storage, create_storage
from edxelera_gql.settings import Settings


class JobQueue(Protocol):
    async def enqueue(self, job: str, *, job_id: str, **kwargs: Any) -> bool:
        """Queues ``job`` with ``kwargs`` unless one with ``job_id`` was queued or ran in the
        last ``KEEP_SECONDS``; True when this call queued it."""
        ...


@dataclass
class JobContext:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    cache: Cache
    paystack: PaystackClient
    storage: Storage
    clock: Clock
    queue: JobQueue
    tracer: Tracer | None = None  # a span per job run when tracing is on


@asynccontextmanager
async def job_resources(
    settings: Settings, *, clock: Clock | None = None
) -> AsyncIterator[
    tuple[async_sessionmaker[AsyncSession], Cache, PaystackClient, Storage, Clock, Tracer | None]
]:
    """For the worker process, which has no web app to borrow them from."""
    tracer = tracing.tracer_for(settings.otel_exporter_otlp_endpoint)
    engine = create_engine(settings.database_url)
    if tracer is not None:
        tracing.trace_sql(engine, tracer)
    cache = create_cache(settings.redis_url)
    http = tracing.http_client(tracer, timeout=settings.paystack_timeout_seconds)
    try:
        yield (
            create_sessionmaker(engine),
            cache,
            PaystackClient.for_settings(http, settings),
            create_storage(settings),
            clock or SystemClock(),
            tracer,
        )
    finally:
        await http.aclose()
        await cache.close()
        await engine.dispose()
