"""One small cache interface over Redis, with an in-process fallback for development.

The interface is what the rest of the code may use: get/set with a TTL, delete, an increment
that starts an expiry window (rate limits, cache versions) and a short lock (a fast path only;
the database's unique keys are the source of truth). Redis failures never break a request:
reads miss, writes are dropped, counters and locks fail open, and ``ping`` reports it.
"""

from __future__ import annotations

import json
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
    # Where copies kept under database-held versions live while this cache cannot answer
    # (db.versions): the process itself. The in-process cache is its own.
    local: MemoryCache

    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, *keys: str) -> list[bytes | None] | None:
        """One round trip; None (not a list of Nones) when the cache could not answer."""
        ...

    async def get_watched(self, *keys: str) -> Watched | None:
        """One round trip: every key's value; the last is an entry whose first line is a JSON
        object naming in ``k`` the keys it was built from, whose current values come too.
        None when the cache could not answer."""
        ...

    async def set(self, key: str, value: bytes | str, ttl_seconds: float) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def incr(self, key: str, ttl_seconds: float) -> int | None: ...
    async def ttl(self, key: str) -> float | None: ...
    def lock(self, key: str, ttl_seconds: float) -> AbstractAsyncContextManager[bool]: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


LOCAL_ENTRIES = 4000
Watched = tuple[list[bytes | None], list[bytes | None]]


def watched_keys(entry: bytes) -> list[str]:
    """The keys a watched entry names on its first line (see ``Cache.get_watched``)."""
    header, _, _ = entry.partition(b"\n")
    try:
        keys = json.loads(header)["k"]
    except (ValueError, KeyError, TypeError):
        return []
    return [str(k) for k in keys] if isinstance(keys, list) else []


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


class MemoryCache:
    """Process-local cache for development and single-process tests."""

    backend = "memory"

    def __init__(self, *, max_entries: int = 50_000, monotonic=time.monotonic) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._max_entries = max_entries
        self._monotonic = monotonic
        self.local = self

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

    async def get_watched(self, *keys: str) -> Watched | None:
        values = [await self.get(key) for key in keys]
        entry = values[-1] if values else None
        watched = watched_keys(entry) if entry is not None else []
        return values, [await self.get(key) for key in watched]

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


# GETs every key; the last is a watched entry: its first line's JSON names in "k" the keys whose
# current values come back too, so an entry and the versions it depends on cost one round trip.
# It reads keys it was not given in KEYS: right on one Redis (or a replica set), not on Cluster.
_WATCHED = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('get', KEYS[i]) end
local entry = out[#KEYS]
local current = {}
if entry then
  local line = string.find(entry, '\\n', 1, true)
  local ok, header = pcall(cjson.decode, string.sub(entry, 1, (line or 0) - 1))
  if ok and type(header) == 'table' and type(header.k) == 'table' and #header.k > 0 then
    current = redis.call('mget', unpack(header.k))
  end
end
return {out, current}
"""


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
        self._watched = self._client.register_script(_WATCHED)
        self._last_warning = 0.0
        self.breaker = breaker or CircuitBreaker(on_change=metrics.circuit_changed)
        # Bounded by count: whole answers are tens of KB, so this stays well under 100 MB.
        self.local = MemoryCache(max_entries=LOCAL_ENTRIES)

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

    async def get_watched(self, *keys: str) -> Watched | None:
        if not keys:
            return [], []
        found = await self._run("watched", lambda: self._watched(keys=list(keys)))
        if isinstance(found, _Skipped):
            for key in keys:
                metrics.cache_lookup(key, False)
            return None
        values, current = found
        # A Lua table stops at its first nil: pad what Redis left out (missing keys).
        values = list(values) + [None] * (len(keys) - len(values))
        for key, value in zip(keys, values, strict=True):
            metrics.cache_lookup(key, value is not None)
        return [_as_bytes(v) if v is not None else None for v in values], [
            _as_bytes(v) if v is not None else None for v in current
        ]

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
