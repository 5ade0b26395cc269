"""Issuing course and program certificates exactly once, and listing a user's certificates.

Issuance runs inside the caller's transaction (the lesson completion that earned it). The
``scope_key`` unique index is what makes "exactly once" hold; the check before the insert only
saves a failed statement in the common case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Cohort, Course
from edxelera_gql.catalog.read_models import CourseFacts, ProgramFacts
from edxelera_gql.catalog.service import course_facts, program_columns, program_from_row
from edxelera_gql.certificates.enums import CertificateStatus, CertificateType
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.numbers import new_certificate_number
from edxelera_gql.certificates.read_models import CertificateFacts
from edxelera_gql.db import outbox
from edxelera_gql.infra import metrics

# A fresh 60-bit number colliding even once is astronomically unlikely; three tries is plenty.
NUMBER_ATTEMPTS = 3


def course_scope_key(user_id: int, course_id: int) -> str:
    return f"course:{user_id}:{course_id}"


def program_scope_key(user_id: int, cohort_id: int) -> str:
    return f"program:{user_id}:{cohort_id}"


def certificate_facts(certificate: Certificate) -> CertificateFacts:
    return CertificateFacts(
        id=certificate.id,
        type=CertificateType(certificate.type),
        status=CertificateStatus(certificate.status),
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
    kind = CertificateType.PROGRAM if course_id is None else CertificateType.COURSE
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
            status=CertificateStatus.ISSUED,
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
        # Its email, in the same transaction: sent once the completion commits.
        await outbox.add(
            session, outbox.NotificationKind.CERTIFICATE_ISSUED, user_id=user_id,
            subject_id=certificate.id, cohort_id=cohort_id, now=now,
            payload={"certificate_number": certificate.certificate_number,
                     "certificate_type": kind.value},
        )  # fmt: skip
        metrics.CERTIFICATES_ISSUED.labels(kind.value).inc()
        return certificate
    raise RuntimeError("could not draw a unique certificate number")


async def certificates_of_user(
    session: AsyncSession, user_id: int
) -> list[tuple[CertificateFacts, ProgramFacts | None, CourseFacts | None]]:
    """The user's certificates, newest first, with their program and course (one statement)."""
    rows = await session.execute(
        select(Certificate, Course, *program_columns())
        .outerjoin(Cohort, Cohort.id == Certificate.cohort_id)
        .outerjoin(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at_utc.desc(), Certificate.id.desc())
    )
    return [
        (
            certificate_facts(row[0]),
            program_from_row(row[2:]) if row[2] is not None else None,
            course_facts(row[1]) if row[1] is not None else None,
        )
        for row in rows
    ]
