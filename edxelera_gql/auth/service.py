"""Sign-up, sign-in, refresh-token rotation, sign-out and resolving the viewer of a request.

Outcomes are returned, not raised, so a mutation can commit what must stick even when the
answer is an error (a reused refresh token revokes its whole family).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.accounts import AccountError, create_user
from edxelera_gql.auth.models import RefreshToken, Role, User, UserRole
from edxelera_gql.auth.passwords import hash_password, needs_rehash, verify_password
from edxelera_gql.auth.rules import (
    FieldProblem,
    normalize_email,
    sign_in_problems,
    sign_up_problems,
)
from edxelera_gql.auth.tokens import AccessClaims, IssuedAccessToken, TokenCodec, new_refresh_token
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import hit, limit_key
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthError:
    code: str
    message: str
    field: str | None = None
    retry_after_seconds: int | None = None


@dataclass(frozen=True)
class SignedIn:
    user: User
    roles: list[str]
    access: IssuedAccessToken
    refresh_token: str


@dataclass(frozen=True)
class ViewerRecord:
    user_id: int
    status: str
    roles: frozenset[str]


def _problems(problems: list[FieldProblem]) -> list[AuthError]:
    return [AuthError("INVALID_INPUT", p.message, p.field) for p in problems]


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the email is unknown, so both answers take about as long.
    return hash_password(secrets.token_urlsafe(16))


async def _roles_of(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id)
    )
    return sorted(rows.all())


async def _start_session(
    session: AsyncSession,
    *,
    user: User,
    roles: list[str],
    family_id: str | None,
    now: datetime,
    codec: TokenCodec,
    settings: Settings,
) -> SignedIn:
    refresh = new_refresh_token()
    family = family_id or secrets.token_hex(16)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family,
            token_hash=hash_refresh_token(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    await session.flush()
    access = codec.issue(user_id=user.id, session_id=family, now=now)
    return SignedIn(user=user, roles=roles, access=access, refresh_token=refresh)


async def _rate_limited(
    cache: Cache, checks: list[tuple[str, int]], window: int
) -> AuthError | None:
    for key, limit in checks:
        result = await hit(cache, key, limit=limit, window_seconds=window)
        if not result.allowed:
            return AuthError(
                "RATE_LIMITED",
                f"Too many attempts. Try again in {result.retry_after_seconds} seconds.",
                retry_after_seconds=result.retry_after_seconds,
            )
    return None


async def sign_up(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    full_name: str,
    ip: str,
    now: datetime,
    codec: TokenCodec,
    cache: Cache,
    settings: Settings,
) -> SignedIn | list[AuthError]:
    email, full_name = normalize_email(email), full_name.strip()
    problems = sign_up_problems(email, password, full_name)
    if problems:
        return _problems(problems)
    limited = await _rate_limited(
        cache,
        [(limit_key("signup-ip", ip), settings.sign_up_limit_per_ip)],
        settings.rate_limit_window_seconds,
    )
    if limited:
        return [limited]
    try:
        user = await create_user(
            session, email=email, full_name=full_name, roles=["student"], password=password
        )
    except AccountError as exc:
        if exc.code == "EMAIL_TAKEN":
            return [AuthError("EMAIL_TAKEN", "An account with this email already exists.", "email")]
        return [AuthError("INVALID_INPUT", str(exc), exc.field)]
    return await _start_session(
        session,
        user=user,
        roles=["student"],
        family_id=None,
        now=now,
        codec=codec,
        settings=settings,
    )


async def sign_in(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    codec: TokenCodec,
    cache: Cache,
    settings: Settings,
) -> SignedIn | list[AuthError]:
    email = normalize_email(email)
    problems = sign_in_problems(email, password)
    if problems:
        return _problems(problems)
    limited = await _rate_limited(
        cache,
        [
            (limit_key("signin-email", ip, email), settings.sign_in_limit_per_email),
            (limit_key("signin-ip", ip), settings.sign_in_limit_per_ip),
        ],
        settings.rate_limit_window_seconds,
    )
    if limited:
        return [limited]
    user = await session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = await asyncio.to_thread(verify_password, stored, password)
    if user is None or not matches:
        return [AuthError("INVALID_CREDENTIALS", "Email or password is incorrect.")]
    if user.status != "active":
        return [AuthError("ACCOUNT_SUSPENDED", "This account is suspended.")]
    if needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(hash_password, password)
    roles = await _roles_of(session, user.id)
    return await _start_session(
        session, user=user, roles=roles, family_id=None, now=now, codec=codec, settings=settings
    )


async def _revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def refresh_session(
    session: AsyncSession,
    *,
    refresh_token: str,
    now: datetime,
    codec: TokenCodec,
    cache: Cache,
    settings: Settings,
) -> SignedIn | list[AuthError]:
    """Rotates the refresh token. Presenting one that was already rotated is taken as theft:
    the whole family is revoked (the caller must commit even though it answers an error)."""
    invalid = [AuthError("INVALID_REFRESH_TOKEN", "Sign in again.")]
    if not refresh_token or len(refresh_token) > 256:
        return invalid
    row = await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
        .with_for_update()
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return invalid
    if row.rotated_at is not None:
        log.warning(
            "refresh token reused: revoking its family",
            extra={"user_id": row.user_id, "family_id": row.family_id},
        )
        await _revoke_family(session, row.family_id, now)
        await forget_viewer(cache, row.user_id, row.family_id)
        return invalid
    user = await session.get(User, row.user_id)
    if user is None:
        return invalid
    if user.status != "active":
        await _revoke_family(session, row.family_id, now)
        return [AuthError("ACCOUNT_SUSPENDED", "This account is suspended.")]
    row.rotated_at = now
    roles = await _roles_of(session, user.id)
    return await _start_session(
        session,
        user=user,
        roles=roles,
        family_id=row.family_id,
        now=now,
        codec=codec,
        settings=settings,
    )


async def sign_out(
    session: AsyncSession, *, refresh_token: str, now: datetime, cache: Cache
) -> None:
    """Revokes the token's family. Idempotent: unknown or revoked tokens change nothing."""
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
    )
    if row is None:
        return
    await _revoke_family(session, row.family_id, now)
    await forget_viewer(cache, row.user_id, row.family_id)


