"""A Redis that accepts and never answers costs one timeout per window, not one per call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from edxelera_gql.infra.cache import RedisCache
from edxelera_gql.infra.circuit import CircuitBreaker, CircuitState
from tests.support.clock import FakeMonotonic
from tests.support.paystack import free_port


def test_the_breaker_opens_after_failures_and_probes_once_after_the_window() -> None:
    clock = FakeMonotonic()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=5, monotonic=clock)
    for _ in range(3):
        assert breaker.allow()
        breaker.failed()
    assert breaker.state is CircuitState.OPEN
    assert not breaker.allow()
    clock.now += 5
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one at a time
    breaker.failed()
    assert breaker.state is CircuitState.OPEN  # one failed probe reopens it
    clock.now += 5
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.allow()


@pytest.fixture
async def hanging_redis() -> AsyncIterator[str]:
    """A TCP server that accepts connections and reads, but never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.read(1024):
                pass
        finally:
            writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    server.close()


async def _timed(call) -> float:
    started = time.perf_counter()
    await call
    return time.perf_counter() - started


async def test_a_hanging_redis_is_skipped_once_the_circuit_opens(hanging_redis) -> None:
    clock = FakeMonotonic()
    cache = RedisCache(
        hanging_redis,
        timeout_seconds=0.2,
        breaker=CircuitBreaker(failures_to_open=3, open_seconds=5, monotonic=clock),
    )
    try:
        first = [await _timed(cache.get("k")) for _ in range(3)]
        assert all(t >= 0.15 for t in first)  # each paid the timeout
        assert cache.breaker.state is CircuitState.OPEN
        skipped = [await _timed(cache.get("k")) for _ in range(50)]
        assert sum(skipped) < 0.05  # fifty calls cost nothing while open
        assert await cache.incr("n", 10) is None  # fails open
        async with cache.lock("job", 5) as acquired:
            assert acquired  # the database decides
        assert not await cache.ping()
        clock.now += 5
        probe = await _timed(cache.get("k"))
        assert probe >= 0.15  # one probe, which fails and reopens the circuit
        assert cache.breaker.state is CircuitState.OPEN
    finally:
        await cache.close()


async def test_a_killed_redis_fails_fast_and_opens_the_circuit_too() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.2)
    try:
        times = [await _timed(cache.get("k")) for _ in range(5)]
        assert max(times) < 0.2
        assert cache.breaker.state is CircuitState.OPEN
    finally:
        await cache.close()


async def test_the_api_stays_fast_on_a_hanging_redis(settings, clock, sessionmaker, hanging_redis):
    """Before the breaker, `me` took 1.1 s and `programHome` 3.7 s with Redis hanging."""
    import httpx

    from edxelera_gql.app import create_app
    from tests.support.users import create_account

    app = create_app(settings.with_overrides(redis_url=hanging_redis), clock=clock,
                     setup_logging=False)  # fmt: skip
    async with app.router.lifespan_context(app):
        account = await create_account(app, sessionmaker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def me() -> float:
                started = time.perf_counter()
                response = await http.post(
                    "/graphql", json={"query": "{ me { id } }"}, headers=account.headers
                )
                assert response.json()["data"]["me"] is not None
                return time.perf_counter() - started

            times = [await me() for _ in range(10)]
    # The first cache calls pay the 0.5 s timeout until three failures open the circuit;
    # everything after skips Redis.
    slow = [t for t in times if t >= 0.25]
    assert len(slow) <= 2
    assert max(times[3:]) < 0.25
