"""billingStatus: a user's enrollment status and latest payment in a program, cached."""

from __future__ import annotations

import json

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.catalog.service import get_program
from edxelera_gql.enrollment import rows
from edxelera_gql.enrollment.eligibility import program_not_found
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment, PaymentTransaction
from edxelera_gql.enrollment.read_models import Billing, PaymentFacts
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache


async def billing_status(
    session: AsyncSession,
    *,
    slug: str,
    viewer: Viewer,
    cache: Cache,
    ttl_seconds: int,
) -> Billing:
    program = await get_program(session, slug, include_unpublished=True)
    if program is None or not (program.published or viewer.is_staff_in(program.id)):
        raise program_not_found(slug)
    return await billing_of(
        session, program=program, user_id=viewer.user_id, cache=cache, ttl_seconds=ttl_seconds
    )


async def billing_of(
    session: AsyncSession,
    *,
    program: ProgramFacts,
    user_id: int,
    cache: Cache,
    ttl_seconds: int,
) -> Billing:
    """Cached per user and program under that pair's cache version, which every enrollment or
    payment change bumps after its commit."""
    scope = versions.viewer_program_scope(user_id, program.id)
    key = f"billing:{user_id}:{program.id}:{await versions.current(cache, scope)}"
    cached = await cache.get(key)
    if cached is not None:
        data = json.loads(cached)
        payment = PaymentFacts.from_json(data["payment"]) if data["payment"] else None
        status = EnrollmentStatus(data["status"]) if data["status"] else None
        return Billing(program, status, payment)

    enrollment_status = (
        select(Enrollment.status)
        .where(Enrollment.user_id == user_id, Enrollment.cohort_id == program.id)
        .scalar_subquery()
    )
    latest_id = rows.latest_transaction_id(user_id, program.id)
    # One row whatever exists: the program's, with the latest transaction joined if any.
    status, tx = (
        await session.execute(
            select(enrollment_status, PaymentTransaction)
            .select_from(Cohort)
            .outerjoin(PaymentTransaction, and_(PaymentTransaction.id == latest_id))
            .where(Cohort.id == program.id)
        )
    ).one()
    payment = rows.payment_facts(tx) if tx is not None else None
    await cache.set(
        key,
        json.dumps({"status": status, "payment": payment.to_json() if payment else None}),
        ttl_seconds,
    )
    return Billing(program, EnrollmentStatus(status) if status else None, payment)
