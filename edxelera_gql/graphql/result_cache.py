"""Whole answers of the hottest reads, kept per (document, variables, viewer, roles).

At a release moment a cohort asks the same documents again and again; a warm answer then costs
the token check, two cache reads and writing the bytes, not resolving hundreds of fields.

Correct by construction, not by expiry: an entry is kept only when every resolver that ran told
what it was built from (``versions.Dependencies``: the versions read before the data, and the
instant it stops holding). A hit checks all those versions again in one round trip and the
instant against the app's clock, so an entry never outlives a completion, an enrollment change,
an import, a new post or the next schedule boundary. Only documents whose root fields are all
in ``HOT_FIELDS`` are eligible (their resolvers record dependencies; anything else forbids),
and the viewer's id and roles are part of the key, so an answer never reaches another viewer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.db import versions as db_versions
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache, Watched, watched_keys
from edxelera_gql.infra.versions import Dependencies
from edxelera_gql.learning import rules

log = logging.getLogger(__name__)

PREFIX = "result:v2"
# Root fields whose whole subtree records its dependencies (see learning.caching).
HOT_FIELDS = frozenset({"programHome", "weekHub", "__typename"})


def eligible(root_fields: frozenset[str] | None) -> bool:
    """A signed-in query whose root fields all record their dependencies."""
    return (
        root_fields is not None and root_fields <= HOT_FIELDS and bool(root_fields - {"__typename"})
    )


def result_key(
    query: str, operation_name: str | None, variables: dict[str, Any] | None, user_id: int
) -> str:
    """The viewer's id is in the key; their roles are kept in the entry and checked on a hit
    (the key is known before the viewer is looked up, so both are read in one round trip)."""
    request = json.dumps([query, operation_name, variables or {}], sort_keys=True, default=str)
    digest = hashlib.sha256(request.encode()).hexdigest()
    return f"{PREFIX}:{user_id}:{digest}"


def _roles(viewer: Viewer) -> str:
    return viewer.grants


class ResultCache:
    """Entries are one JSON header line (watched version keys ``k`` and the values they had
    ``v``, the instant it stops holding ``u``, the viewer's roles ``r``), then the body bytes
    as sent: a hit decodes the small header only."""

    def __init__(
        self,
        cache: Cache,
        *,
        max_ttl_seconds: int,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self.cache = cache
        self.max_ttl_seconds = max_ttl_seconds
        self.sessionmaker = sessionmaker

    async def fetch(self, *keys: str) -> Watched | None:
        """``keys`` then the entry's key, read with the entry's versions in one round trip."""
        await versions.settle(self.cache)
        return await self.cache.get_watched(*keys)

    def check(
        self, entry: bytes | None, current: list[bytes | None], viewer: Viewer, now: datetime
    ) -> bytes | None:
        """The body, if the entry still holds for this viewer now."""
        if entry is None:
            return None
        header_line, _, body = entry.partition(b"\n")
        try:
            header = json.loads(header_line)
            watched: list[str] = header["v"]
            until = datetime.fromisoformat(header["u"]) if header["u"] else None
            roles: str = header["r"]
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable cache entry dropped")
            return None
        if roles != _roles(viewer) or (until is not None and now >= until):
            return None
        seen_now = [v.decode() if v else "0" for v in current]
        return body if seen_now == watched else None

    async def get_held(self, key: str, viewer: Viewer, now: datetime) -> bytes | None:
        """Redis is down: an entry kept in this process under database-held versions, checked
        against the database in one statement."""
        entry = await self.cache.local.get(key)
        if entry is None:
            return None
        scopes = [versions.scope_of(k) for k in watched_keys(entry)]
        held = await db_versions.read(self.sessionmaker, *scopes)
        return self.check(entry, [held[s].encode() for s in scopes], viewer, now)

    async def put(
        self, key: str, deps: Dependencies, viewer: Viewer, body: bytes, now: datetime
    ) -> None:
        if not deps.cacheable or not deps.versions:
            return
        ttl = rules.cache_ttl_seconds(
            now, max_ttl_seconds=self.max_ttl_seconds, valid_until=deps.valid_until
        )
        held = [db_versions.from_database(v) for v in deps.versions.values()]
        if ttl <= 0 or (any(held) and not all(held)):
            return  # or read partly from Redis, partly from the database: a flapping Redis
        store = self.cache.local if all(held) else self.cache
        until = deps.valid_until.isoformat() if deps.valid_until else None
        keys = list(deps.versions)
        header = {
            "k": keys,
            "v": [deps.versions[k] for k in keys],
            "u": until,
            "r": _roles(viewer),
        }
        entry = json.dumps(header, separators=(",", ":")).encode() + b"\n" + body
        await store.set(key, entry, ttl)
