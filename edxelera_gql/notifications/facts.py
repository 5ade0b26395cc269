"""What the sender needs to address and fill each claimed row, read in a few statements per
batch (users, programs, opt-outs, enrollments), whatever the batch size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.enums import UserStatus
from edxelera_gql.auth.models import User
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.db.outbox import NotificationKind, OutboxEmail
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.notifications.preferences import disabled_kinds
from edxelera_gql.notifications.rules import may_opt_out
from edxelera_gql.notifications.templates import MailFacts

# The program's mails go to learners whose enrollment is still active when they are sent.
NEEDS_ACTIVE_ENROLLMENT = frozenset(
    {NotificationKind.WEEK_RELEASED, NotificationKind.ASSIGNMENT_DUE}
)


@dataclass(frozen=True)
class Recipient:
    email: str
    facts: MailFacts


async def recipients_of(
    session: AsyncSession,
    rows: list[OutboxEmail],
    *,
    public_base_url: str,
    verify_url_template: str | None,
) -> dict[int, Recipient]:
    """Row id -> who gets it and what it says; rows left out are not to be sent (the learner
    opted out, left the program, or the account is gone or suspended)."""
    user_ids = {row.user_id for row in rows}
    cohort_ids = {row.cohort_id for row in rows if row.cohort_id is not None}
    users = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_(user_ids), User.status == UserStatus.ACTIVE.value)
        )
    }
    cohorts = {
        c.id: c for c in await session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)))
    }
    off = await disabled_kinds(session, user_ids)
    active: set[tuple[int, int | None]] = set()
    if cohort_ids:
        enrolled = await session.execute(
            select(Enrollment.user_id, Enrollment.cohort_id).where(
                Enrollment.user_id.in_(user_ids),
                Enrollment.cohort_id.in_(cohort_ids),
                Enrollment.status == EnrollmentStatus.ACTIVE.value,
            )
        )
        active = {(user_id, cohort_id) for user_id, cohort_id in enrolled}
    found: dict[int, Recipient] = {}
    for row in rows:
        kind = NotificationKind(row.kind)
        user = users.get(row.user_id)
        cohort = cohorts.get(row.cohort_id) if row.cohort_id is not None else None
        if user is None or (may_opt_out(kind) and (row.user_id, row.kind) in off):
            continue
        if kind in NEEDS_ACTIVE_ENROLLMENT and (row.user_id, row.cohort_id) not in active:
            continue
        number = row.payload.get("certificate_number")
        facts = MailFacts(
            kind=kind,
            payload=row.payload,
            full_name=user.full_name,
            program_title=cohort.title if cohort is not None else "EdXelera",
            program_timezone=cohort.timezone if cohort is not None else "UTC",
            verify_url=verification_url(public_base_url, number, verify_url_template)
            if number
            else None,
        )
        found[row.id] = Recipient(user.email, facts)
    return found
