"""Fixed-window rate limits on the cache; they fail open when the cache is down.

Windows are aligned to the injected clock (window *n* covers ``[n*w, (n+1)*w)`` seconds since the
epoch) and their index is part of the counter's key, so every process agrees on the window, the
retry-after is exact, and tests move the clock instead of waiting. The cache TTL only frees the
counter once its window is over.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import Cache


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    retry_after_seconds: int = 0


@dataclass(frozen=True)
class Rule:
    """``limit`` attempts per ``window_seconds``."""

    limit: int
    window_seconds: int


def limit_key(scope: str, *parts: str) -> str:
    # Hashed so emails and addresses never sit in Redis in the clear.
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


async def hit(
    cache: Cache, key: str, *, limit: int, window_seconds: int, now: datetime
) -> RateLimit:
    """Counts one attempt; refused once more than ``limit`` fall within the current window."""
    moment = now.timestamp()
    window = math.floor(moment / window_seconds)
    remaining = (window + 1) * window_seconds - moment
    count = await cache.incr(f"{key}:{window}", remaining + 1)
    if count is None or count <= limit:
        return RateLimit(allowed=True)
    return RateLimit(allowed=False, retry_after_seconds=max(1, math.ceil(remaining)))


async def enforce(
    cache: Cache, key: str, rule: Rule, *, now: datetime, message: str = "Too many attempts."
) -> None:
    """``hit``, raising RATE_LIMITED (with the retry-after) when over the limit."""
    result = await hit(cache, key, limit=rule.limit, window_seconds=rule.window_seconds, now=now)
    if not result.allowed:
        seconds = result.retry_after_seconds
        raise DomainError(
            Code.RATE_LIMITED,
            f"{message} Try again in {seconds} seconds.",
            retry_after_seconds=seconds,
        )