# -- the viewer of a request -----------------------------------------------------------------


def _viewer_key(user_id: int, session_id: str) -> str:
    return f"auth:viewer:{user_id}:{session_id}"


async def forget_viewer(cache: Cache, user_id: int, session_id: str) -> None:
    await cache.delete(_viewer_key(user_id, session_id))


async def load_viewer(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    claims: AccessClaims,
    *,
    now: datetime,
    ttl_seconds: int,
) -> ViewerRecord | AuthError:
    """The token's user with status and roles, if its session is still live; cached briefly."""
    key = _viewer_key(claims.user_id, claims.session_id)
    cached = await cache.get(key)
    if cached is not None:
        data = json.loads(cached)
    else:
        async with sessionmaker() as session:
            rows = (
                await session.execute(
                    select(User.status, Role.name)
                    .select_from(User)
                    .outerjoin(UserRole, UserRole.user_id == User.id)
                    .outerjoin(Role, Role.id == UserRole.role_id)
                    .where(User.id == claims.user_id)
                )
            ).all()
            live = await session.scalar(
                select(RefreshToken.id)
                .where(
                    RefreshToken.family_id == claims.session_id,
                    RefreshToken.user_id == claims.user_id,
                    RefreshToken.revoked_at.is_(None),
                    RefreshToken.expires_at > now,
                )
                .limit(1)
            )
        data = {
            "status": rows[0][0] if rows else None,
            "live": live is not None,
            "roles": sorted(name for _, name in rows if name),
        }
        await cache.set(key, json.dumps(data), ttl_seconds)
    if data["status"] is None or not data["live"]:
        return AuthError("UNAUTHENTICATED", "Your session has ended. Sign in again.")
    if data["status"] != "active":
        return AuthError("ACCOUNT_SUSPENDED", "This account is suspended.")
    return ViewerRecord(
        user_id=claims.user_id, status=data["status"], roles=frozenset(data["roles"])
    )
