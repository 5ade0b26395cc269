"""Sign-up, sign-in, refresh-token rotation and sign-out, each one unit of work.

Expected failures are raised as ``DomainError``. Password hashing and verification run before
the transaction opens. One case must commit and still fail: presenting a refresh token that was
already rotated revokes its whole family (theft is assumed) and then answers
INVALID_REFRESH_TOKEN, so ``refresh_session`` raises only after its unit of work committed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth import viewers
from edxelera_gql.auth.accounts import (
    check_new_account,
    hash_off_loop,
    insert_user,
    user_facts,
)
from edxelera_gql.auth.enums import Role as RoleName
from edxelera_gql.auth.enums import UserStatus
from edxelera_gql.auth.models import RefreshToken, Role, User, UserRole
from edxelera_gql.auth.passwords import hash_password, needs_rehash, verify_password
from edxelera_gql.auth.read_models import SignedIn
from edxelera_gql.auth.rules import normalize_email, sign_in_problems
from edxelera_gql.auth.tokens import TokenCodec, new_refresh_token
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError, Refusal
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

MAX_REFRESH_TOKEN_LENGTH = 256
_INVALID_REFRESH = Refusal(Code.INVALID_REFRESH_TOKEN, "Sign in again.")
_SUSPENDED = Refusal(Code.ACCOUNT_SUSPENDED, "This account is suspended.")


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
    return SignedIn(user=user_facts(user, roles), access=access, refresh_token=refresh)


async def sign_up(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    codec: TokenCodec,
    settings: Settings,
    email: str,
    password: str,
    full_name: str,
    ip: str,
    now: datetime,
) -> SignedIn:
    email, full_name = check_new_account(email, full_name, password)
    await enforce(
        cache,
        limit_key("signup-ip", ip),
        Rule(settings.sign_up_limit_per_ip, settings.rate_limit_window_seconds),
        now=now,
    )
    password_hash = await hash_off_loop(password)
    roles = [RoleName.STUDENT.value]
    async with UnitOfWork(sessionmaker) as uow:
        user = await insert_user(
            uow.session, email=email, full_name=full_name, roles=roles, password_hash=password_hash
        )
        return await _start_session(
            uow.session,
            user=user,
            roles=roles,
            family_id=None,
            now=now,
            codec=codec,
            settings=settings,
        )


async def sign_in(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    codec: TokenCodec,
    settings: Settings,
    email: str,
    password: str,
    ip: str,
    now: datetime,
) -> SignedIn:
    email = normalize_email(email)
    if problems := sign_in_problems(email, password):
        raise DomainError.of(problems)
    window = settings.rate_limit_window_seconds
    await enforce(
        cache,
        limit_key("signin-email", ip, email),
        Rule(settings.sign_in_limit_per_email, window),
        now=now,
    )
    await enforce(
        cache, limit_key("signin-ip", ip), Rule(settings.sign_in_limit_per_ip, window), now=now
    )
    async with sessionmaker() as session:
        user = await session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = await asyncio.to_thread(verify_password, stored, password)
    if user is None or not matches:
        raise DomainError(Code.INVALID_CREDENTIALS, "Email or password is incorrect.")
    if user.status != UserStatus.ACTIVE:
        raise _SUSPENDED.error()
    rehashed = await hash_off_loop(password) if needs_rehash(user.password_hash) else None
    async with UnitOfWork(sessionmaker) as uow:
        if rehashed is not None:
            await uow.session.execute(
                update(User).where(User.id == user.id).values(password_hash=rehashed)
            )
        roles = await _roles_of(uow.session, user.id)
        return await _start_session(
            uow.session,
            user=user,
            roles=roles,
            family_id=None,
            now=now,
            codec=codec,
            settings=settings,
        )


async def _revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _rotate(
    uow: UnitOfWork,
    *,
    refresh_token: str,
    cache: Cache,
    codec: TokenCodec,
    settings: Settings,
    now: datetime,
) -> SignedIn | Refusal:
    """The rotation, or the refusal to raise once the unit of work committed."""
    session = uow.session
    row = await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
        .with_for_update()
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return _INVALID_REFRESH
    if row.rotated_at is not None:
        log.warning(
            "refresh token reused: revoking its family",
            extra={"user_id": row.user_id, "family_id": row.family_id},
        )
        await _revoke_family(session, row.family_id, now)
        user_id, family = row.user_id, row.family_id
        uow.after_commit(lambda: viewers.forget_viewer(cache, user_id, family))
        return _INVALID_REFRESH
    user = await session.get(User, row.user_id)
    if user is None:
        return _INVALID_REFRESH
    if user.status != UserStatus.ACTIVE:
        await _revoke_family(session, row.family_id, now)
        return _SUSPENDED
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


async def refresh_session(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    codec: TokenCodec,
    settings: Settings,
    refresh_token: str,
    now: datetime,
) -> SignedIn:
    """Rotates the refresh token. A token already rotated revokes its family (committed)."""
    if not refresh_token or len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH:
        raise _INVALID_REFRESH.error()
    async with UnitOfWork(sessionmaker) as uow:
        outcome = await _rotate(
            uow, refresh_token=refresh_token, cache=cache, codec=codec, settings=settings, now=now
        )
    if isinstance(outcome, Refusal):
        raise outcome.error()
    return outcome


async def sign_out(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    refresh_token: str,
    now: datetime,
) -> None:
    """Revokes the token's family. Idempotent: unknown or revoked tokens change nothing."""
    if not refresh_token or len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH:
        raise DomainError(Code.INVALID_INPUT, "A refresh token is required.", field="refreshToken")
    async with UnitOfWork(sessionmaker) as uow:
        row = await uow.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
        )
        if row is None:
            return
        await _revoke_family(uow.session, row.family_id, now)
        user_id, family = row.user_id, row.family_id
        uow.after_commit(lambda: viewers.forget_viewer(cache, user_id, family))
