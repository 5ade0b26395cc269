"""Applying what Paystack says about a payment: the one idempotent path for the callback
(``verifyPayment``), the webhook and refunds."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.catalog.service import program_columns, program_from_row
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment import billing, rows, rules
from edxelera_gql.enrollment.enums import FINAL_PAYMENT_STATUSES, PaymentStatus
from edxelera_gql.enrollment.models import PaymentEvent, PaymentTransaction
from edxelera_gql.enrollment.paystack import (
    PaystackClient,
    PaystackRejected,
    PaystackUnavailable,
    Verification,
)
from edxelera_gql.enrollment.read_models import DUPLICATE, UNKNOWN, Applied, Billing, EventRecord
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra import singleflight
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key

log = logging.getLogger(__name__)


def _applied(tx: PaymentTransaction, decision: rules.PaymentDecision) -> Applied:
    return Applied(
        PaymentStatus(tx.status),
        tx.user_id,
        tx.cohort_id,
        changed=decision.new_status is not None,
        outcome=decision.new_status or f"unchanged:{tx.status}",
    )


def record_event(session: AsyncSession, record: EventRecord, outcome: str, now: datetime) -> None:
    session.add(
        PaymentEvent(
            event=record.event[:64],
            dedupe_key=record.dedupe_key,
            reference=record.reference
            if record.reference and len(record.reference) <= 100
            else None,
            payload=record.payload,
            received_at_utc=record.received_at,
            processed_at_utc=now,
            outcome=outcome[:40],
        )
    )


def _trimmed(data: dict[str, Any]) -> dict[str, Any]:
    """What we keep of Paystack's answer: enough to audit, without the full log history."""
    keep = (
        "id", "status", "reference", "amount", "requested_amount", "currency", "channel",
        "gateway_response", "paid_at", "created_at", "fees", "metadata",
    )  # fmt: skip
    out = {k: data.get(k) for k in keep if k in data}
    customer = data.get("customer")
    if isinstance(customer, dict):
        out["customer_code"] = customer.get("customer_code")
    return out


def _log_mismatch(tx: PaymentTransaction, verification: Verification) -> None:
    log.error(
        "PAYMENT AMOUNT MISMATCH: access stays closed",
        extra={
            "reference": tx.reference,
            "expected_amount": tx.amount_minor,
            "expected_currency": tx.currency,
            "paid_amount": verification.amount_minor,
            "paid_currency": verification.currency,
        },
    )


async def _apply_decision(
    uow: UnitOfWork, tx: PaymentTransaction, verification: Verification, now: datetime
) -> rules.PaymentDecision:
    decision = rules.decide_payment(
        recorded_status=tx.status,
        recorded_amount=tx.amount_minor,
        recorded_currency=tx.currency,
        provider_status=verification.status,
        provider_amount=verification.amount_minor,
        provider_currency=verification.currency,
    )
    if decision.new_status is not None:
        tx.status = decision.new_status
        tx.verified_at_utc = now
        tx.channel = verification.channel
        tx.provider_payload = _trimmed(verification.data)
        tx.updated_at = now
        if decision.new_status == PaymentStatus.SUCCESS:
            tx.paid_at_utc = verification.paid_at or now
    if decision.mismatch:
        _log_mismatch(tx, verification)
    if decision.grant or decision.revoke:
        enrollment = await rows.lock_enrollment(
            uow.session,
            user_id=tx.user_id,
            cohort_id=tx.cohort_id,
            source=rows.PAYSTACK,
            now=now,
            likely_exists=True,  # the checkout made it; the unit of work is READ COMMITTED
        )
        if decision.grant:
            # Already active (a second payment): no second confirmation.
            if rows.activate(enrollment, source=rows.PAYSTACK, reference=tx.reference, now=now):
                await rows.queue_confirmation(
                    uow.session, enrollment, amount_minor=tx.amount_minor,
                    currency=tx.currency, reference=tx.reference, now=now,
                )  # fmt: skip
        else:
            rows.revoke(enrollment, tx.reference, now)
    return decision


async def apply_verification(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    verification: Verification,
    now: datetime,
    cache: Cache,
    record: EventRecord | None = None,
) -> Applied:
    """The one idempotent function that applies what Paystack's verify said.

    In one unit of work: lock the transaction row, decide (only ``data.status`` counts, and
    success needs the recorded amount and currency), update the transaction and the
    enrollment, and record the webhook delivery if there is one. Applying the same answer
    twice, or concurrently, changes nothing the second time; a concurrent duplicate delivery
    fails on the dedupe key and is reported as a duplicate.
    """
    try:
        # READ COMMITTED: see rows.lock_enrollment(likely_exists=True).
        async with UnitOfWork(sessionmaker, read_committed=True) as uow:
            tx = await rows.lock_transaction(uow.session, verification.reference)
            if tx is None:
                if record is not None:
                    record_event(uow.session, record, UNKNOWN.outcome, now)
                    await uow.session.flush()
                return UNKNOWN
            applied = _applied(tx, await _apply_decision(uow, tx, verification, now))
            if record is not None:
                record_event(uow.session, record, applied.outcome, now)
                await uow.session.flush()
            if applied.changed:
                await rows.bump_after_commit(uow, cache, tx.user_id, tx.cohort_id)
    except IntegrityError:
        if record is None:
            raise
        return DUPLICATE
    return applied


