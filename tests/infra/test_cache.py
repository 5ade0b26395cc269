"""The cache interface, on the in-process fallback and (when REDIS_URL is set) on real Redis."""

from __future__ import annotations

import asyncio
import os

import pytest

from edxelera_gql.infra.cache import MemoryCache, RedisCache
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
