"""Creating user accounts outside sign-up: the create-user command and the demo seed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.models import Role, User, UserRole
from edxelera_gql.auth.passwords import hash_password
from edxelera_gql.auth.rules import normalize_email, sign_up_problems


class AccountError(ValueError):
    """An account that cannot be created as asked; the message says why.

    ``code`` is ``EMAIL_TAKEN`` or ``INVALID_INPUT``; ``field`` names the input at fault.
    """

    def __init__(self, message: str, *, code: str = "INVALID_INPUT", field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


def _check_fields(email: str, full_name: str, password: str) -> None:
    problems = sign_up_problems(email, password, full_name)
    if problems:
        raise AccountError(" ".join(p.message for p in problems), field=problems[0].field)


async def _role_ids(session: AsyncSession, roles: Sequence[str]) -> list[int]:
    # Every account is at least a student when no role is named.
    wanted = list(dict.fromkeys(roles)) or ["student"]
    result = await session.execute(select(Role.name, Role.id).where(Role.name.in_(wanted)))
    found = {name: role_id for name, role_id in result}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = (await session.execute(select(Role.name).order_by(Role.name))).scalars().all()
        raise AccountError(f"unknown role {', '.join(unknown)} (known: {', '.join(known)})")
    return [found[name] for name in wanted]


async def _hash(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    return await asyncio.to_thread(hash_password, password)


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    roles: Sequence[str],
    password: str,
) -> User:
    """Adds an active user with ``roles`` in the caller's transaction; AccountError if refused."""
    email = normalize_email(email)
    full_name = full_name.strip()
    _check_fields(email, full_name, password)
    role_ids = await _role_ids(session, roles)
    taken = (await session.execute(select(User.id).where(User.email == email))).first()
    if taken is not None:
        raise AccountError(
            f"an account with email {email} already exists", code="EMAIL_TAKEN", field="email"
        )
    user = User(email=email, full_name=full_name, password_hash=await _hash(password))
    try:
        # A savepoint, so losing a race on the unique email leaves the caller's transaction usable.
        async with session.begin_nested():
            session.add(user)
            await session.flush()
            session.add_all(UserRole(user_id=user.id, role_id=role_id) for role_id in role_ids)
            await session.flush()
    except IntegrityError as exc:
        raise AccountError(
            f"an account with email {email} already exists", code="EMAIL_TAKEN", field="email"
        ) from exc
    return user


async def upsert_demo_user(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    roles: Sequence[str],
    password: str,
) -> User:
    """Creates the user, or resets an existing one's password, name, status and roles."""
    email = normalize_email(email)
    full_name = full_name.strip()
    _check_fields(email, full_name, password)
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if user is None:
        return await create_user(
            session, email=email, full_name=full_name, roles=roles, password=password
        )
    role_ids = await _role_ids(session, roles)
    user.password_hash = await _hash(password)
    if user.full_name != full_name:
        user.full_name = full_name
    if user.status != "active":
        user.status = "active"
    current = set(
        (await session.execute(select(UserRole.role_id).where(UserRole.user_id == user.id)))
        .scalars()
        .all()
    )
    stale = current - set(role_ids)
    if stale:
        await session.execute(
            delete(UserRole).where(UserRole.user_id == user.id, UserRole.role_id.in_(stale))
        )
    session.add_all(
        UserRole(user_id=user.id, role_id=role_id) for role_id in role_ids if role_id not in current
    )
    await session.flush()
    return user
