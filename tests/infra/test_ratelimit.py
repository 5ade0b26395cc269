"""Rate limits count per clock-aligned window: exact retry-after, lifted by moving the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import MemoryCache
from edxelera_gql.infra.ratelimit import Rule, enforce, hit, limit_key

# 12:00:50 UTC: ten seconds before a minute boundary.
NOW = datetime(2027, 1, 15, 12, 0, 50, tzinfo=UTC)


async def test_the_window_is_aligned_and_the_retry_after_exact() -> None:
    cache = MemoryCache()
    results = [await hit(cache, "k", limit=2, window_seconds=60, now=NOW) for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    assert results[-1].retry_after_seconds == 10
    # Still the same window one second before the boundary; a fresh one at it.
    before = await hit(cache, "k", limit=2, window_seconds=60, now=NOW + timedelta(seconds=9))
    assert not before.allowed
    assert (
        await hit(cache, "k", limit=2, window_seconds=60, now=NOW + timedelta(seconds=10))
    ).allowed


async def test_enforce_raises_rate_limited_with_the_delay() -> None:
    cache = MemoryCache()
    key = limit_key("scope", "user@example.com")
    assert "user@example.com" not in key  # hashed, never in the clear
    await enforce(cache, key, Rule(1, 60), now=NOW)
    with pytest.raises(DomainError) as refused:
        await enforce(cache, key, Rule(1, 60), now=NOW, message="Slow down.")
    assert refused.value.code is Code.RATE_LIMITED
    assert refused.value.details == {"retry_after_seconds": 10}
    assert str(refused.value) == "Slow down. Try again in 10 seconds."
