"""Per-request context: a sessionmaker (never a shared session), clock, cache, loaders, viewer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from aiodataloader import DataLoader
from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from edxelera_gql.auth.tokens import TokenCodec
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.clock import Clock
from edxelera_gql.enrollment.paystack import PaystackClient
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.cloudfront import UrlSigner
from edxelera_gql.infra.storage import Storage
from edxelera_gql.infra.versions import Dependencies
from edxelera_gql.settings import Settings

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
BatchFn = Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[Any]]]


class Loaders:
    """DataLoaders created lazily, one per batch function, living for one request.

    Each batch opens its own short session: sibling fields resolve concurrently and an
    ``AsyncSession`` must never be shared between tasks.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, tracer: Tracer | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._loaders: dict[BatchFn, DataLoader] = {}
        self._tracer = tracer  # while tracing: a span per batch, the nested fields' I/O

    def __call__(self, batch: BatchFn) -> DataLoader:
        loader = self._loaders.get(batch)
        if loader is None:
            sessionmaker = self._sessionmaker
            tracer = self._tracer

            async def load_batch(keys: list[Any]) -> list[Any]:
                span = (
                    tracer.start_as_current_span(
                        f"load {batch.__name__}", attributes={"edxelera.batch_size": len(keys)}
                    )
                    if tracer is not None
                    else nullcontext()
                )
                with span:
                    async with sessionmaker() as session:
                        return list(await batch(session, keys))

            loader = DataLoader(load_batch)
            self._loaders[batch] = loader
        return loader


@dataclass
class Context:
    request: Request
    response: Response | None  # unused by resolvers; kept for Strawberry's Info shape
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    cache: Cache
    request_id: str
    loaders: Loaders
    tokens: TokenCodec
    # App-wide services made once in the lifespan (one HTTP client, one signing key).
    paystack: PaystackClient
    signer: UrlSigner
    storage: Storage
    viewer: Viewer | None = None
    # Filled by resolvers that can say what their answer was built from (result_cache).
    deps: Dependencies | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def auth_deps(self) -> dict[str, Any]:
        """What every ``auth.service`` call takes besides its input."""
        return {
            "sessionmaker": self.sessionmaker,
            "cache": self.cache,
            "codec": self.tokens,
            "settings": self.settings,
            "now": self.now(),
        }

    @property
    def client_ip(self) -> str:
        client = self.request.client
        return client.host if client else "unknown"
