"""One enrollment or payment of a user by its key (for `node(id:)`): only the owner's own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.enrollment import rows
from edxelera_gql.enrollment.models import Enrollment, PaymentTransaction
from edxelera_gql.enrollment.read_models import EnrollmentFacts, PaymentFacts


async def enrollment_of_user(
    session: AsyncSession, enrollment_id: int, user_id: int
) -> EnrollmentFacts | None:
    enrollment = await session.scalar(
        select(Enrollment).where(Enrollment.id == enrollment_id, Enrollment.user_id == user_id)
    )
    return rows.enrollment_facts(enrollment) if enrollment is not None else None


async def payment_of_user(
    session: AsyncSession, reference: str, user_id: int
) -> PaymentFacts | None:
    tx = await session.scalar(
        select(PaymentTransaction).where(
            PaymentTransaction.reference == reference, PaymentTransaction.user_id == user_id
        )
    )
    return rows.payment_facts(tx) if tx is not None else None
