"""May this viewer enroll now: the program's window facts and the viewer's status, one read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.catalog.service import PROGRAM_WIDTH, program_columns, program_from_row
from edxelera_gql.enrollment import rules
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.enrollment.read_models import EnrollmentContext
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.text import quote

MAX_SLUG_LENGTH = 100


def program_not_found(slug: str, *, field: str | None = None) -> DomainError:
    return DomainError(Code.NOT_FOUND, f"No program {quote(slug)}.", field=field)


async def load_context(
    session: AsyncSession, slug: str, viewer: Viewer | None
) -> EnrollmentContext | None:
    """The program (with week 2's release), the viewer's enrollment status and email, in one
    statement. None when the slug is unknown, or unpublished and the viewer is not staff."""
    status: Any
    email: Any
    if viewer is not None:
        status = (
            select(Enrollment.status)
            .where(Enrollment.cohort_id == Cohort.id, Enrollment.user_id == viewer.user_id)
            .scalar_subquery()
        )
        email = select(User.email).where(User.id == viewer.user_id).scalar_subquery()
    else:
        status = email = literal(None)
    row = (
        await session.execute(select(*program_columns(), status, email).where(Cohort.slug == slug))
    ).one_or_none()
    if row is None:
        return None
    program = program_from_row(row)
    if not program.published and not (viewer is not None and viewer.is_staff_in(program.id)):
        return None
    enrollment_status, viewer_email = row[PROGRAM_WIDTH], row[PROGRAM_WIDTH + 1]
    return EnrollmentContext(
        program,
        EnrollmentStatus(enrollment_status) if enrollment_status else None,
        viewer_email,
    )


async def can_enroll(
    session: AsyncSession, *, slug: str, viewer: Viewer | None, now: datetime
) -> rules.Eligibility:
    context = await load_context(session, slug, viewer)
    if context is None:
        raise program_not_found(slug)
    return rules.eligibility(
        now,
        context.program,
        signed_in=viewer is not None,
        enrollment_status=context.enrollment_status,
    )
