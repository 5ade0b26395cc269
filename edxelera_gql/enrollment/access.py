"""Who may see a program's content: its staff, and students with an active enrollment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import Code, DomainError


async def active_enrollment(
    session: AsyncSession, *, user_id: int, cohort_id: int
) -> Enrollment | None:
    enrollment = await session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.cohort_id == cohort_id)
    )
    active = enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE
    return enrollment if active else None


async def can_access_program(session: AsyncSession, viewer: Viewer | None, cohort_id: int) -> bool:
    """The program's staff see it; students only when actively enrolled in it."""
    if viewer is None:
        return False
    if viewer.is_staff_in(cohort_id):
        return True
    return await active_enrollment(session, user_id=viewer.user_id, cohort_id=cohort_id) is not None


async def require_program_access(
    session: AsyncSession, viewer: Viewer | None, cohort_id: int
) -> Viewer:
    viewer = require_viewer(viewer)
    if not await can_access_program(session, viewer, cohort_id):
        raise DomainError(Code.NOT_ENROLLED, "Enroll in this program to see it.")
    return viewer
