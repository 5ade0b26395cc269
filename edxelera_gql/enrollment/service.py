"""Enrollment and payments: eligibility, initPayment, verifyPayment, the webhook's effects,
refunds and billing status.

The services take a fresh ``session`` and own its transactions, because a payment never holds
a database transaction open across a Paystack call it can avoid (verify happens before the row
is locked) and caches are bumped only after a commit. Outcomes are returned as values
(``PaymentError`` for expected failures), never raised, so callers can answer every case.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, literal, select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort, Week
from edxelera_gql.enrollment import rules
from edxelera_gql.enrollment.models import Enrollment, PaymentEvent, PaymentTransaction
from edxelera_gql.enrollment.paystack import (
    PaystackClient,
    PaystackRejected,
    PaystackUnavailable,
    Verification,
)
from edxelera_gql.errors import DomainError
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache

log = logging.getLogger(__name__)

MAX_SLUG_LENGTH = 100


@dataclass(frozen=True)
class PaymentError:
    code: str
    message: str
    field: str | None = None


# -- the program as eligibility sees it ---------------------------------------------------------


@dataclass(frozen=True)
class ProgramFacts:
    cohort: Cohort
    window: rules.ProgramWindow
    enrollment_status: str | None
    email: str | None


async def load_program_facts(
    session: AsyncSession, slug: str, viewer: Viewer | None
) -> ProgramFacts | None:
    """The program, week 2's release, the viewer's enrollment status and email, in one statement.

    None when the slug is unknown, or unpublished and the viewer is not staff (as ``program``).
    """
    week_two = (
        select(Week.release_at_utc)
        .where(Week.cohort_id == Cohort.id, Week.week_number == 2)
        .scalar_subquery()
    )
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
        await session.execute(select(Cohort, week_two, status, email).where(Cohort.slug == slug))
    ).one_or_none()
    if row is None:
        return None
    cohort, week_two_release, enrollment_status, viewer_email = row
    if not cohort.published and not (viewer is not None and viewer.is_staff):
        return None
    window = rules.ProgramWindow(
        published=cohort.published,
        start_at=cohort.start_at_utc,
        end_at=cohort.end_at_utc,
        close_hours_before_start=cohort.enrollment_close_hours_before_start,
        late_join_enabled=cohort.late_join_enabled,
        late_join_days=cohort.late_join_days,
        week_two_release_at=week_two_release,
    )
    return ProgramFacts(cohort, window, enrollment_status, viewer_email)


def _not_found(slug: str) -> DomainError:
    return DomainError("NOT_FOUND", f"No program {slug!r}.")


async def can_enroll(
    session: AsyncSession, *, slug: str, viewer: Viewer | None, now: datetime
) -> rules.Eligibility:
    facts = await load_program_facts(session, slug, viewer)
    if facts is None:
        raise _not_found(slug)
    return rules.eligibility(
        now, facts.window, signed_in=viewer is not None, enrollment_status=facts.enrollment_status
    )


_REASON_MESSAGES = {
    rules.NOT_PUBLISHED: "This program is not published.",
    rules.ALREADY_ENROLLED: "You are already enrolled in this program.",
    rules.PROGRAM_ENDED: "This program has ended.",
    rules.ENROLLMENT_CLOSED: "Enrollment for this program has closed.",
    rules.LATE_JOIN_WINDOW_EXPIRED: "The late-join window for this program has closed.",
    rules.WEEK_TWO_UNLOCKED: "Enrollment closed when week 2 was released.",
    rules.SIGN_IN_REQUIRED: "Sign in to enroll.",
}


# -- enrollment rows ----------------------------------------------------------------------------


async def _lock_enrollment(
    session: AsyncSession, *, user_id: int, cohort_id: int, source: str, now: datetime
) -> Enrollment:
    """The viewer's enrollment row, created if missing, locked until the transaction ends.

    An upsert first, so concurrent callers queue on the row instead of deadlocking over a gap
    lock (``SELECT ... FOR UPDATE`` on a missing row, then two INSERTs, deadlocks on InnoDB).
    """
    values = {
        "user_id": user_id,
        "cohort_id": cohort_id,
        "status": rules.PENDING_PAYMENT,
        "source": source,
        "created_at": now,
        "updated_at": now,
    }
    if session.bind.dialect.name in ("mysql", "mariadb"):
        upsert = mysql.insert(Enrollment).values(**values)
        # A no-op update: takes the row's exclusive lock when it already exists.
        upsert = upsert.on_duplicate_key_update(user_id=upsert.inserted.user_id)
    else:
        upsert = (
            sqlite.insert(Enrollment)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "cohort_id"])
        )
    await session.execute(upsert)
    return (
        await session.scalars(
            select(Enrollment)
            .where(Enrollment.user_id == user_id, Enrollment.cohort_id == cohort_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()


def _activate(enrollment: Enrollment, *, source: str, reference: str | None, now: datetime) -> None:
    if enrollment.status != rules.ACTIVE:
        enrollment.status = rules.ACTIVE
        enrollment.enrolled_at_utc = now
    enrollment.source = source
    if reference is not None:
        enrollment.payment_reference = reference
    enrollment.updated_at = now


async def _bump(cache: Cache, user_id: int, cohort_id: int) -> None:
    await versions.bump(cache, versions.viewer_program_scope(user_id, cohort_id))


# -- initPayment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStarted:
    enrollment: Enrollment
    authorization_url: str | None
    reference: str | None
    reused: bool = False


async def _latest_transaction(
    session: AsyncSession, *, user_id: int, cohort_id: int
) -> PaymentTransaction | None:
    return (
        await session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.user_id == user_id, PaymentTransaction.cohort_id == cohort_id)
            .order_by(PaymentTransaction.created_at.desc(), PaymentTransaction.id.desc())
            .limit(1)
        )
    ).first()


def _checkout_url(tx: PaymentTransaction) -> str | None:
    payload = tx.provider_payload if isinstance(tx.provider_payload, dict) else {}
    url = payload.get("authorization_url")
    return url if isinstance(url, str) else None


async def init_payment(
    session: AsyncSession,
    *,
    slug: str,
    viewer: Viewer,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
    callback_url: str,
    reuse_seconds: int,
) -> PaymentStarted | PaymentError:
    """product.md "Enrollment and payment": checks the window, enrolls free programs at once,
    and opens (or reuses) one Paystack checkout for paid ones."""
    slug = slug.strip()
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        return PaymentError("INVALID_INPUT", "A program slug is required.", "programSlug")
    async with session.begin():
        facts = await load_program_facts(session, slug, viewer)
    if facts is None:
        return PaymentError("NOT_FOUND", f"No program {slug!r}.", "programSlug")
    verdict = rules.eligibility(
        now, facts.window, signed_in=True, enrollment_status=facts.enrollment_status
    )
    if not verdict.allowed:
        reason = verdict.reason or rules.ENROLLMENT_CLOSED
        return PaymentError(reason, _REASON_MESSAGES[reason], "programSlug")
    cohort = facts.cohort
    user_id = viewer.user_id

    if cohort.price_minor <= 0:
        async with session.begin():
            enrollment = await _lock_enrollment(
                session, user_id=user_id, cohort_id=cohort.id, source="free", now=now
            )
            _activate(enrollment, source="free", reference=None, now=now)
        await _bump(cache, user_id, cohort.id)
        return PaymentStarted(enrollment, None, None)

    # The enrollment row stays locked during the initialize call: a double click waits here
    # and then reuses the checkout this call opens, instead of opening a second payment.
    async with session.begin():
        enrollment = await _lock_enrollment(
            session, user_id=user_id, cohort_id=cohort.id, source="paystack", now=now
        )
        if enrollment.status == rules.ACTIVE:
            return PaymentError(
                rules.ALREADY_ENROLLED, _REASON_MESSAGES[rules.ALREADY_ENROLLED], "programSlug"
            )
        latest = await _latest_transaction(session, user_id=user_id, cohort_id=cohort.id)
        if latest is not None and rules.can_reuse_transaction(
            status=latest.status,
            created_at=latest.created_at,
            amount_minor=latest.amount_minor,
            currency=latest.currency,
            has_checkout_url=_checkout_url(latest) is not None,
            price_minor=cohort.price_minor,
            price_currency=cohort.currency,
            now=now,
            reuse_seconds=reuse_seconds,
        ):
            return PaymentStarted(enrollment, _checkout_url(latest), latest.reference, reused=True)

        reference = rules.make_reference(secrets.token_hex(12))
        tx = PaymentTransaction(
            user_id=user_id,
            cohort_id=cohort.id,
            provider="paystack",
            reference=reference,
            amount_minor=cohort.price_minor,
            currency=cohort.currency,
            created_at=now,
            updated_at=now,
        )
        try:
            opened = await paystack.initialize(
                email=facts.email or "",
                amount_minor=cohort.price_minor,
                currency=cohort.currency,
                reference=reference,
                callback_url=callback_url,
                metadata={"user_id": user_id, "cohort_id": cohort.id, "program_slug": cohort.slug},
            )
        except (PaystackUnavailable, PaystackRejected) as exc:
            log.error(
                "paystack initialize failed",
                extra={"reference": reference, "cohort_id": cohort.id, "error": str(exc)},
            )
            tx.status = rules.INIT_FAILED
            tx.provider_payload = {"error": str(exc)[:300]}
            session.add(tx)
            await _drop_enrollment_without_checkout(session, enrollment)
            failed = True
        else:
            tx.status = rules.INITIALIZED
            tx.provider_payload = {
                "authorization_url": opened.authorization_url,
                "access_code": opened.access_code,
            }
            session.add(tx)
            if enrollment.status != rules.PENDING_PAYMENT:
                enrollment.status = rules.PENDING_PAYMENT
            enrollment.source = "paystack"
            enrollment.updated_at = now
            failed = False
    await _bump(cache, user_id, cohort.id)
    if failed:
        return PaymentError(
            "PAYMENT_PROVIDER_UNAVAILABLE",
            "The payment provider is unavailable. Nothing was charged; try again shortly.",
        )
    return PaymentStarted(enrollment, opened.authorization_url, reference)


async def _drop_enrollment_without_checkout(session: AsyncSession, enrollment: Enrollment) -> None:
    """No half-made enrollment: a pending one stays only once some checkout was opened for it
    (the payer may still complete that one)."""
    if enrollment.status != rules.PENDING_PAYMENT:
        return
    opened = await session.scalar(
        select(
            exists().where(
                PaymentTransaction.user_id == enrollment.user_id,
                PaymentTransaction.cohort_id == enrollment.cohort_id,
                PaymentTransaction.status != rules.INIT_FAILED,
            )
        )
    )
    if not opened:
        await session.delete(enrollment)


# -- applying a verified payment (callback and webhook) -----------------------------------------


@dataclass(frozen=True)
class EventRecord:
    """A webhook delivery to record in ``payment_events`` with its effect."""

    event: str
    dedupe_key: str
    reference: str | None
    payload: str
    received_at: datetime


@dataclass(frozen=True)
class Applied:
    status: str | None  # the transaction's status afterwards; None if the reference is unknown
    user_id: int | None
    cohort_id: int | None
    changed: bool
    # What payment_events records: the new status, "unchanged:<status>", "unknown_reference",
    # or "duplicate" (another delivery with the same dedupe key won).
    outcome: str


DUPLICATE = Applied(None, None, None, changed=False, outcome="duplicate")
UNKNOWN = Applied(None, None, None, changed=False, outcome="unknown_reference")


def _applied(tx: PaymentTransaction, decision: rules.PaymentDecision) -> Applied:
    return Applied(
        tx.status,
        tx.user_id,
        tx.cohort_id,
        changed=decision.new_status is not None,
        outcome=decision.new_status or f"unchanged:{tx.status}",
    )


def _record(session: AsyncSession, record: EventRecord, outcome: str, now: datetime) -> None:
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


async def _lock_transaction(session: AsyncSession, reference: str) -> PaymentTransaction | None:
    return (
        await session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.reference == reference)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one_or_none()


async def apply_verification(
    session: AsyncSession,
    *,
    verification: Verification,
    now: datetime,
    cache: Cache,
    record: EventRecord | None = None,
) -> Applied:
    """The one idempotent function that applies what Paystack's verify said.

    In one transaction: lock the transaction row, decide (only ``data.status`` counts, and
    success needs the recorded amount and currency), update the transaction and the
    enrollment, and record the webhook delivery if there is one. Applying the same answer
    twice, or concurrently, changes nothing the second time; a concurrent duplicate delivery
    fails on the dedupe key and is reported as a duplicate.
    """
    try:
        async with session.begin():
            tx = await _lock_transaction(session, verification.reference)
            if tx is None:
                if record is not None:
                    _record(session, record, UNKNOWN.outcome, now)
                    await session.flush()
                return UNKNOWN
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
                if decision.new_status == rules.SUCCESS:
                    tx.paid_at_utc = verification.paid_at or now
            if decision.mismatch:
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
            if decision.grant or decision.revoke:
                enrollment = await _lock_enrollment(
                    session, user_id=tx.user_id, cohort_id=tx.cohort_id, source="paystack", now=now
                )
                if decision.grant:
                    _activate(enrollment, source="paystack", reference=tx.reference, now=now)
                else:
                    _revoke(enrollment, tx.reference, now)
            applied = _applied(tx, decision)
            if record is not None:
                _record(session, record, applied.outcome, now)
                await session.flush()
    except IntegrityError:
        if record is None:
            raise
        return DUPLICATE
    if applied.changed and applied.user_id is not None and applied.cohort_id is not None:
        await _bump(cache, applied.user_id, applied.cohort_id)
    return applied


def _revoke(enrollment: Enrollment, reference: str, now: datetime) -> None:
    # Only the payment that granted access takes it away (a second, duplicate payment's
    # refund leaves the first one's access alone).
    if enrollment.status == rules.ACTIVE and enrollment.payment_reference == reference:
        enrollment.status = rules.REFUNDED
        enrollment.updated_at = now


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


async def apply_refund(
    session: AsyncSession,
    *,
    reference: str,
    now: datetime,
    cache: Cache,
    record: EventRecord,
) -> Applied:
    """``refund.processed``: the transaction is reversed and the access it granted ends."""
    try:
        async with session.begin():
            tx = await _lock_transaction(session, reference)
            if tx is None:
                _record(session, record, UNKNOWN.outcome, now)
                await session.flush()
                return UNKNOWN
            decision = rules.refund_decision(tx.status)
            if decision.new_status is not None:
                tx.status = decision.new_status
                tx.updated_at = now
                enrollment = await _lock_enrollment(
                    session, user_id=tx.user_id, cohort_id=tx.cohort_id, source="paystack", now=now
                )
                _revoke(enrollment, tx.reference, now)
            applied = _applied(tx, decision)
            _record(session, record, applied.outcome, now)
            await session.flush()
    except IntegrityError:
        return DUPLICATE
    if applied.changed and applied.user_id is not None and applied.cohort_id is not None:
        await _bump(cache, applied.user_id, applied.cohort_id)
    return applied


# -- verifyPayment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    cohort: Cohort
    user_id: int  # the payment's owner (an admin may verify someone else's)
    status: str


_FINAL = frozenset({rules.SUCCESS, rules.REVERSED, rules.AMOUNT_MISMATCH})


async def verify_payment(
    session: AsyncSession,
    *,
    reference: str,
    viewer: Viewer,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
) -> Verified | PaymentError:
    """The callback path: the owner (or an admin) asks; Paystack's verify decides."""
    reference = reference.strip()
    if not rules.is_valid_reference(reference):
        return PaymentError("INVALID_INPUT", "That is not a payment reference.", "reference")
    async with session.begin():
        row = (
            await session.execute(
                select(PaymentTransaction, Cohort)
                .join(Cohort, Cohort.id == PaymentTransaction.cohort_id)
                .where(PaymentTransaction.reference == reference)
            )
        ).one_or_none()
    if row is None or (row[0].user_id != viewer.user_id and not viewer.is_admin):
        return PaymentError("NOT_FOUND", "No such payment.", "reference")
    tx, cohort = row
    status = tx.status
    # A final answer is already recorded: the same outcome again, without asking Paystack.
    if status not in _FINAL:
        try:
            verification = await paystack.verify(reference)
        except (PaystackUnavailable, PaystackRejected) as exc:
            log.warning(
                "verifyPayment: paystack unavailable",
                extra={"reference": reference, "error": str(exc)},
            )
            return PaymentError(
                "PAYMENT_PROVIDER_UNAVAILABLE",
                "The payment provider is unavailable; your payment is safe, try again shortly.",
            )
        if verification is not None:
            applied = await apply_verification(
                session, verification=verification, now=now, cache=cache
            )
            status = applied.status or status
    return Verified(cohort, tx.user_id, status)


