"""One worker does a slow job while the others wait for its result, across processes.

The cache's lock elects the worker; the others poll ``settled`` (a cheap check of whether the
result exists) until it answers or ``wait_seconds`` pass, then do the work themselves: a
crashed or stuck worker delays others, it never blocks them. No database transaction is held
while waiting or working.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from edxelera_gql.infra.cache import Cache

T = TypeVar("T")


async def run(
    cache: Cache,
    key: str,
    *,
    work: Callable[[], Awaitable[T]],
    settled: Callable[[], Awaitable[T | None]],
    ttl_seconds: float,
    wait_seconds: float,
    poll_seconds: float = 0.05,
) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    first = True
    while loop.time() < deadline:
        async with cache.lock(f"singleflight:{key}", ttl_seconds) as acquired:
            if acquired:
                # Someone may have finished between our caller's check and this lock.
                if not first and (done := await settled()) is not None:
                    return done
                return await work()
        first = False
        await asyncio.sleep(poll_seconds)
        if (done := await settled()) is not None:
            return done
    return await work()
