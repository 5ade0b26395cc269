"""Issuing course and program certificates exactly once, and listing a user's certificates.

Issuance runs inside the caller's transaction (the lesson completion that earned it). The
``scope_key`` unique index is what makes "exactly once" hold; the check before the insert only
saves a failed statement in the common case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Cohort, Course
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.numbers import new_certificate_number

COURSE = "course"
PROGRAM = "program"
ISSUED = "issued"
REVOKED = "revoked"

# A fresh 60-bit number colliding even once is astronomically unlikely; three tries is plenty.
NUMBER_ATTEMPTS = 3


def course_scope_key(user_id: int, course_id: int) -> str:
    return f"course:{user_id}:{course_id}"


def program_scope_key(user_id: int, cohort_id: int) -> str:
    return f"program:{user_id}:{cohort_id}"


@dataclass(frozen=True)
class CertificateRow:
    """What the API shows of a certificate, as plain values (cacheable)."""

    id: int
    type: str
    status: str
    number: str
    issued_at: datetime
    course_id: int | None
    cohort_id: int | None

    @classmethod
    def from_model(cls, certificate: Certificate) -> CertificateRow:
        return cls(
            id=certificate.id,
            type=certificate.type,
            status=certificate.status,
            number=certificate.certificate_number,
            issued_at=certificate.issued_at_utc,
            course_id=certificate.course_id,
            cohort_id=certificate.cohort_id,
        )


async def _scope_taken(session: AsyncSession, scope_key: str) -> bool:
    found = await session.scalar(select(Certificate.id).where(Certificate.scope_key == scope_key))
    return found is not None


async def issue_once(
    session: AsyncSession,
    *,
    user_id: int,
    cohort_id: int,
    course_id: int | None,
    now: datetime,
) -> Certificate | None:
    """Issues the course (``course_id`` given) or program certificate unless it exists.

    Returns the new certificate, or None when this scope already had one (issued earlier or by
    a concurrent transaction). Course certificates also record the program they were earned in.
    """
    kind = PROGRAM if course_id is None else COURSE
    scope_key = (
        program_scope_key(user_id, cohort_id)
        if course_id is None
        else course_scope_key(user_id, course_id)
    )
    if await _scope_taken(session, scope_key):
        return None
    for _ in range(NUMBER_ATTEMPTS):
        certificate = Certificate(
            user_id=user_id,
            cohort_id=cohort_id,
            course_id=course_id,
            type=kind,
            status=ISSUED,
            scope_key=scope_key,
            certificate_number=new_certificate_number(),
            issued_at_utc=now,
        )
        try:
            # A savepoint: a duplicate must not spoil the completion's transaction.
            async with session.begin_nested():
                session.add(certificate)
        except IntegrityError:
            if await _scope_taken(session, scope_key):
                return None
            continue  # the number collided: draw another
        return certificate
    raise RuntimeError("could not draw a unique certificate number")


async def certificates_of_user(
    session: AsyncSession, user_id: int
) -> list[tuple[Certificate, Cohort | None, Course | None]]:
    """The user's certificates, newest first, with their program and course (one statement)."""
    rows = await session.execute(
        select(Certificate, Cohort, Course)
        .outerjoin(Cohort, Cohort.id == Certificate.cohort_id)
        .outerjoin(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at_utc.desc(), Certificate.id.desc())
    )
    return [(certificate, cohort, course) for certificate, cohort, course in rows]