def verification_error(status: str) -> PaymentError | None:
    """How verifyPayment reports a payment that did not grant access."""
    if status == rules.SUCCESS:
        return None
    if status == rules.AMOUNT_MISMATCH:
        return PaymentError(
            "PAYMENT_AMOUNT_MISMATCH",
            "The amount paid does not match the price; access stays closed. Contact support.",
        )
    message = {
        rules.ABANDONED: "The payment was not completed.",
        rules.FAILED: "The payment failed; nothing was charged.",
        rules.REVERSED: "This payment was refunded.",
    }.get(status, "The payment has not been completed yet.")
    return PaymentError("PAYMENT_NOT_SUCCESSFUL", message)


# -- the webhook --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookOutcome:
    outcome: str
    retry: bool = False  # answer non-200 so Paystack delivers again


async def process_webhook(
    session: AsyncSession,
    *,
    event: str,
    data: dict[str, Any],
    raw_body: bytes,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
) -> WebhookOutcome:
    """A signed delivery: recorded once under its dedupe key, together with its effect."""
    key = rules.dedupe_key(event, data, hashlib.sha256(raw_body).hexdigest())
    handled = event == rules.CHARGE_SUCCESS or event.startswith(rules.REFUND_PREFIX)
    field_name = "transaction_reference" if event.startswith(rules.REFUND_PREFIX) else "reference"
    raw_reference = data.get(field_name)
    reference = (
        raw_reference
        if handled and isinstance(raw_reference, str) and rules.is_valid_reference(raw_reference)
        else None
    )
    record = EventRecord(
        event=event,
        dedupe_key=key,
        reference=raw_reference if isinstance(raw_reference, str) else None,
        payload=raw_body.decode("utf-8", errors="replace"),
        received_at=now,
    )
    # Duplicates and deliveries without a transaction here are answered before asking Paystack.
    async with session.begin():
        seen, known = (
            await session.execute(
                select(
                    exists().where(PaymentEvent.dedupe_key == key),
                    exists().where(PaymentTransaction.reference == reference)
                    if reference
                    else literal(False),
                )
            )
        ).one()
    if seen:
        return WebhookOutcome("duplicate")
    if not handled:
        return await _record_only(session, record, "ignored", now)
    if not known:
        return await _record_only(session, record, UNKNOWN.outcome, now)
    assert reference is not None
    if event == rules.CHARGE_SUCCESS:
        try:
            # Re-verified through the API: the webhook says where to look, not what happened.
            verification = await paystack.verify(reference)
        except (PaystackUnavailable, PaystackRejected) as exc:
            # Nothing recorded, so Paystack's redelivery is not mistaken for a duplicate.
            log.warning(
                "webhook: paystack verify failed, asking for a redelivery",
                extra={"reference": reference, "error": str(exc)},
            )
            return WebhookOutcome("provider_unavailable", retry=True)
        if verification is None:
            return await _record_only(session, record, "unknown_at_provider", now)
        applied = await apply_verification(
            session, verification=verification, now=now, cache=cache, record=record
        )
        return WebhookOutcome(applied.outcome)
    if event == rules.REFUND_PROCESSED:
        applied = await apply_refund(
            session, reference=reference, now=now, cache=cache, record=record
        )
        return WebhookOutcome(applied.outcome)
    return await _record_only(session, record, "ignored", now)


