"""Private calendar feeds: a URL per user that serves their programs' schedule.

Students get the programs they are actively enrolled in (not ended); staff also get the
programs they are assigned to, and admins every program that has not ended. The token is random
and only opens that user's schedule; rotating it replaces it, and the old URL answers 404 at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.enums import Role
from edxelera_gql.auth.models import CalendarFeed, ProgramStaff, UserRole
from edxelera_gql.auth.models import Role as RoleRow
from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog import service as catalog
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.learning.calendar_ics import ProgramSchedule, calendar_document

FEED_PATH = "/calendar/"
TOKEN_BYTES = 32


def feed_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url}{FEED_PATH}{token}.ics"


async def _token_of(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user_id))


async def feed_token(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    viewer: Viewer | None,
    rotate: bool,
    now: datetime,
) -> str:
    """The viewer's token, made on first use; ``rotate`` replaces it.

    No locking read: two first asks at once both INSERT, the unique user id lets one win,
    and the other answers with the winner's token (a gap-locking SELECT ... FOR UPDATE would
    deadlock them instead).
    """
    viewer = require_viewer(viewer)
    async with sessionmaker() as session:
        existing = await _token_of(session, viewer.user_id)
    if existing is not None and not rotate:
        return existing
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        async with UnitOfWork(sessionmaker) as uow:
            replaced = await uow.session.execute(
                update(CalendarFeed)
                .where(CalendarFeed.user_id == viewer.user_id)
                .values(token=token, updated_at=now)
            ) if existing is not None else None  # fmt: skip
            if replaced is None or replaced.rowcount == 0:  # type: ignore[attr-defined]
                uow.session.add(CalendarFeed(user_id=viewer.user_id, token=token))
    except IntegrityError:
        async with sessionmaker() as session:
            made = await _token_of(session, viewer.user_id)
        if made is None:
            raise
        return made
    return token


async def _schedules(
    session: AsyncSession, user_id: int, admin: bool, now: datetime
) -> list[ProgramSchedule]:
    query = select(*catalog.program_columns()).where(Cohort.end_at_utc > now)
    if not admin:
        enrolled = select(Enrollment.id).where(
            Enrollment.cohort_id == Cohort.id,
            Enrollment.user_id == user_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        assigned = select(ProgramStaff.id).where(
            ProgramStaff.cohort_id == Cohort.id, ProgramStaff.user_id == user_id
        )
        query = query.where(or_(enrolled.exists(), assigned.exists()))
    programs = [
        catalog.program_from_row(r)
        for r in await session.execute(query.order_by(Cohort.start_at_utc, Cohort.id))
    ]
    weeks = await catalog.weeks_by_program(session, [p.id for p in programs]) if programs else []
    return [
        ProgramSchedule(program, tuple(program_weeks), show_live_links=True)
        for program, program_weeks in zip(programs, weeks, strict=True)
    ]


async def feed_document(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    token: str,
    public_base_url: str,
    issuer: str,
    now: datetime,
) -> bytes | None:
    """The iCalendar document of the feed with this token, or None when no feed has it."""
    if not 16 <= len(token) <= 64:
        return None
    async with sessionmaker() as session:
        user_id = await session.scalar(
            select(CalendarFeed.user_id).where(CalendarFeed.token == token)
        )
        if user_id is None:
            return None
        roles = set(
            await session.scalars(
                select(RoleRow.name)
                .join(UserRole, UserRole.role_id == RoleRow.id)
                .where(UserRole.user_id == user_id)
            )
        )
        schedules = await _schedules(session, user_id, Role.ADMIN in roles, now)
    domain = urlsplit(public_base_url).hostname or "edxelera"
    return calendar_document(schedules, name=f"{issuer} schedule", domain=domain, stamp=now)
