"""Resolving a request's bearer token to its viewer, cached briefly per session.

The cached entry records when it was computed on the injected clock, so freshness follows the
clock (tests move it) and the cache TTL only bounds memory. Revoking a session or suspending a
user takes effect within ``ttl_seconds``, or at once through ``forget_viewer``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.enums import Role as RoleName
from edxelera_gql.auth.enums import UserStatus
from edxelera_gql.auth.models import ProgramStaff, RefreshToken, Role, User, UserRole
from edxelera_gql.auth.read_models import ViewerRecord
from edxelera_gql.auth.tokens import AccessClaims
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import Cache


def _viewer_key(user_id: int, session_id: str) -> str:
    return f"auth:viewer:{user_id}:{session_id}"


def viewer_key(claims: AccessClaims) -> str:
    """Where the token's viewer is cached (a caller may read it with other keys at once)."""
    return _viewer_key(claims.user_id, claims.session_id)


async def forget_viewer(cache: Cache, user_id: int, session_id: str) -> None:
    await cache.delete(_viewer_key(user_id, session_id))


async def session_ids(session: AsyncSession, user_id: int, now: datetime) -> list[str]:
    """The user's live sign-ins (refresh-token families): where their viewer may be cached."""
    rows = await session.scalars(
        select(RefreshToken.family_id)
        .where(
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .distinct()
    )
    return list(rows)


async def forget_viewers(cache: Cache, user_id: int, families: list[str]) -> None:
    """Drops every cached viewer of the user, so a changed role or assignment holds at once."""
    for family in families:
        await cache.delete(_viewer_key(user_id, family))


async def _read(
    sessionmaker: async_sessionmaker[AsyncSession], claims: AccessClaims, now: datetime
) -> dict[str, Any]:
    """One statement: the user's status, roles and program assignments, and whether the
    token's session is live (roles x assignments rows: both are a handful)."""
    live = (
        select(RefreshToken.id)
        .where(
            RefreshToken.family_id == claims.session_id,
            RefreshToken.user_id == claims.user_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .limit(1)
        .correlate(None)
        .scalar_subquery()
    )
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(User.status, Role.name, live, ProgramStaff.cohort_id, ProgramStaff.role)
                .select_from(User)
                .outerjoin(UserRole, UserRole.user_id == User.id)
                .outerjoin(Role, Role.id == UserRole.role_id)
                .outerjoin(ProgramStaff, ProgramStaff.user_id == User.id)
                .where(User.id == claims.user_id)
            )
        ).all()
    return {
        "status": rows[0][0] if rows else None,
        "live": bool(rows) and rows[0][2] is not None,
        "roles": sorted({row[1] for row in rows if row[1]}),
        "staff": sorted({(row[3], row[4]) for row in rows if row[3] is not None}),
        "at": now.timestamp(),
    }


async def load_viewer(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    claims: AccessClaims,
    *,
    now: datetime,
    ttl_seconds: int,
    prefetched: list[bytes | None] | None = None,
) -> ViewerRecord:
    """The token's user with roles if its session is live; UNAUTHENTICATED or
    ACCOUNT_SUSPENDED otherwise. ``prefetched`` holds the cached entry when the caller already
    read ``viewer_key`` (as ``[value]``), saving a round trip."""
    key = _viewer_key(claims.user_id, claims.session_id)
    cached = prefetched[0] if prefetched is not None else await cache.get(key)
    data: dict[str, Any] | None = json.loads(cached) if cached is not None else None
    if data is None or not 0 <= now.timestamp() - data.get("at", 0) < ttl_seconds:
        data = await _read(sessionmaker, claims, now)
        await cache.set(key, json.dumps(data), ttl_seconds)
    if data["status"] is None or not data["live"]:
        raise DomainError(Code.UNAUTHENTICATED, "Your session has ended. Sign in again.")
    if data["status"] != UserStatus.ACTIVE:
        raise DomainError(Code.ACCOUNT_SUSPENDED, "This account is suspended.")
    roles: list[str] = data["roles"]
    return ViewerRecord(
        user_id=claims.user_id,
        status=UserStatus(str(data["status"])),
        roles=frozenset(RoleName(r) for r in roles),
        staff_roles=tuple((int(p), str(r)) for p, r in data.get("staff", ())),
    )