async def _record_only(
    session: AsyncSession, record: EventRecord, outcome: str, now: datetime
) -> WebhookOutcome:
    """Unknown events and references: recorded so Paystack stops retrying, with no effect."""
    try:
        async with session.begin():
            _record(session, record, outcome, now)
    except IntegrityError:
        return WebhookOutcome("duplicate")
    return WebhookOutcome(outcome)


# -- refunds (admin) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundRequested:
    transaction: PaymentTransaction
    refund_status: str


async def request_refund(
    session: AsyncSession, *, reference: str, viewer: Viewer, paystack: PaystackClient
) -> RefundRequested | PaymentError:
    """Asks Paystack to refund a paid transaction; access ends when ``refund.processed``
    arrives, because only then is the money back."""
    if not viewer.is_admin:
        return PaymentError("FORBIDDEN", "Only admins may refund payments.")
    reference = reference.strip()
    if not rules.is_valid_reference(reference):
        return PaymentError("INVALID_INPUT", "That is not a payment reference.", "reference")
    async with session.begin():
        tx = await session.scalar(
            select(PaymentTransaction).where(PaymentTransaction.reference == reference)
        )
    if tx is None:
        return PaymentError("NOT_FOUND", "No such payment.", "reference")
    if tx.status != rules.SUCCESS:
        return PaymentError(
            "PAYMENT_NOT_SUCCESSFUL", "Only a successful payment can be refunded.", "reference"
        )
    try:
        refund = await paystack.refund(reference)
    except (PaystackUnavailable, PaystackRejected) as exc:
        log.error("paystack refund failed", extra={"reference": reference, "error": str(exc)})
        return PaymentError(
            "PAYMENT_PROVIDER_UNAVAILABLE", "The payment provider did not accept the refund."
        )
    log.info("refund requested", extra={"reference": reference, "refund_status": refund.status})
    return RefundRequested(tx, refund.status)


