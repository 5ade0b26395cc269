"""Creating accounts: sign-up, the create-user command and the demo seed share these steps.

Passwords are hashed before any transaction opens (argon2 takes tens of milliseconds of CPU and
must not hold a pooled connection); the rows are then written in one short unit of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.enums import Role as RoleName
from edxelera_gql.auth.enums import UserStatus
from edxelera_gql.auth.models import Role, User, UserRole
from edxelera_gql.auth.passwords import hash_password
from edxelera_gql.auth.read_models import UserFacts
from edxelera_gql.auth.rules import normalize_email, normalize_name, sign_up_problems
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError


def email_taken(message: str = "An account with this email already exists.") -> DomainError:
    return DomainError(Code.EMAIL_TAKEN, message, field="email")


def check_new_account(email: str, full_name: str, password: str) -> tuple[str, str]:
    """The normalized email and trimmed name, or INVALID_INPUT listing every problem."""
    email, full_name = normalize_email(email), normalize_name(full_name)
    problems = sign_up_problems(email, password, full_name)
    if problems:
        raise DomainError.of(problems)
    return email, full_name


async def hash_off_loop(password: str) -> str:
    # argon2 is CPU-bound: a worker thread keeps the event loop answering other requests.
    return await asyncio.to_thread(hash_password, password)


async def role_ids(session: AsyncSession, roles: Sequence[str]) -> list[int]:
    """Ids of ``roles`` (a student when none is named); unknown names are INVALID_INPUT."""
    wanted = list(dict.fromkeys(roles)) or [RoleName.STUDENT]
    result = await session.execute(select(Role.name, Role.id).where(Role.name.in_(wanted)))
    found = {name: role_id for name, role_id in result}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = (await session.execute(select(Role.name).order_by(Role.name))).scalars().all()
        raise DomainError(
            Code.INVALID_INPUT,
            f"unknown role {', '.join(unknown)} (known: {', '.join(known)})",
            field="role",
        )
    return [found[name] for name in wanted]


async def insert_user(
    session: AsyncSession, *, email: str, full_name: str, roles: Sequence[str], password_hash: str
) -> User:
    """Adds an active user in the caller's transaction; EMAIL_TAKEN when the email is used."""
    ids = await role_ids(session, roles)
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise email_taken()
    user = User(email=email, full_name=full_name, password_hash=password_hash)
    try:
        # A savepoint, so losing a race on the unique email leaves the caller's transaction usable.
        async with session.begin_nested():
            session.add(user)
            await session.flush()
            session.add_all(UserRole(user_id=user.id, role_id=role_id) for role_id in ids)
            await session.flush()
    except IntegrityError as exc:
        raise email_taken() from exc
    return user


def user_facts(user: User, roles: Sequence[str]) -> UserFacts:
    ordered = tuple(sorted(RoleName(r) for r in set(roles)))
    return UserFacts(id=user.id, email=user.email, full_name=user.full_name, roles=ordered)


async def create_account(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    email: str,
    full_name: str,
    roles: Sequence[str],
    password: str,
) -> UserFacts:
    """The create-user command: validate, hash, then one short transaction."""
    email, full_name = check_new_account(email, full_name, password)
    password_hash = await hash_off_loop(password)
    async with UnitOfWork(sessionmaker) as uow:
        user = await insert_user(
            uow.session, email=email, full_name=full_name, roles=roles, password_hash=password_hash
        )
    return user_facts(user, roles)


async def upsert_demo_user(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    email: str,
    full_name: str,
    roles: Sequence[str],
    password: str,
) -> UserFacts:
    """Creates the user, or resets an existing one's password, name, status and roles."""
    email, full_name = check_new_account(email, full_name, password)
    password_hash = await hash_off_loop(password)
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user = await insert_user(
                session, email=email, full_name=full_name, roles=roles, password_hash=password_hash
            )
            return user_facts(user, roles)
        ids = await role_ids(session, roles)
        user.password_hash = password_hash
        if user.full_name != full_name:
            user.full_name = full_name
        if user.status != UserStatus.ACTIVE:
            user.status = UserStatus.ACTIVE
        current = set(
            await session.scalars(select(UserRole.role_id).where(UserRole.user_id == user.id))
        )
        if stale := current - set(ids):
            await session.execute(
                delete(UserRole).where(UserRole.user_id == user.id, UserRole.role_id.in_(stale))
            )
        session.add_all(
            UserRole(user_id=user.id, role_id=role_id) for role_id in ids if role_id not in current
        )
    return user_facts(user, roles)


async def find_user(
    session: AsyncSession, user_id: int, roles: Collection[str]
) -> UserFacts | None:
    """The user by id with the given (already known) roles, or None."""
    user = await session.scalar(select(User).where(User.id == user_id))
    return user_facts(user, list(roles)) if user is not None else None
