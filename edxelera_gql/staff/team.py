"""Who runs a program: admins assign instructors and teaching assistants (and take them off).

An assignment changes what the person may see at once: their cached viewer records are dropped
after the commit (cached answers are keyed by the viewer's grants, so none is reused). Both
mutations are idempotent: assigning the same role again, or removing someone not assigned,
changes nothing and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth import viewers
from edxelera_gql.auth.enums import ProgramRole
from edxelera_gql.auth.models import ProgramStaff, User
from edxelera_gql.auth.rules import normalize_email
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.db import audit
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import Cache
from edxelera_gql.staff.programs import staff_program


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    full_name: str
    email: str
    role: ProgramRole
    assigned_at: datetime


@dataclass(frozen=True)
class StaffChange:
    member: StaffMember | None  # None after a removal
    changed: bool
    staff: tuple[StaffMember, ...]  # the program's staff after the change


async def _user_by_email(session: AsyncSession, email: str) -> User:
    user = await session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise DomainError(Code.NOT_FOUND, "No account has this email.", field="email")
    return user


async def program_staff(session: AsyncSession, cohort_id: int) -> tuple[StaffMember, ...]:
    """The program's assigned staff, instructors first, then by name (one statement)."""
    rows = await session.execute(
        select(User.id, User.full_name, User.email, ProgramStaff.role, ProgramStaff.created_at)
        .join(ProgramStaff, ProgramStaff.user_id == User.id)
        .where(ProgramStaff.cohort_id == cohort_id)
        .order_by(ProgramStaff.role, User.full_name, User.id)
    )
    return tuple(
        StaffMember(user_id, name, email, ProgramRole(role), at)
        for user_id, name, email, role, at in rows
    )


async def list_staff(
    sessionmaker: async_sessionmaker[AsyncSession], *, viewer: Viewer | None, program_slug: str
) -> tuple[StaffMember, ...]:
    """For the program's staff (colleagues see each other) and admins."""
    async with sessionmaker() as session:
        _, program = await staff_program(session, viewer, program_slug)
        return await program_staff(session, program.id)


async def _forget_after_commit(uow: UnitOfWork, cache: Cache, user_id: int, now: datetime) -> None:
    families = await viewers.session_ids(uow.session, user_id, now)
    uow.after_commit(lambda: viewers.forget_viewers(cache, user_id, families))


async def add_program_staff(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    *,
    viewer: Viewer | None,
    program_slug: str,
    email: str,
    role: ProgramRole,
    now: datetime,
) -> StaffChange:
    """Assigns (or re-roles) the account as staff of the program; admins only.

    Read committed, so the answer's list sees a concurrent assignment's commit; two first
    assignments racing meet on the unique key, and the loser's retry finds the winner's row."""
    try:
        return await _assign(sessionmaker, cache, viewer, program_slug, email, role, now)
    except IntegrityError:
        return await _assign(sessionmaker, cache, viewer, program_slug, email, role, now)


async def _assign(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    viewer: Viewer | None,
    program_slug: str,
    email: str,
    role: ProgramRole,
    now: datetime,
) -> StaffChange:
    async with UnitOfWork(sessionmaker, read_committed=True) as uow:
        session = uow.session
        admin, program = await staff_program(session, viewer, program_slug, right="admin")
        user = await _user_by_email(session, email)
        row = await session.scalar(
            select(ProgramStaff)
            .where(ProgramStaff.cohort_id == program.id, ProgramStaff.user_id == user.id)
            .with_for_update()
        )
        before = {"role": row.role} if row is not None else None
        changed = row is None or row.role != role.value
        if row is None:
            row = ProgramStaff(cohort_id=program.id, user_id=user.id, role=role.value)
            session.add(row)
        row.role, row.updated_at = role.value, now
        if changed:
            await session.flush()
            audit.record(
                session, actor_id=admin.user_id, action="staff.assign", target_type="User",
                target_id=user.id, cohort_id=program.id, at=now, before=before,
                after={"role": role.value, "email": user.email},
            )  # fmt: skip
            await _forget_after_commit(uow, cache, user.id, now)
        staff = await program_staff(session, program.id)
    member = next(m for m in staff if m.user_id == user.id)
    return StaffChange(member=member, changed=changed, staff=staff)


async def remove_program_staff(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    *,
    viewer: Viewer | None,
    program_slug: str,
    email: str,
    now: datetime,
) -> StaffChange:
    """Ends the account's assignment to the program; admins only. Removing someone who is not
    assigned changes nothing (a retry is harmless)."""
    async with UnitOfWork(sessionmaker, read_committed=True) as uow:
        session = uow.session
        admin, program = await staff_program(session, viewer, program_slug, right="admin")
        user = await _user_by_email(session, email)
        row = await session.scalar(
            select(ProgramStaff)
            .where(ProgramStaff.cohort_id == program.id, ProgramStaff.user_id == user.id)
            .with_for_update()
        )
        if row is not None:
            await session.delete(row)
            await session.flush()
            audit.record(
                session, actor_id=admin.user_id, action="staff.remove", target_type="User",
                target_id=user.id, cohort_id=program.id, at=now,
                before={"role": row.role, "email": user.email}, after=None,
            )  # fmt: skip
            await _forget_after_commit(uow, cache, user.id, now)
        staff = await program_staff(session, program.id)
    return StaffChange(member=None, changed=row is not None, staff=staff)
