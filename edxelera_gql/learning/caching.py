"""Program home and week hub from two cached parts that share one read of the versions.

- **The program's structure**, shared by every viewer, per program version: loaded once
  (single-flight: concurrent misses in this process wait for one load, other workers wait on a
  Redis lock), kept in Redis and, decoded, in this process.
- **The viewer's progress**, per viewer-in-program version: one small query.

Assembling an answer from the two is pure and cheap (``structure.program_home``); whole answers
are kept by the GraphQL layer's result cache, which watches the versions recorded here
(``_record``) and the instant the answer stops holding (the next release, deadline or live
session edge). The versions are read *before* the database, so nothing cached holds data older
than its versions; while Redis cannot answer they come from the database (``db.versions``) and
copies live in the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.json_codec import dumps, loads
from edxelera_gql.learning import shared_structure, structure, views
from edxelera_gql.learning.read_models import (
    ProgramHomeData,
    ProgramStructure,
    Validity,
    ViewerProgress,
    WeekHubData,
)

log = logging.getLogger(__name__)

S = TypeVar("S", ProgramHomeData, WeekHubData)


def program_id_key(slug: str) -> str:
    return f"{shared_structure.PREFIX}:program-id:{slug}"


def _record(
    deps: versions.Dependencies | None,
    seen: shared_structure.Versions,
    cohort_id: int,
    viewer: Viewer,
    validity: Validity,
) -> None:
    """Tells a whole-result cache what this answer was built from (the week hub's discussion
    summary is read after it, so the discussion version is part of it too)."""
    if deps is None:
        return
    deps.depend(versions.program_scope(cohort_id), seen.program)
    deps.depend(versions.viewer_program_scope(viewer.user_id, cohort_id), seen.viewer)
    deps.depend(versions.discussion_scope(cohort_id), seen.discussion)
    deps.until(validity.valid_until)


# --- the viewer's progress ------------------------------------------------------------------


async def viewer_progress(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    viewer: Viewer,
    program: ProgramFacts,
    seen: shared_structure.Versions,
    ttl: int,
) -> ViewerProgress:
    role = shared_structure.role_of(viewer, program.id)
    key = f"{shared_structure.PREFIX}:progress:{program.id}:{viewer.user_id}:{role}:{seen.viewer}"
    store = cache.local if seen.local else cache
    raw = await store.get(key)
    if raw is not None:
        try:
            return loads(ViewerProgress, raw)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable cache entry dropped", extra={"key": key})
    async with sessionmaker() as session:
        progress = await structure.load_viewer_progress(session, viewer, program)
    await store.set(key, dumps(progress), ttl)
    return progress


# --- answers ------------------------------------------------------------------------------


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
    assemble: Assemble[S],
    deps: versions.Dependencies | None,
) -> S:
    viewer = require_viewer(viewer)
    raw_id = await cache.get(program_id_key(slug))
    program: ProgramFacts | int
    if raw_id is not None:
        program = int(raw_id)
    else:
        program = await shared_structure.once(
            cache, f"program:{slug}", lambda: _find(sessionmaker, cache, slug, max_ttl)
        )
    cohort_id = program if isinstance(program, int) else program.id
    seen = await shared_structure.read_versions(cache, sessionmaker, cohort_id, viewer)
    shared = await shared_structure.program_structure(sessionmaker, cache, program, seen)
    if shared.program.slug != slug:  # the slug now names another program: forget the id
        await cache.delete(program_id_key(slug))
        return await _cached(sessionmaker=sessionmaker, cache=cache, max_ttl=max_ttl,
                             viewer=viewer, slug=slug, now=now, assemble=assemble,
                             deps=deps)  # fmt: skip
    progress = await viewer_progress(sessionmaker, cache, viewer, shared.program, seen, max_ttl)
    snapshot = assemble(shared, progress, viewer)
    _record(deps, seen, cohort_id, viewer, snapshot.validity)
    return snapshot


async def program_home(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    max_ttl: int,
    viewer: Viewer | None,
    slug: str,
    now: datetime,
    deps: versions.Dependencies | None = None,
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
        assemble=assemble,
        deps=deps,
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
    deps: versions.Dependencies | None = None,
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
        assemble=assemble,
        deps=deps,
    )
