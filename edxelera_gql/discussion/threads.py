"""Week threads: who may open one (``rules.thread_access``), created the first time it is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort, Week
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.catalog.service import PROGRAM_WIDTH, program_columns, program_from_row
from edxelera_gql.db import versions as db_versions
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.discussion import rules
from edxelera_gql.discussion.models import DiscussionThread
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache


@dataclass(frozen=True)
class ThreadFacts:
    id: int
    cohort_id: int
    week_number: int
    title: str
    created_at: datetime


@dataclass(frozen=True)
class OpenThread:
    thread: ThreadFacts
    program: ProgramFacts
    created: bool  # this call created the thread


@dataclass(frozen=True)
class WeekAccess:
    program: ProgramFacts
    week_title: str
    thread: DiscussionThread | None


def thread_facts(thread: DiscussionThread) -> ThreadFacts:
    return ThreadFacts(
        thread.id, thread.cohort_id, thread.week_number, thread.title, thread.created_at
    )


async def bump_after_commit(uow: UnitOfWork, cache: Cache, cohort_id: int) -> None:
    """Cached answers that show a discussion (a week hub's summary) watch this version."""
    await db_versions.bump_in(uow, cache, versions.discussion_scope(cohort_id))


async def check_week_access(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    now: datetime,
) -> WeekAccess:
    """Program, week, the viewer's enrollment and the thread, in one statement."""
    if viewer is None:
        refused = rules.thread_access(signed_in=False, is_staff=False, program=None, now=now)
        assert refused is not None
        raise refused.error()
    row = (
        await session.execute(
            select(
                *program_columns(),
                Week.release_at_utc,
                Week.title,
                Enrollment.status,
                DiscussionThread,
            )
            .select_from(Cohort)
            .outerjoin(Week, and_(Week.cohort_id == Cohort.id, Week.week_number == week_number))
            .outerjoin(
                Enrollment,
                and_(Enrollment.cohort_id == Cohort.id, Enrollment.user_id == viewer.user_id),
            )
            .outerjoin(
                DiscussionThread,
                and_(
                    DiscussionThread.cohort_id == Cohort.id,
                    DiscussionThread.week_number == week_number,
                ),
            )
            .where(Cohort.slug == program_slug)
        )
    ).one_or_none()
    program = program_from_row(row) if row is not None else None
    extra = row[PROGRAM_WIDTH:] if row is not None else (None, None, None, None)
    release_at, week_title, status, thread = extra
    facts = None
    if program is not None:
        facts = rules.ThreadAccessFacts(
            published=program.published, week_release_at=release_at, enrollment_status=status
        )
    staff = program is not None and viewer.is_staff_in(program.id)
    refused = rules.thread_access(signed_in=True, is_staff=staff, program=facts, now=now)
    if refused is not None:
        raise refused.error()
    assert program is not None  # thread_access refuses a missing program
    return WeekAccess(program=program, week_title=week_title, thread=thread)


async def ensure_thread(
    session: AsyncSession, access: WeekAccess, *, week_number: int, user_id: int, now: datetime
) -> tuple[DiscussionThread, bool]:
    if access.thread is not None:
        return access.thread, False
    thread = DiscussionThread(
        cohort_id=access.program.id,
        week_number=week_number,
        title=rules.thread_title(week_number, access.week_title),
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint, so losing the race leaves the caller's transaction usable.
        async with session.begin_nested():
            session.add(thread)
            await session.flush()
    except IntegrityError:
        # Another request created it first (unique cohort + week). A locking read sees its
        # committed row; a plain read would reuse this transaction's older snapshot on InnoDB.
        existing = await session.scalar(
            select(DiscussionThread)
            .where(
                DiscussionThread.cohort_id == access.program.id,
                DiscussionThread.week_number == week_number,
            )
            .with_for_update(read=True)
        )
        if existing is None:
            raise  # not the unique key (e.g. the program was deleted meanwhile)
        return existing, False
    return thread, True


async def open_thread(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    now: datetime,
) -> OpenThread:
    """The week's thread, created the first time someone allowed to read it asks."""
    async with UnitOfWork(sessionmaker) as uow:
        access = await check_week_access(
            uow.session, viewer=viewer, program_slug=program_slug, week_number=week_number, now=now
        )
        assert viewer is not None
        thread, created = await ensure_thread(
            uow.session, access, week_number=week_number, user_id=viewer.user_id, now=now
        )
        if created:
            await bump_after_commit(uow, cache, access.program.id)
        return OpenThread(thread=thread_facts(thread), program=access.program, created=created)
