"""Per-viewer caching of program home and week hub.

Keys carry the program's and the viewer-in-program's versions (``infra.versions``), so a
completion, an enrollment or payment change, or a content import makes older entries
unreachable; the versions are read *before* the database, so an entry never holds data older
than its key. Each entry also records the window it holds for (``Validity``): a hit outside it
is a miss, so an answer never outlives the next week release, deadline or live-session edge,
whatever clock the server runs on. The Redis TTL (the configured TTL cut at that boundary) only
frees memory.

A warm program home needs no SQL: the program's id comes from a cached slug lookup, and an
entry exists only for a viewer who had access under the same versions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.json_codec import dumps, loads
from edxelera_gql.learning import rules, views
from edxelera_gql.learning.read_models import ProgramHomeData, Validity, WeekHubData

log = logging.getLogger(__name__)

PREFIX = "learn:v1"
S = TypeVar("S", ProgramHomeData, WeekHubData)


def program_id_key(slug: str) -> str:
    return f"{PREFIX}:program-id:{slug}"


async def _versioned_key(
    cache: Cache, kind: str, cohort_id: int, viewer: Viewer, *rest: object
) -> str:
    version = await versions.current(
        cache,
        versions.program_scope(cohort_id),
        versions.viewer_program_scope(viewer.user_id, cohort_id),
    )
    # Staff and students see different answers; a role change must not reuse the other's.
    role = "staff" if viewer.is_staff else "student"
    tail = ":".join(str(part) for part in rest)
    return f"{PREFIX}:{kind}:{cohort_id}:{viewer.user_id}:{role}:{version}:{tail}"


async def _read(cache: Cache, key: str, cls: type[S], now: datetime) -> S | None:
    raw = await cache.get(key)
    if raw is None:
        return None
    try:
        snapshot = loads(cls, raw)
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable cache entry dropped", extra={"key": key})
        return None
    return snapshot if snapshot.validity.holds_at(now) else None


async def _write(
    cache: Cache, key: str, snapshot: ProgramHomeData | WeekHubData, *, now: datetime, max_ttl: int
) -> None:
    validity: Validity = snapshot.validity
    ttl = rules.cache_ttl_seconds(now, max_ttl_seconds=max_ttl, valid_until=validity.valid_until)
    if ttl > 0:
        await cache.set(key, dumps(snapshot), ttl)


async def _cached(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    max_ttl: int,
    viewer: Viewer | None,
    slug: str,
    now: datetime,
    kind: str,
    cls: type[S],
    key_rest: tuple[object, ...],
    load: Callable[[AsyncSession, ProgramFacts, Viewer], Awaitable[S]],
) -> S:
    viewer = require_viewer(viewer)
    raw_id = await cache.get(program_id_key(slug))
    if raw_id is not None:
        key = await _versioned_key(cache, kind, int(raw_id), viewer, *key_rest)
        hit = await _read(cache, key, cls, now)
        if hit is not None:
            return hit
    async with sessionmaker() as session:
        program = await views.find_program(session, slug)
    if raw_id is None or int(raw_id) != program.id:
        await cache.set(program_id_key(slug), str(program.id), max_ttl)
    key = await _versioned_key(cache, kind, program.id, viewer, *key_rest)
    async with sessionmaker() as session:
        snapshot = await load(session, program, viewer)
    await _write(cache, key, snapshot, now=now, max_ttl=max_ttl)
    return snapshot


async def program_home(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    max_ttl: int,
    viewer: Viewer | None,
    slug: str,
    now: datetime,
) -> ProgramHomeData:
    async def load(session: AsyncSession, program: ProgramFacts, viewer: Viewer) -> ProgramHomeData:
        return await views.load_program_home(session, program=program, viewer=viewer, now=now)

    return await _cached(
        sessionmaker=sessionmaker,
        cache=cache,
        max_ttl=max_ttl,
        viewer=viewer,
        slug=slug,
        now=now,
        kind="home",
        cls=ProgramHomeData,
        key_rest=(),
        load=load,
    )


async def week_hub(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    max_ttl: int,
    viewer: Viewer | None,
    slug: str,
    week_number: int,
    now: datetime,
) -> WeekHubData:
    async def load(session: AsyncSession, program: ProgramFacts, viewer: Viewer) -> WeekHubData:
        return await views.load_week_hub(
            session, program=program, viewer=viewer, week_number=week_number, now=now
        )

    return await _cached(
        sessionmaker=sessionmaker,
        cache=cache,
        max_ttl=max_ttl,
        viewer=viewer,
        slug=slug,
        now=now,
        kind="week",
        cls=WeekHubData,
        key_rest=(week_number,),
        load=load,
    )
