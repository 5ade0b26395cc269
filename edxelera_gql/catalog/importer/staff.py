"""The ``staff`` section's half of an import: emails to accounts, then the assignments.

Accounts are found by their (lowercased) email in one SELECT before anything is written; an
email with no account is a problem at its path, so the whole import is refused. Assignments are
upserted by (program, user): a listed person gets the listed role, and a person no longer
listed keeps theirs (an import never removes; admins do, with removeProgramStaff).
"""

from __future__ import annotations

from sqlalchemy import column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.content import Problem, ProgramPlan
from edxelera_gql.catalog.importer.report import ImportReport
from edxelera_gql.db.program_staff import ProgramStaff

# The accounts table, by name only: it belongs to auth, which this package may not import.
_users = table("users", column("id"), column("email"))


async def staff_accounts(
    session: AsyncSession, plan: ProgramPlan
) -> tuple[dict[str, int], list[Problem]]:
    """User ids by email, and a problem per listed email without an account."""
    if not plan.staff:
        return {}, []
    emails = [member.email for member in plan.staff]
    rows = await session.execute(
        select(_users.c.email, _users.c.id).where(_users.c.email.in_(emails))
    )
    found = {str(email).lower(): int(user_id) for email, user_id in rows}
    problems = [
        Problem(f"{member.path}.email", "no account has this email (the person signs up first)")
        for member in plan.staff
        if member.email not in found
    ]
    return found, problems


async def apply_staff(
    session: AsyncSession,
    plan: ProgramPlan,
    cohort_id: int,
    accounts: dict[str, int],
    report: ImportReport,
) -> list[int]:
    """Upserts the listed assignments; returns the users whose assignment changed."""
    if not plan.staff:
        return []
    existing = {
        row.user_id: row
        for row in await session.scalars(
            select(ProgramStaff).where(ProgramStaff.cohort_id == cohort_id)
        )
    }
    changed: list[int] = []
    for member in plan.staff:
        user_id = accounts[member.email]
        row = existing.get(user_id)
        if row is None:
            session.add(ProgramStaff(cohort_id=cohort_id, user_id=user_id, role=member.role))
            report.created["staff"] += 1
        elif row.role != member.role:
            row.role = member.role
            report.updated["staff"] += 1
        else:
            continue
        changed.append(user_id)
    await session.flush()
    return changed
