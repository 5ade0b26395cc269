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

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.versions import Dependencies

log = logging.getLogger(__name__)

PREFIX = "result:v1"
# Root fields whose whole subtree records its dependencies (see learning.caching).
HOT_FIELDS = frozenset({"programHome", "weekHub", "__typename"})


def eligible(root_fields: frozenset[str] | None, viewer: Viewer | None) -> bool:
    return (
        viewer is not None
        and root_fields is not None
        and root_fields <= HOT_FIELDS
        and bool(root_fields - {"__typename"})
    )


def result_key(
    query: str, operation_name: str | None, variables: dict[str, Any] | None, viewer: Viewer
) -> str:
    request = json.dumps([query, operation_name, variables or {}], sort_keys=True, default=str)
    digest = hashlib.sha256(request.encode()).hexdigest()
    roles = ",".join(sorted(viewer.roles))
    return f"{PREFIX}:{viewer.user_id}:{roles}:{digest}"


class ResultCache:
    def __init__(self, cache: Cache, *, max_ttl_seconds: int) -> None:
        self.cache = cache
        self.max_ttl_seconds = max_ttl_seconds

    async def get(self, key: str, now: datetime) -> bytes | None:
        raw = await self.cache.get(key)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            watched: dict[str, str] = entry["versions"]
            until = datetime.fromisoformat(entry["until"]) if entry["until"] else None
            body: str = entry["body"]
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable cache entry dropped", extra={"key": key})
            return None
        if until is not None and now >= until:
            return None
        current = await self.cache.get_many(*watched)
        if current is None:
            return None
        seen_now = {k: (v.decode() if v else "0") for k, v in zip(watched, current, strict=True)}
        if seen_now != watched:
            return None
        return body.encode()

    async def put(self, key: str, deps: Dependencies, body: bytes, now: datetime) -> None:
        if not deps.cacheable or not deps.versions:
            return
        ttl: float = self.max_ttl_seconds
        if deps.valid_until is not None:
            ttl = min(ttl, (deps.valid_until - now).total_seconds())
        if ttl <= 0:
            return
        until = deps.valid_until.isoformat() if deps.valid_until else None
        entry = {"versions": deps.versions, "until": until, "body": body.decode()}
        await self.cache.set(key, json.dumps(entry, separators=(",", ":")), ttl)
