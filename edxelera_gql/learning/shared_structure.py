"""A program's structure, shared by every viewer and every worker, and the versions read with it.

The structure (weeks, courses, lessons, prerequisites) changes only with the program's version.
It is loaded once per version (single-flight: concurrent misses in a process wait for one load,
other workers wait on a Redis lock), kept in Redis, and kept decoded in each process while Redis
still holds its stamp.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.db import versions as db_versions
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.json_codec import dumps, loads
from edxelera_gql.learning import structure, views
from edxelera_gql.learning.read_models import ProgramStructure

log = logging.getLogger(__name__)

PREFIX = "learn:v2"
T = TypeVar("T")
# How long the shared structure stays in Redis: it changes only with its version.
STRUCTURE_TTL_SECONDS = 3600
# A worker that finds another loading the structure waits this long before loading it too.
STRUCTURE_WAIT_SECONDS = 3.0
_LOCAL_PROGRAMS = 64


@dataclass(frozen=True)
class Versions:
    """What one round trip read: the versions, and the stamp of the shared structure."""

    program: str
    viewer: str
    discussion: str
    stamp: str | None

    @property
    def local(self) -> bool:
        """Read from the database because Redis could not answer: copies then live in this
        process (``Cache.local``), under these numbers."""
        return db_versions.from_database(self.program)

    @property
    def stamp_is_current(self) -> bool:
        """The shared structure in Redis is the current version's (a bump leaves the stamp of
        the version before, which then names nothing to use)."""
        return self.stamp is not None and self.stamp.startswith(f"{self.program}:")


def role_of(viewer: Viewer, cohort_id: int) -> str:
    # The program's staff and its students see different answers; a role or assignment change
    # must not reuse the other's.
    return "staff" if viewer.is_staff_in(cohort_id) else "student"


def _stamp_key(cohort_id: int) -> str:
    return f"{PREFIX}:structure-stamp:{cohort_id}"


def _structure_key(cohort_id: int, program_version: str) -> str:
    return f"{PREFIX}:structure:{cohort_id}:{program_version}"


async def read_versions(
    cache: Cache,
    sessionmaker: async_sessionmaker[AsyncSession],
    cohort_id: int,
    viewer: Viewer,
) -> Versions:
    """From Redis in one round trip; from the database (one statement) when Redis cannot
    answer, so copies stay trustworthy through an outage."""
    scopes = (
        versions.program_scope(cohort_id),
        versions.viewer_program_scope(viewer.user_id, cohort_id),
        versions.discussion_scope(cohort_id),
    )
    await versions.settle(cache)
    values = await cache.get_many(*(versions.key_of(s) for s in scopes), _stamp_key(cohort_id))
    if values is None:
        held = await db_versions.read(sessionmaker, *scopes)
        program_held, viewer_held, discussion_held = (held[s] for s in scopes)
        return Versions(program_held, viewer_held, discussion_held, stamp=None)
    program, viewer_version, discussion, stamp = (v.decode() if v else None for v in values)
    return Versions(program or "0", viewer_version or "0", discussion or "0", stamp)


# cohort id -> (stamp, structure). The stamp names the Redis copy it was decoded from ("version:
# random token"); a copy is used only while Redis still holds that stamp, so a bump, an expiry
# or a flushed Redis (versions back to 0) all make it unreachable.
_local: OrderedDict[int, tuple[str, ProgramStructure]] = OrderedDict()
_loading: dict[str, asyncio.Future[Any]] = {}
# (cache id, cohort id) -> (database-held program version, structure), used while Redis is down.
_held: OrderedDict[tuple[int, int], tuple[str, ProgramStructure]] = OrderedDict()


def _remember(cohort_id: int, stamp: str, shared: ProgramStructure) -> None:
    _local[cohort_id] = (stamp, shared)
    _local.move_to_end(cohort_id)
    while len(_local) > _LOCAL_PROGRAMS:
        _local.popitem(last=False)


async def program_structure(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    program: ProgramFacts | int,
    seen: Versions,
) -> ProgramStructure:
    """The structure of ``program`` (facts, or an id known from the slug cache)."""
    cohort_id = program if isinstance(program, int) else program.id
    if seen.local:
        return await _held_structure(sessionmaker, cache, program, seen)
    local = _local.get(cohort_id)
    if local is not None and seen.stamp == local[0] and seen.stamp_is_current:
        _local.move_to_end(cohort_id)
        return local[1]
    key = _structure_key(cohort_id, seen.program)

    async def load() -> ProgramStructure:
        stamp, shared = await _shared(sessionmaker, cache, program, seen)
        _remember(cohort_id, stamp, shared)
        return shared

    return await once(cache, key, load)


async def _held_structure(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    program: ProgramFacts | int,
    seen: Versions,
) -> ProgramStructure:
    """Redis is down: this process's copy while the database's version is the one it was
    loaded under; requests arriving together share one load."""
    cohort_id = program if isinstance(program, int) else program.id
    slot = (id(cache), cohort_id)
    held = _held.get(slot)
    if held is not None and held[0] == seen.program:
        _held.move_to_end(slot)
        return held[1]

    async def load() -> ProgramStructure:
        loaded = await _load(sessionmaker, program)
        _held[slot] = (seen.program, loaded)
        while len(_held) > _LOCAL_PROGRAMS:
            _held.popitem(last=False)
        return loaded

    return await once(cache, f"held:{cohort_id}:{seen.program}", load)


async def once(cache: Cache, key: str, load: Callable[[], Awaitable[T]]) -> T:
    """Single-flight in this process: concurrent callers with the same key share one load."""
    key = f"{id(cache)}:{key}"  # one app's loads are not another's (tests run several)
    running = _loading.get(key)
    if running is not None:
        return await asyncio.shield(running)
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    _loading[key] = future
    try:
        result = await load()
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # waiters, if any, get it; none is no "never retrieved" warning
        raise
    else:
        future.set_result(result)
        return result
    finally:
        _loading.pop(key, None)


async def _shared(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    program: ProgramFacts | int,
    seen: Versions,
) -> tuple[str, ProgramStructure]:
    cohort_id = program if isinstance(program, int) else program.id
    key = _structure_key(cohort_id, seen.program)
    if seen.stamp is not None and seen.stamp_is_current:
        found = await _decoded(cache, key)
        if found is not None:
            return seen.stamp, found
    async with cache.lock(key, STRUCTURE_WAIT_SECONDS * 2) as mine:
        if not mine:
            waited = await _wait_for(cache, key, cohort_id, seen.program)
            if waited is not None:
                return waited
        loaded = await _load(sessionmaker, program)
        stamp = f"{seen.program}:{secrets.token_hex(8)}"
        await cache.set(key, dumps(loaded), STRUCTURE_TTL_SECONDS)
        await cache.set(_stamp_key(cohort_id), stamp, STRUCTURE_TTL_SECONDS)
        return stamp, loaded


async def _wait_for(
    cache: Cache, key: str, cohort_id: int, program_version: str
) -> tuple[str, ProgramStructure] | None:
    """Another worker holds the lock: its copy, once written, or None after a while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STRUCTURE_WAIT_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(0.02)
        stamp = await cache.get(_stamp_key(cohort_id))
        if stamp is not None and stamp.decode().startswith(f"{program_version}:"):
            found = await _decoded(cache, key)
            if found is not None:
                return stamp.decode(), found
    return None


async def _decoded(cache: Cache, key: str) -> ProgramStructure | None:
    raw = await cache.get(key)
    if raw is None:
        return None
    try:
        return loads(ProgramStructure, raw)
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable cache entry dropped", extra={"key": key})
        return None


async def _load(
    sessionmaker: async_sessionmaker[AsyncSession], program: ProgramFacts | int
) -> ProgramStructure:
    async with sessionmaker() as session:
        if isinstance(program, int):
            facts = await views.find_program_by_id(session, program)
        else:
            facts = program
        return await structure.load_structure(session, facts)
