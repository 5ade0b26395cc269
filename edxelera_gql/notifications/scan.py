"""The calendar's emails: weeks whose release instant has passed and assignments due tomorrow
(by the program's wall clock), turned into one outbox row per active learner who has not opted
out. Run every minute by the job schedule; running it twice, or on two workers at once, writes
nothing twice (the outbox's unique key)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.catalog.models import Assignment, Cohort, Week
from edxelera_gql.db.outbox import NotificationKind, OutboxEmail, add_rows, outbox_row
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.notifications import rules
from edxelera_gql.notifications.models import NotificationPreference

log = logging.getLogger(__name__)

Event = tuple[NotificationKind, int, int, dict[str, Any]]  # kind, subject id, cohort id, payload
DEADLOCK_TRIES = 3


async def due_events(session: AsyncSession, now: datetime) -> list[Event]:
    """The calendar events whose mail is due now, in every published program."""
    releases = await session.execute(
        select(Week.id, Week.cohort_id, Week.week_number, Week.title, Week.release_at_utc)
        .join(Cohort, Cohort.id == Week.cohort_id)
        .where(
            Cohort.published.is_(True),
            Week.release_at_utc <= now,
            Week.release_at_utc > now - rules.RELEASE_LOOKBACK,
        )
    )
    events: list[Event] = [
        (NotificationKind.WEEK_RELEASED, week_id, cohort_id,
         {"week_number": number, "week_title": title, "release_at": release.isoformat()})
        for week_id, cohort_id, number, title, release in releases
        if rules.release_due(now, release)
    ]  # fmt: skip
    deadlines = await session.execute(
        select(
            Assignment.id,
            Assignment.title,
            Week.cohort_id,
            Week.week_number,
            Week.assignment_deadline_utc,
            Cohort.timezone,
        )
        .join(Week, Week.id == Assignment.week_id)
        .join(Cohort, Cohort.id == Week.cohort_id)
        .where(
            Cohort.published.is_(True),
            Week.assignment_deadline_utc > now,
            Week.assignment_deadline_utc <= now + rules.DEADLINE_HORIZON,
        )
    )
    for assignment_id, title, cohort_id, number, deadline, timezone in deadlines:
        if deadline is not None and rules.reminder_due(now, deadline, timezone):
            payload = {
                "assignment_title": title, "week_number": number,
                "deadline": deadline.isoformat(), "timezone": timezone,
            }  # fmt: skip
            events.append((NotificationKind.ASSIGNMENT_DUE, assignment_id, cohort_id, payload))
    return events


async def _recipients(session: AsyncSession, kind: NotificationKind, subject_id: int,
                      cohort_id: int) -> list[int]:  # fmt: skip
    """Active learners of the program without a row for this event and not opted out."""
    already = exists().where(
        OutboxEmail.kind == kind.value,
        OutboxEmail.subject_id == subject_id,
        OutboxEmail.user_id == Enrollment.user_id,
    )
    opted_out = exists().where(
        and_(
            NotificationPreference.user_id == Enrollment.user_id,
            NotificationPreference.kind == kind.value,
            NotificationPreference.enabled.is_(False),
        )
    )
    rows = await session.scalars(
        select(Enrollment.user_id)
        .where(
            Enrollment.cohort_id == cohort_id,
            Enrollment.status == EnrollmentStatus.ACTIVE.value,
            ~already,
            ~opted_out,
        )
        .order_by(Enrollment.user_id)
    )
    return list(rows)


async def scan(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime) -> int:
    """Writes the outbox rows of every due calendar event; returns how many were new to
    this scan (a concurrent scan may have written some of them first)."""
    async with sessionmaker() as session:
        events = await due_events(session, now)
    written = 0
    for kind, subject_id, cohort_id, payload in events:
        written += await _write_event(sessionmaker, kind, subject_id, cohort_id, payload, now)
    return written


async def _write_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    kind: NotificationKind,
    subject_id: int,
    cohort_id: int,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    # Two scans inserting the same keys may deadlock on InnoDB's unique-index locks: the loser
    # is rolled back and simply tries again (its rows are then mostly there already).
    for attempt in range(DEADLOCK_TRIES):
        try:
            async with UnitOfWork(sessionmaker, read_committed=True) as uow:
                users = await _recipients(uow.session, kind, subject_id, cohort_id)
                rows = [
                    outbox_row(kind, user_id=user_id, subject_id=subject_id,
                               cohort_id=cohort_id, payload=payload, now=now)
                    for user_id in users
                ]  # fmt: skip
                await add_rows(uow.session, rows)
            return len(rows)
        except OperationalError:
            if attempt == DEADLOCK_TRIES - 1:
                raise
            log.info("outbox scan: retrying after a lock conflict", extra={"kind": kind.value})
    return 0
