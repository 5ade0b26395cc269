"""Fixed-window rate limits on the cache; they fail open when the cache is down."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from edxelera_gql.infra.cache import Cache


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    retry_after_seconds: int = 0


def limit_key(scope: str, *parts: str) -> str:
    # Hashed so emails and addresses never sit in Redis in the clear.
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


async def hit(cache: Cache, key: str, *, limit: int, window_seconds: int) -> RateLimit:
    """Counts one attempt; refused once more than ``limit`` fall within the window."""
    count = await cache.incr(key, window_seconds)
    if count is None or count <= limit:
        return RateLimit(allowed=True)
    remaining = await cache.ttl(key)
    return RateLimit(allowed=False, retry_after_seconds=max(1, math.ceil(remaining or 1)))
