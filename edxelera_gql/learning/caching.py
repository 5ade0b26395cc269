"""Caching of program home and week hub, in three layers that share one read of the versions.

- **Answers** per viewer (home, week), as before: keys carry the program's and the
  viewer-in-program's versions (``infra.versions``), so a completion, an enrollment or payment
  change, or a content import makes older entries unreachable. Each entry records the window it
  holds for (``Validity``): a hit outside it is a miss, so an answer never outlives the next
  week release, deadline or live-session edge. The Redis TTL only frees memory.
- **The program's structure**, shared by every viewer, per program version: loaded once
  (single-flight: concurrent misses in this process wait for one load, other workers wait on a
  Redis lock), kept in Redis and, decoded, in this process.
- **The viewer's progress**, per viewer-in-program version: one small query.

The versions are read (in one round trip) *before* the database, so an entry never holds data
older than its key. A cache that cannot answer trusts no copy: everything is loaded afresh.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.json_codec import dumps, loads
from edxelera_gql.learning import rules, structure, views
from edxelera_gql.learning.read_models import (
    ProgramHomeData,
    ProgramStructure,
    Validity,
    ViewerProgress,
    WeekHubData,
)

log = logging.getLogger(__name__)

PREFIX = "learn:v2"
S = TypeVar("S", ProgramHomeData, WeekHubData)
T = TypeVar("T")
# How long the shared structure stays in Redis: it changes only with its version.
STRUCTURE_TTL_SECONDS = 3600
# A worker that finds another loading the structure waits this long before loading it too.
STRUCTURE_WAIT_SECONDS = 3.0
_LOCAL_PROGRAMS = 64


def program_id_key(slug: str) -> str:
    return f"{PREFIX}:program-id:{slug}"


@dataclass(frozen=True)
class Versions:
    """What one round trip read: the versions, and the stamp of the shared structure."""

    program: str
    viewer: str
    stamp: str | None

    @property
    def stamp_is_current(self) -> bool:
        """The shared structure in Redis is the current version's (a bump leaves the stamp of
        the version before, which then names nothing to use)."""
        return self.stamp is not None and self.stamp.startswith(f"{self.program}:")

    def answer_key(self, kind: str, cohort_id: int, viewer: Viewer, *rest: object) -> str:
        tail = ":".join(str(part) for part in rest)
        return (
            f"{PREFIX}:{kind}:{cohort_id}:{viewer.user_id}:{_role(viewer)}:"
            f"{self.program}.{self.viewer}:{tail}"
        )


def _role(viewer: Viewer) -> str:
    # Staff and students see different answers; a role change must not reuse the other's.
    return "staff" if viewer.is_staff else "student"


def _stamp_key(cohort_id: int) -> str:
    return f"{PREFIX}:structure-stamp:{cohort_id}"


def _structure_key(cohort_id: int, program_version: str) -> str:
    return f"{PREFIX}:structure:{cohort_id}:{program_version}"


async def read_versions(cache: Cache, cohort_id: int, viewer: Viewer) -> Versions | None:
    scopes = (
        versions.program_scope(cohort_id),
        versions.viewer_program_scope(viewer.user_id, cohort_id),
    )
    values = await cache.get_many(*(versions.key_of(s) for s in scopes), _stamp_key(cohort_id))
    if values is None:
        return None
    program, viewer_version, stamp = (v.decode() if v else None for v in values)
    return Versions(program or "0", viewer_version or "0", stamp)


# --- the shared structure ---------------------------------------------------------------------

# cohort id -> (stamp, structure). The stamp names the Redis copy it was decoded from ("version:
# random token"); a copy is used only while Redis still holds that stamp, so a bump, an expiry
# or a flushed Redis (versions back to 0) all make it unreachable.
_local: OrderedDict[int, tuple[str, ProgramStructure]] = OrderedDict()
_loading: dict[str, asyncio.Future[Any]] = {}


def _remember(cohort_id: int, stamp: str, shared: ProgramStructure) -> None:
    _local[cohort_id] = (stamp, shared)
    _local.move_to_end(cohort_id)
    while len(_local) > _LOCAL_PROGRAMS:
        _local.popitem(last=False)


async def program_structure(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    program: ProgramFacts | int,
    seen: Versions | None,
) -> ProgramStructure:
    """The structure of ``program`` (facts, or an id known from the slug cache)."""
    cohort_id = program if isinstance(program, int) else program.id
    if seen is None:
        # The cache cannot answer: no copy can be trusted, but requests arriving together still
        # share one load (it began a moment before them).
        return await _once(cache, f"fresh:{cohort_id}", lambda: _load(sessionmaker, program))
    local = _local.get(cohort_id)
    if local is not None and seen.stamp == local[0] and seen.stamp_is_current:
        _local.move_to_end(cohort_id)
        return local[1]
    key = _structure_key(cohort_id, seen.program)

    async def load() -> ProgramStructure:
        stamp, shared = await _shared(sessionmaker, cache, program, seen)
        _remember(cohort_id, stamp, shared)
        return shared

    return await _once(cache, key, load)


async def _once(cache: Cache, key: str, load: Callable[[], Awaitable[T]]) -> T:
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
    if seen.stamp_is_current:
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


# --- the viewer's progress ------------------------------------------------------------------


async def viewer_progress(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    viewer: Viewer,
    program: ProgramFacts,
    seen: Versions | None,
    ttl: int,
) -> ViewerProgress:
    key = f"{PREFIX}:progress:{program.id}:{viewer.user_id}:{_role(viewer)}:"
    key += seen.viewer if seen else ""
    if seen is not None:
        raw = await cache.get(key)
        if raw is not None:
            try:
                return loads(ViewerProgress, raw)
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable cache entry dropped", extra={"key": key})
    async with sessionmaker() as session:
        progress = await structure.load_viewer_progress(session, viewer, program)
    if seen is not None:
        await cache.set(key, dumps(progress), ttl)
    return progress


# --- answers --------------------------------------------------------------------------------


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


async def _find(
    sessionmaker: async_sessionmaker[AsyncSession], cache: Cache, slug: str, ttl: int
) -> ProgramFacts:
    async with sessionmaker() as session:
        program = await views.find_program(session, slug)
    await cache.set(program_id_key(slug), str(program.id), ttl)
    return program


Assemble = Callable[[ProgramStructure, ViewerProgress, Viewer], S]


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
    assemble: Assemble[S],
) -> S:
    viewer = require_viewer(viewer)
    raw_id = await cache.get(program_id_key(slug))
    program: ProgramFacts | int
    if raw_id is not None:
        program = int(raw_id)
    else:
        program = await _once(
            cache, f"program:{slug}", lambda: _find(sessionmaker, cache, slug, max_ttl)
        )
    cohort_id = program if isinstance(program, int) else program.id
    seen = await read_versions(cache, cohort_id, viewer)
    key = seen.answer_key(kind, cohort_id, viewer, *key_rest) if seen else None
    if key is not None:
        hit = await _read(cache, key, cls, now)
        if hit is not None:
            return hit
    shared = await program_structure(sessionmaker, cache, program, seen)
    if shared.program.slug != slug:  # the slug now names another program: forget the id
        await cache.delete(program_id_key(slug))
        return await _cached(sessionmaker=sessionmaker, cache=cache, max_ttl=max_ttl,
                             viewer=viewer, slug=slug, now=now, kind=kind, cls=cls,
                             key_rest=key_rest, assemble=assemble)  # fmt: skip
    progress = await viewer_progress(sessionmaker, cache, viewer, shared.program, seen, max_ttl)
    snapshot = assemble(shared, progress, viewer)
    if key is not None:
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
    def assemble(
        shared: ProgramStructure, progress: ViewerProgress, viewer: Viewer
    ) -> ProgramHomeData:
        return structure.program_home(shared, progress, viewer, now)

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
        assemble=assemble,
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
    def assemble(shared: ProgramStructure, progress: ViewerProgress, viewer: Viewer) -> WeekHubData:
        return structure.week_hub(shared, progress, viewer, week_number, now)

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
        assemble=assemble,
    )
