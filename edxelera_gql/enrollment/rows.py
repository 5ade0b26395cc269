"""Row-level steps the payment services share: locking, activating and revoking enrollments,
locking transactions, and the read models of those rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.db import outbox
from edxelera_gql.db import versions as db_versions
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment.enums import EnrollmentSource, EnrollmentStatus, PaymentStatus
from edxelera_gql.enrollment.models import Enrollment, PaymentTransaction
from edxelera_gql.enrollment.read_models import EnrollmentFacts, PaymentFacts
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache


def enrollment_facts(enrollment: Enrollment) -> EnrollmentFacts:
    return EnrollmentFacts(
        id=enrollment.id,
        status=EnrollmentStatus(enrollment.status),
        enrolled_at=enrollment.enrolled_at_utc,
        source=enrollment.source,
    )


def payment_facts(tx: PaymentTransaction) -> PaymentFacts:
    return PaymentFacts(
        reference=tx.reference,
        amount_minor=tx.amount_minor,
        currency=tx.currency,
        status=PaymentStatus(tx.status),
        channel=tx.channel,
        paid_at=tx.paid_at_utc,
        verified_at=tx.verified_at_utc,
        created_at=tx.created_at,
    )


def latest_transaction_id(user_id: int, cohort_id: int) -> Any:
    """A scalar subquery: the id of the user's most recent transaction in the program."""
    # An alias, so the subquery is not correlated with the outer query's payment_transactions.
    inner = aliased(PaymentTransaction)
    return (
        select(inner.id)
        .where(inner.user_id == user_id, inner.cohort_id == cohort_id)
        .order_by(inner.created_at.desc(), inner.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def bump_after_commit(uow: UnitOfWork, cache: Cache, user_id: int, cohort_id: int) -> None:
    """What the viewer sees of the program changed: the version's row now, in the transaction;
    readers drop their cached answers once the change is committed."""
    await db_versions.bump_in(uow, cache, versions.viewer_program_scope(user_id, cohort_id))


async def upsert_enrollment(
    session: AsyncSession, *, user_id: int, cohort_id: int, source: str, now: datetime
) -> None:
    """Creates the viewer's enrollment row if missing (pending payment); either way the row is
    then locked by this transaction (the insert's own lock, or the no-op update's).

    An upsert, so concurrent callers queue on the row instead of deadlocking over a gap lock
    (``SELECT ... FOR UPDATE`` on a missing row, then two INSERTs, deadlocks on InnoDB).
    """
    values = {
        "user_id": user_id,
        "cohort_id": cohort_id,
        "status": EnrollmentStatus.PENDING_PAYMENT.value,
        "source": source,
        "created_at": now,
        "updated_at": now,
    }
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        upsert = mysql.insert(Enrollment).values(**values)
        # A no-op update: takes the row's exclusive lock when it already exists.
        upsert = upsert.on_duplicate_key_update(user_id=upsert.inserted.user_id)
        await session.execute(upsert)
    else:
        await session.execute(
            sqlite.insert(Enrollment)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "cohort_id"])
        )


async def lock_enrollment(
    session: AsyncSession,
    *,
    user_id: int,
    cohort_id: int,
    source: str,
    now: datetime,
    likely_exists: bool = False,
) -> Enrollment:
    """The viewer's enrollment row, created if missing, locked until the transaction ends.

    ``likely_exists`` (a payment's verdict: its checkout created the row) locks it with one
    statement and creates it only when missing. Only in a READ COMMITTED transaction: there a
    locking read of a missing row takes no gap lock, so two such transactions cannot deadlock
    on the insert that follows."""
    lock = (
        select(Enrollment)
        .where(Enrollment.user_id == user_id, Enrollment.cohort_id == cohort_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if likely_exists:
        found = (await session.scalars(lock)).one_or_none()
        if found is not None:
            return found
    await upsert_enrollment(session, user_id=user_id, cohort_id=cohort_id, source=source, now=now)
    return (await session.scalars(lock)).one()


def activate(enrollment: Enrollment, *, source: str, reference: str | None, now: datetime) -> bool:
    """Makes the (locked) enrollment active; True when it was not active before."""
    became_active = enrollment.status != EnrollmentStatus.ACTIVE
    if became_active:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.enrolled_at_utc = now
    enrollment.source = source
    if reference is not None:
        enrollment.payment_reference = reference
    enrollment.updated_at = now
    return became_active


async def queue_confirmation(
    session: AsyncSession,
    enrollment: Enrollment,
    *,
    amount_minor: int,
    currency: str,
    reference: str | None,
    now: datetime,
) -> None:
    """The "you're enrolled" email with its receipt, in the activating transaction: it goes
    out once that commits, and never for an activation that rolled back."""
    await session.flush()  # the enrollment's id, when the row was made in this transaction
    await outbox.add(
        session, outbox.NotificationKind.ENROLLMENT_CONFIRMED, user_id=enrollment.user_id,
        subject_id=enrollment.id, cohort_id=enrollment.cohort_id, now=now,
        payload={"amount_minor": amount_minor, "currency": currency, "reference": reference},
    )  # fmt: skip


def revoke(enrollment: Enrollment, reference: str, now: datetime) -> None:
    # Only the payment that granted access takes it away (a second, duplicate payment's
    # refund leaves the first one's access alone).
    if enrollment.status == EnrollmentStatus.ACTIVE and enrollment.payment_reference == reference:
        enrollment.status = EnrollmentStatus.REFUNDED
        enrollment.updated_at = now


async def lock_transaction(session: AsyncSession, reference: str) -> PaymentTransaction | None:
    return (
        await session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.reference == reference)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one_or_none()


async def drop_enrollment_without_checkout(session: AsyncSession, enrollment: Enrollment) -> None:
    """No half-made enrollment: a pending one stays only once some checkout was opened for it
    (the payer may still complete that one)."""
    if enrollment.status != EnrollmentStatus.PENDING_PAYMENT:
        return
    opened = await session.scalar(
        select(
            exists().where(
                PaymentTransaction.user_id == enrollment.user_id,
                PaymentTransaction.cohort_id == enrollment.cohort_id,
                PaymentTransaction.status != PaymentStatus.INIT_FAILED,
            )
        )
    )
    if not opened:
        await session.delete(enrollment)


PAYSTACK = EnrollmentSource.PAYSTACK.value
FREE = EnrollmentSource.FREE.value
