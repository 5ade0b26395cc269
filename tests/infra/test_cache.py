"""The cache interface, on the in-process fallback and (when REDIS_URL is set) on real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
from urllib.parse import urlsplit

import pytest

from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import MemoryCache, RedisCache
from edxelera_gql.infra.circuit import CircuitBreaker
from tests.support.clock import FakeMonotonic


@pytest.fixture(params=["memory", "redis"])
async def any_cache(request, cache):
    # `cache` flushes the Redis test database afterwards.
    if request.param == "memory":
        yield MemoryCache()
        return
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set: Redis backend is exercised in the MariaDB + Redis run")
    redis_cache = RedisCache(url)
    yield redis_cache
    await redis_cache.close()


async def test_get_set_delete(any_cache) -> None:
    assert await any_cache.get("k") is None
    await any_cache.set("k", "value", 30)
    assert await any_cache.get("k") == b"value"
    await any_cache.delete("k", "missing")
    assert await any_cache.get("k") is None


async def test_set_with_ttl_expires(any_cache) -> None:
    await any_cache.set("short", b"x", 0.2)
    assert await any_cache.get("short") == b"x"
    await asyncio.sleep(0.35)
    assert await any_cache.get("short") is None


async def test_incr_counts_within_a_window_that_lifts_by_itself(any_cache) -> None:
    assert [await any_cache.incr("hits", 0.3) for _ in range(3)] == [1, 2, 3]
    remaining = await any_cache.ttl("hits")
    assert remaining is not None
    assert 0 < remaining <= 0.3
    await asyncio.sleep(0.4)
    assert await any_cache.incr("hits", 0.3) == 1


async def test_lock_is_exclusive_and_released(any_cache) -> None:
    async with any_cache.lock("job", 5) as first:
        assert first is True
        async with any_cache.lock("job", 5) as second:
            assert second is False
    async with any_cache.lock("job", 5) as again:
        assert again is True


async def test_get_watched_reads_keys_entry_and_its_versions_at_once(any_cache) -> None:
    await any_cache.set("viewer", b"v1", 30)
    await any_cache.set("ver:a", b"3", 30)
    entry = b'{"k":["ver:a","ver:b"],"x":1}\n{"data":"body\nwith lines"}'
    await any_cache.set("entry", entry, 30)
    values, current = await any_cache.get_watched("viewer", "missing", "entry")
    assert values == [b"v1", None, entry]
    assert current == [b"3", None]  # ver:b was never set

    # No entry, or an entry without a readable header: the values, and no versions.
    assert await any_cache.get_watched("viewer", "nothing") == ([b"v1", None], [])
    await any_cache.set("junk", b"not json\n{}", 30)
    assert await any_cache.get_watched("junk") == ([b"not json\n{}"], [])


async def test_memory_cache_expiry_uses_its_clock() -> None:
    clock = FakeMonotonic()
    cache = MemoryCache(monotonic=clock)
    await cache.set("k", "v", 10)
    clock.now += 9.9
    assert await cache.get("k") == b"v"
    clock.now += 0.2
    assert await cache.get("k") is None


async def test_memory_cache_is_bounded() -> None:
    cache = MemoryCache(max_entries=3)
    for i in range(10):
        await cache.set(f"k{i}", "v", 60)
    assert len(cache._data) <= 3
    assert await cache.get("k9") == b"v"


async def test_unreachable_redis_fails_open() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    try:
        assert await cache.get("k") is None
        await cache.set("k", "v", 10)  # dropped, no exception
        assert await cache.incr("k", 10) is None  # limits fail open
        async with cache.lock("k", 1) as acquired:
            assert acquired is True  # the database decides
        assert await cache.ping() is False
        assert await cache.get_watched("a", "entry") is None  # None: it could not answer
    finally:
        await cache.close()


class _Proxy:
    """A TCP forwarder in front of the real Redis: closing it is a network outage."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self.pipes: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes += [writer, up_writer]
        for task in (self._pipe(reader, up_writer), self._pipe(up_reader, writer)):
            self.tasks.add(asyncio.ensure_future(task))

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.pipes:
            writer.close()
        self.pipes.clear()
        await self.server.wait_closed()


async def test_a_bump_missed_during_an_outage_is_paid_when_redis_answers_again(cache) -> None:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set: needs a real Redis to cut off")
    real = urlsplit(url)
    proxy = _Proxy(real.hostname or "127.0.0.1", real.port or 6379)
    await proxy.start()
    breaker = CircuitBreaker(failures_to_open=1, open_seconds=0.2)
    through = RedisCache(
        f"redis://127.0.0.1:{proxy.port}{real.path or '/0'}", timeout_seconds=0.3, breaker=breaker
    )
    scope = "program:77"
    try:
        await versions.bump(through, scope)
        assert await versions.current(through, scope) == "1"
        await proxy.stop()  # the outage: a writer commits and cannot bump Redis
        await versions.bump(through, scope)
        assert await versions.known(through, scope) is None
        await proxy.start()  # back on the same port, with the data it had
        await asyncio.sleep(0.3)  # the breaker lets a probe through
        # The first read from Redis pays the missed bump before it reads: never "1" again.
        assert await versions.known(through, scope) == "2"
    finally:
        await through.close()
        with contextlib.suppress(AssertionError):
            await proxy.stop()
