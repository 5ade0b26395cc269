"""One small cache interface over Redis, with an in-process fallback for development.

The interface is what the rest of the code may use: get/set with a TTL, delete, an increment
that starts an expiry window (rate limits, cache versions) and a short lock (a fast path only;
the database's unique keys are the source of truth). Redis failures never break a request:
reads miss, writes are dropped, counters and locks fail open, and ``ping`` reports it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from edxelera_gql.infra import metrics
from edxelera_gql.infra.circuit import CircuitBreaker

log = logging.getLogger(__name__)


class Cache(Protocol):
    backend: str

    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, *keys: str) -> list[bytes | None] | None:
        """One round trip; None (not a list of Nones) when the cache could not answer."""
        ...

    async def set(self, key: str, value: bytes | str, ttl_seconds: float) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def incr(self, key: str, ttl_seconds: float) -> int | None: ...
    async def ttl(self, key: str) -> float | None: ...
    def lock(self, key: str, ttl_seconds: float) -> AbstractAsyncContextManager[bool]: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


class MemoryCache:
    """Process-local cache for development and single-process tests."""

    backend = "memory"

    def __init__(self, *, max_entries: int = 50_000, monotonic=time.monotonic) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._max_entries = max_entries
        self._monotonic = monotonic

    def _live(self, key: str) -> tuple[bytes, float] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] <= self._monotonic():
            self._data.pop(key, None)
            return None
        return entry

    def _evict_if_full(self) -> None:
        if len(self._data) < self._max_entries:
            return
        now = self._monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[key]
        while len(self._data) >= self._max_entries:
            self._data.pop(next(iter(self._data)))  # oldest insertion first

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        metrics.cache_lookup(key, entry is not None)
        return entry[0] if entry else None

    async def get_many(self, *keys: str) -> list[bytes | None] | None:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: bytes | str, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            self._data.pop(key, None)
            return
        self._evict_if_full()
        self._data[key] = (_as_bytes(value), self._monotonic() + ttl_seconds)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str, ttl_seconds: float) -> int | None:
        entry = self._live(key)
        if entry is None:
            self._evict_if_full()
            self._data[key] = (b"1", self._monotonic() + ttl_seconds)
            return 1
        value = int(entry[0]) + 1
        self._data[key] = (str(value).encode(), entry[1])
        return value

    async def ttl(self, key: str) -> float | None:
        entry = self._live(key)
        return None if entry is None else max(0.0, entry[1] - self._monotonic())

    @asynccontextmanager
    async def lock(self, key: str, ttl_seconds: float) -> AsyncIterator[bool]:
        lock_key = f"lock:{key}"
        if self._live(lock_key) is not None:
            yield False
            return
        self._data[lock_key] = (b"1", self._monotonic() + ttl_seconds)
        try:
            yield True
        finally:
            self._data.pop(lock_key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


# Deletes the lock only if we still own it, so an expired lock taken over by another worker
# is not released by the first one.
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# INCR, and start the window only on the first hit so the limit lifts by itself.
_INCR = (
    "local v = redis.call('incr', KEYS[1]) "
    "if v == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return v"
)


class _Skipped:
    """What a skipped or failed Redis call returns (distinct from Redis's own None)."""


SKIPPED = _Skipped()
T = TypeVar("T")


class RedisCache:
    """redis.asyncio with short timeouts; every failure is logged and fails open.

    A circuit breaker skips Redis for a few seconds after repeated failures, so a Redis that
    hangs costs one timeout per window instead of one per cache call.
    """

    backend = "redis"

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float = 0.5,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._client = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            health_check_interval=30,
        )
        self._release = self._client.register_script(_RELEASE)
        self._incr = self._client.register_script(_INCR)
        self._last_warning = 0.0
        self.breaker = breaker or CircuitBreaker(on_change=metrics.circuit_changed)

    def _warn(self, operation: str, exc: Exception) -> None:
        # One warning every few seconds is enough to alert without flooding the log.
        now = time.monotonic()
        if now - self._last_warning > 5:
            self._last_warning = now
            log.warning(
                "redis unavailable, failing open",
                extra={
                    "operation": operation,
                    "error": str(exc),
                    "circuit": self.breaker.state.value,
                },
            )

    async def _run(self, operation: str, call: Callable[[], Awaitable[T]]) -> T | _Skipped:
        """The call, or SKIPPED when the circuit is open or the call failed."""
        if not self.breaker.allow():
            return SKIPPED
        try:
            result = await call()
        except (TimeoutError, RedisError, OSError) as exc:
            self.breaker.failed()
            self._warn(operation, exc)
            return SKIPPED
        self.breaker.succeeded()
        return result

    async def get(self, key: str) -> bytes | None:
        value = await self._run("get", lambda: self._client.get(key))
        metrics.cache_lookup(key, not (value is SKIPPED or value is None))
        if value is SKIPPED or value is None:
            return None
        # The client is made without decode_responses: values come back as bytes.
        return value if isinstance(value, bytes) else str(value).encode()

    async def get_many(self, *keys: str) -> list[bytes | None] | None:
        if not keys:
            return []
        values = await self._run("mget", lambda: self._client.mget(keys))
        if isinstance(values, _Skipped):
            for key in keys:
                metrics.cache_lookup(key, False)
            return None
        for key, value in zip(keys, values, strict=False):
            metrics.cache_lookup(key, value is not None)
        return [v if v is None or isinstance(v, bytes) else str(v).encode() for v in values]

    async def set(self, key: str, value: bytes | str, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            await self._run("set", lambda: self._client.delete(key))
        else:
            px = max(1, int(ttl_seconds * 1000))
            await self._run("set", lambda: self._client.set(key, value, px=px))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._run("delete", lambda: self._client.delete(*keys))

    async def incr(self, key: str, ttl_seconds: float) -> int | None:
        px = max(1, int(ttl_seconds * 1000))
        count = await self._run("incr", lambda: self._incr(keys=[key], args=[px]))
        return None if count is SKIPPED else int(count)  # type: ignore[arg-type]

    async def ttl(self, key: str) -> float | None:
        ms = await self._run("ttl", lambda: self._client.pttl(key))
        if ms is SKIPPED or not isinstance(ms, int) or ms < 0:
            return None
        return ms / 1000

    @asynccontextmanager
    async def lock(self, key: str, ttl_seconds: float) -> AsyncIterator[bool]:
        lock_key = f"lock:{key}"
        token = secrets.token_hex(16)
        px = max(1, int(ttl_seconds * 1000))
        acquired = await self._run(
            "lock", lambda: self._client.set(lock_key, token, nx=True, px=px)
        )
        if acquired is SKIPPED:
            yield True  # fail open: the database decides
            return
        try:
            yield bool(acquired)
        finally:
            if acquired:
                await self._run("unlock", lambda: self._release(keys=[lock_key], args=[token]))

    async def ping(self) -> bool:
        return (await self._run("ping", self._client.ping)) is True

    async def close(self) -> None:
        await self._client.aclose()


def create_cache(redis_url: str | None) -> Cache:
    cache: Cache = RedisCache(redis_url) if redis_url else MemoryCache()
    return cache