# -- billingStatus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentView:
    reference: str
    amount_minor: int
    currency: str
    status: str
    channel: str | None
    paid_at: datetime | None
    verified_at: datetime | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "reference": self.reference,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "status": self.status,
            "channel": self.channel,
            "paid_at": iso(self.paid_at),
            "verified_at": iso(self.verified_at),
            "created_at": iso(self.created_at),
        }

    @classmethod
    def from_model(cls, tx: PaymentTransaction) -> PaymentView:
        return cls(
            reference=tx.reference,
            amount_minor=tx.amount_minor,
            currency=tx.currency,
            status=tx.status,
            channel=tx.channel,
            paid_at=tx.paid_at_utc,
            verified_at=tx.verified_at_utc,
            created_at=tx.created_at,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentView:
        def parse(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            reference=data["reference"],
            amount_minor=data["amount_minor"],
            currency=data["currency"],
            status=data["status"],
            channel=data["channel"],
            paid_at=parse(data["paid_at"]),
            verified_at=parse(data["verified_at"]),
            created_at=parse(data["created_at"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Billing:
    cohort: Cohort
    enrollment_status: str | None
    last_payment: PaymentView | None


async def billing_status(
    session: AsyncSession,
    *,
    slug: str,
    user_id: int,
    include_unpublished: bool,
    cache: Cache,
    ttl_seconds: int,
    cohort: Cohort | None = None,
) -> Billing:
    """A user's enrollment status and latest payment in a program.

    Cached per user and program under that pair's cache version, which every enrollment or
    payment change bumps after its commit.
    """
    if cohort is None:
        cohort = await session.scalar(select(Cohort).where(Cohort.slug == slug))
        if cohort is None or (not cohort.published and not include_unpublished):
            raise _not_found(slug)
    scope = versions.viewer_program_scope(user_id, cohort.id)
    key = f"billing:{user_id}:{cohort.id}:{await versions.current(cache, scope)}"
    cached = await cache.get(key)
    if cached is not None:
        data = json.loads(cached)
        payment = PaymentView.from_json(data["payment"]) if data["payment"] else None
        return Billing(cohort, data["status"], payment)

    enrollment_status = (
        select(Enrollment.status)
        .where(Enrollment.user_id == user_id, Enrollment.cohort_id == cohort.id)
        .scalar_subquery()
    )
    # An alias, so the subquery is not correlated with the outer query's payment_transactions.
    inner = aliased(PaymentTransaction)
    latest_id = (
        select(inner.id)
        .where(inner.user_id == user_id, inner.cohort_id == cohort.id)
        .order_by(inner.created_at.desc(), inner.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # One row whatever exists: the program's, with the latest transaction joined if any.
    status, tx = (
        await session.execute(
            select(enrollment_status, PaymentTransaction)
            .select_from(Cohort)
            .outerjoin(PaymentTransaction, and_(PaymentTransaction.id == latest_id))
            .where(Cohort.id == cohort.id)
        )
    ).one()
    payment = PaymentView.from_model(tx) if tx is not None else None
    await cache.set(
        key,
        json.dumps({"status": status, "payment": payment.to_json() if payment else None}),
        ttl_seconds,
    )
    return Billing(cohort, status, payment)
