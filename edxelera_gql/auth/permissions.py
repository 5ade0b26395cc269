"""The one place for permission checks: signed in, staff, admin, enrolled in a program.

Resolvers call these instead of inspecting roles themselves. Failures are ``DomainError``s with
the contract's codes; something that belongs to someone else is reported as NOT_FOUND.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import DomainError

ACTIVE = "active"


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise DomainError("UNAUTHENTICATED", "Sign in to continue.")
    return viewer


def require_staff(viewer: Viewer | None) -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_staff:
        raise DomainError("FORBIDDEN", "Only instructors and admins may do this.")
    return viewer


def require_admin(viewer: Viewer | None) -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_admin:
        raise DomainError("FORBIDDEN", "Only admins may do this.")
    return viewer


async def active_enrollment(
    session: AsyncSession, *, user_id: int, cohort_id: int
) -> Enrollment | None:
    enrollment = await session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.cohort_id == cohort_id)
    )
    return enrollment if enrollment is not None and enrollment.status == ACTIVE else None


async def can_access_program(session: AsyncSession, viewer: Viewer | None, cohort_id: int) -> bool:
    """Staff see every program; students only those they are actively enrolled in."""
    if viewer is None:
        return False
    if viewer.is_staff:
        return True
    return await active_enrollment(session, user_id=viewer.user_id, cohort_id=cohort_id) is not None


async def require_program_access(
    session: AsyncSession, viewer: Viewer | None, cohort_id: int
) -> Viewer:
    viewer = require_viewer(viewer)
    if not await can_access_program(session, viewer, cohort_id):
        raise DomainError("NOT_ENROLLED", "Enroll in this program to see it.")
    return viewer
