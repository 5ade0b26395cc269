"""Accounts and signed-in sessions for tests, made directly (argon2 is skipped on purpose)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from edxelera_gql.auth.models import ProgramStaff, RefreshToken, Role, User, UserRole
from edxelera_gql.enrollment.models import Enrollment


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    headers: dict[str, str]  # Authorization header for the app the account was made for


async def create_account(
    app: Starlette,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    email: str | None = None,
    full_name: str = "Test User",
    roles: Sequence[str] = ("student",),
    status: str = "active",
    staff_of: Sequence[int] = (),
    staff_role: str = "instructor",
) -> Account:
    """A user with ``roles`` and a live session, signed in to ``app`` (bearer header ready);
    ``staff_of`` assigns them to those programs as ``staff_role`` (instructor by default)."""
    email = email or f"user-{secrets.token_hex(4)}@example.com"
    now = app.state.clock.now()
    async with sessionmaker() as session, session.begin():
        # A hash of a random password: tests that sign in by password use the API instead.
        user = User(email=email, full_name=full_name, password_hash="!unusable", status=status)
        session.add(user)
        await session.flush()
        role_ids = (await session.scalars(select(Role.id).where(Role.name.in_(roles)))).all()
        session.add_all(UserRole(user_id=user.id, role_id=r) for r in role_ids)
        session.add_all(
            ProgramStaff(cohort_id=c, user_id=user.id, role=staff_role) for c in staff_of
        )
        family = secrets.token_hex(16)
        session.add(
            RefreshToken(
                user_id=user.id,
                family_id=family,
                token_hash=secrets.token_hex(32),
                created_at=now,
                expires_at=now + timedelta(days=30),
            )
        )
    token = app.state.token_codec.issue(user_id=user.id, session_id=family, now=now).token
    return Account(user_id=user.id, email=email, headers={"Authorization": f"Bearer {token}"})


async def enroll(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    user_id: int,
    cohort_id: int,
    status: str = "active",
    source: str = "free",
) -> Enrollment:
    async with sessionmaker() as session, session.begin():
        enrollment = Enrollment(
            user_id=user_id,
            cohort_id=cohort_id,
            status=status,
            source=source,
            enrolled_at_utc=datetime.now(UTC) if status == "active" else None,
        )
        session.add(enrollment)
    return enrollment


async def assign_staff(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    user_id: int,
    cohort_id: int,
    role: str = "instructor",
) -> None:
    """Straight to the table, as a fixture: the API's addProgramStaff has its own tests."""
    async with sessionmaker() as session, session.begin():
        session.add(ProgramStaff(cohort_id=cohort_id, user_id=user_id, role=role))