async def apply_refund(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    reference: str,
    now: datetime,
    cache: Cache,
    record: EventRecord,
) -> Applied:
    """``refund.processed``: the transaction is reversed and the access it granted ends."""
    try:
        async with UnitOfWork(sessionmaker) as uow:
            session = uow.session
            tx = await rows.lock_transaction(session, reference)
            if tx is None:
                record_event(session, record, UNKNOWN.outcome, now)
                await session.flush()
                return UNKNOWN
            decision = rules.refund_decision(tx.status)
            if decision.new_status is not None:
                tx.status = decision.new_status
                tx.updated_at = now
                enrollment = await rows.lock_enrollment(
                    session,
                    user_id=tx.user_id,
                    cohort_id=tx.cohort_id,
                    source=rows.PAYSTACK,
                    now=now,
                )
                rows.revoke(enrollment, tx.reference, now)
                await rows.bump_after_commit(uow, cache, tx.user_id, tx.cohort_id)
            applied = _applied(tx, decision)
            record_event(session, record, applied.outcome, now)
            await session.flush()
    except IntegrityError:
        return DUPLICATE
    return applied


# -- verifyPayment ------------------------------------------------------------------------------


# Per viewer: a payer returning from checkout verifies once or twice, not dozens of times.
VERIFY_RATE = Rule(limit=30, window_seconds=60)
# A payment's status as Paystack last told it, reused for this long instead of asking again.
VERIFY_REUSE_SECONDS = 3
_UNAVAILABLE = "!unavailable"


async def _verify_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    paystack: PaystackClient,
    reference: str,
    status: PaymentStatus,
    now: datetime,
) -> PaymentStatus:
    """Asks Paystack and applies the answer. Verifications of one reference within
    ``VERIFY_REUSE_SECONDS`` (a double click, aliased fields, two tabs, two workers) share one
    outbound call: the others wait for its outcome, or reuse it, from the cache."""
    key = f"verify:{reference}"

    async def work() -> PaymentStatus | str:
        try:
            verification = await paystack.verify(reference)
        except (PaystackUnavailable, PaystackRejected) as exc:
            log.warning(
                "verifyPayment: paystack unavailable",
                extra={"reference": reference, "error": str(exc)},
            )
            await cache.set(f"{key}:outcome", _UNAVAILABLE, VERIFY_REUSE_SECONDS)
            return _UNAVAILABLE
        outcome = status
        if verification is not None:
            applied = await apply_verification(
                sessionmaker, verification=verification, now=now, cache=cache
            )
            outcome = applied.status or status
        await cache.set(f"{key}:outcome", outcome.value, VERIFY_REUSE_SECONDS)
        return outcome

    async def settled() -> PaymentStatus | str | None:
        raw = await cache.get(f"{key}:outcome")
        if raw is None:
            return None
        text = raw.decode()
        return text if text == _UNAVAILABLE else PaymentStatus(text)

    outcome = await settled()
    if outcome is None:
        outcome = await singleflight.run(
            cache, key, work=work, settled=settled, ttl_seconds=30, wait_seconds=15
        )
    if not isinstance(outcome, PaymentStatus):
        raise DomainError(
            Code.PAYMENT_PROVIDER_UNAVAILABLE,
            "The payment provider is unavailable; your payment is safe, try again shortly.",
        )
    return outcome


def check_reference(reference: str) -> str:
    reference = reference.strip()
    if not rules.is_valid_reference(reference):
        raise DomainError(Code.INVALID_INPUT, "That is not a payment reference.", field="reference")
    return reference


def verification_refusal(status: PaymentStatus) -> tuple[Code, str] | None:
    """How verifyPayment reports a payment that did not grant access."""
    if status == PaymentStatus.SUCCESS:
        return None
    if status == PaymentStatus.AMOUNT_MISMATCH:
        return (
            Code.PAYMENT_AMOUNT_MISMATCH,
            "The amount paid does not match the price; access stays closed. Contact support.",
        )
    message = {
        PaymentStatus.ABANDONED: "The payment was not completed.",
        PaymentStatus.FAILED: "The payment failed; nothing was charged.",
        PaymentStatus.REVERSED: "This payment was refunded.",
    }.get(status, "The payment has not been completed yet.")
    return Code.PAYMENT_NOT_SUCCESSFUL, message


async def _payment_of(
    sessionmaker: async_sessionmaker[AsyncSession], reference: str, viewer: Viewer
) -> tuple[PaymentTransaction, ProgramFacts]:
    """The payment and its program in one statement; someone else's is NOT_FOUND."""
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(PaymentTransaction, *program_columns())
                .join(Cohort, Cohort.id == PaymentTransaction.cohort_id)
                .where(PaymentTransaction.reference == reference)
            )
        ).one_or_none()
    if row is None or (row[0].user_id != viewer.user_id and not viewer.is_admin):
        raise DomainError(Code.NOT_FOUND, "No such payment.", field="reference")
    return row[0], program_from_row(row[1:])


async def verify_payment(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    reference: str,
    viewer: Viewer,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
    ttl_seconds: int,
) -> Billing:
    """The callback path: the owner (or an admin) asks; Paystack's verify decides.

    Answers the owner's billing status. A payment that did not grant access is applied and
    committed like any other, then reported as PAYMENT_NOT_SUCCESSFUL or
    PAYMENT_AMOUNT_MISMATCH, with the billing status in the error's ``billing`` detail.
    """
    reference = check_reference(reference)
    await enforce(cache, limit_key("verify-payment", str(viewer.user_id)), VERIFY_RATE, now=now)
    tx, program = await _payment_of(sessionmaker, reference, viewer)
    status = PaymentStatus(tx.status)
    # A final answer is already recorded: the same outcome again, without asking Paystack.
    if status not in FINAL_PAYMENT_STATUSES:
        status = await _verify_once(sessionmaker, cache, paystack, reference, status, now)
    async with sessionmaker() as session:
        answer = await billing.billing_of(
            session, program=program, user_id=tx.user_id, cache=cache, ttl_seconds=ttl_seconds
        )
    if (refused := verification_refusal(status)) is not None:
        raise DomainError(*refused, billing=answer)
    return answer
