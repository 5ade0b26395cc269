"""Cache versions: cached answers put these numbers in their keys; writers only bump them.

This keeps the domains apart: enrollment and payments bump a viewer's program version without
knowing who caches what, content imports bump a program's version, and stale entries simply
expire unread (their TTL is short). Bumping fails open with the cache: if Redis is down nothing
is cached either.
"""

from __future__ import annotations

from datetime import datetime

from edxelera_gql.infra.cache import Cache

# Version counters outlive every cached answer (those live at most CACHE_TTL_SECONDS).
VERSION_TTL_SECONDS = 30 * 24 * 3600


def program_scope(cohort_id: int) -> str:
    """Everything about a program that all viewers share: content and schedule."""
    return f"program:{cohort_id}"


def discussion_scope(cohort_id: int) -> str:
    """A program's discussions: threads, posts, pins. Apart from the program's own version, so
    a busy discussion does not make every viewer reload the program's structure."""
    return f"discussion:{cohort_id}"


def viewer_program_scope(user_id: int, cohort_id: int) -> str:
    """One viewer's standing in a program (enrollment, payments, progress, certificates)."""
    return f"viewer:{user_id}:program:{cohort_id}"


def key_of(scope: str) -> str:
    """The cache key holding ``scope``'s version, for callers that read it with other keys."""
    return f"ver:{scope}"


def scope_of(key: str) -> str:
    """The scope whose version ``key`` (from ``key_of``) holds."""
    return key.removeprefix("ver:")


_key = key_of


async def current(cache: Cache, *scopes: str) -> str:
    """The versions of ``scopes`` joined into one cache-key fragment, e.g. ``"3.0"``."""
    return await known(cache, *scopes) or ".".join("0" for _ in scopes)


async def known(cache: Cache, *scopes: str) -> str | None:
    """As ``current``, in one round trip, but None when the cache could not answer: then
    nothing says whether a writer bumped a version, so no copy may be trusted, not even one
    kept in this process."""
    await settle(cache)
    values = await cache.get_many(*(_key(scope) for scope in scopes))
    if values is None:
        return None
    return ".".join(raw.decode() if raw else "0" for raw in values)


# Bumps Redis missed (it was unreachable), per cache object: paid as soon as it answers again,
# before any version is read from it, so entries written before an outage are not reused
# after it. (The database's copy of each version was bumped in the writing transaction.)
_owed: dict[int, set[str]] = {}


async def bump(cache: Cache, *scopes: str) -> None:
    for scope in scopes:
        if await cache.incr(_key(scope), VERSION_TTL_SECONDS) is None:
            _owed.setdefault(id(cache), set()).add(scope)


async def settle(cache: Cache) -> None:
    """Pays the bumps Redis missed; nothing to do (one dict lookup) in the usual case."""
    owed = _owed.get(id(cache))
    while owed:
        scope = min(owed)
        if await cache.incr(_key(scope), VERSION_TTL_SECONDS) is None:
            return  # still unreachable
        owed.discard(scope)


class Dependencies:
    """What one answer was built from: the versions it read and the instant it stops holding.

    A whole-result cache may keep the answer while every version is unchanged and that instant
    has not come; anything read without a version to watch must ``forbid()`` it.
    """

    def __init__(self) -> None:
        self.versions: dict[str, str] = {}  # version key -> the value read before the data
        self.valid_until: datetime | None = None
        self.cacheable = True

    def depend(self, scope: str, value: str) -> None:
        key = key_of(scope)
        if self.versions.setdefault(key, value) != value:
            self.cacheable = False  # two reads saw two versions: the answer mixes them

    def until(self, instant: datetime | None) -> None:
        if instant is not None and (self.valid_until is None or instant < self.valid_until):
            self.valid_until = instant

    def forbid(self) -> None:
        self.cacheable = False
