"""initPayment: enroll in a free program at once, or open (or reuse) one Paystack checkout.

No transaction stays open across the Paystack call: the checkout is *reserved* (the enrollment
row locked just long enough to insert a transaction marked as opening), committed, opened with
Paystack, then *applied* (the checkout URL recorded, or the reservation marked failed). A second
call that arrives while a checkout is opening waits for that one's outcome instead of opening
another payment, so a double click still yields one checkout.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment import rows, rules
from edxelera_gql.enrollment.eligibility import MAX_SLUG_LENGTH, load_context, program_not_found
from edxelera_gql.enrollment.enums import EnrollmentStatus, PaymentStatus
from edxelera_gql.enrollment.models import Enrollment, PaymentTransaction
from edxelera_gql.enrollment.paystack import (
    InitializedTransaction,
    PaystackClient,
    PaystackRejected,
    PaystackUnavailable,
)
from edxelera_gql.enrollment.read_models import EnrollmentFacts, PaymentStarted
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

OPENING = "opening"  # provider_payload marker of a reserved checkout not opened yet
POLL_SECONDS = 0.05
# Per viewer: enough to retry a checkout, not to open them in bulk.
INIT_RATE = Rule(limit=20, window_seconds=60)

_UNAVAILABLE = "The payment provider is unavailable. Nothing was charged; try again shortly."


@dataclass(frozen=True)
class Checkout:
    """Everything ``init_payment`` needs besides the viewer and the program."""

    sessionmaker: async_sessionmaker[AsyncSession]
    cache: Cache
    paystack: PaystackClient
    callback_url: str
    reuse_seconds: int
    # How long a reservation may take to open before others stop waiting for it.
    opening_seconds: float

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        cache: Cache,
        paystack: PaystackClient,
    ) -> Checkout:
        return cls(
            sessionmaker=sessionmaker,
            cache=cache,
            paystack=paystack,
            callback_url=settings.effective_paystack_callback_url(),
            reuse_seconds=settings.payment_reuse_seconds,
            # Paystack's client retries once: two timeouts and a margin.
            opening_seconds=2 * settings.paystack_timeout_seconds + 5,
        )


@dataclass(frozen=True)
class _Reserved:
    enrollment: EnrollmentFacts
    reference: str
    started: PaymentStarted | None = None  # set when an open checkout was reused
    waiting: bool = False  # another call is opening this reference


def checkout_url(tx: PaymentTransaction) -> str | None:
    payload = tx.provider_payload if isinstance(tx.provider_payload, dict) else {}
    url = payload.get("authorization_url")
    return url if isinstance(url, str) else None


def _is_opening(tx: PaymentTransaction, now: datetime, opening_seconds: float) -> bool:
    payload = tx.provider_payload if isinstance(tx.provider_payload, dict) else {}
    return (
        tx.status == PaymentStatus.INITIALIZED
        and payload.get(OPENING) is True
        and now - tx.created_at < timedelta(seconds=opening_seconds)
    )


async def init_payment(
    checkout: Checkout, *, viewer: Viewer, slug: str, now: datetime
) -> PaymentStarted:
    """Enrollment and payment: checks the window, enrolls free programs at once,
    and opens (or reuses) one Paystack checkout for paid ones."""
    slug = slug.strip()
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        raise DomainError(Code.INVALID_INPUT, "A program slug is required.", field="programSlug")
    await enforce(
        checkout.cache, limit_key("init-payment", str(viewer.user_id)), INIT_RATE, now=now
    )
    async with checkout.sessionmaker() as session:
        context = await load_context(session, slug, viewer)
    if context is None:
        raise program_not_found(slug, field="programSlug")
    verdict = rules.eligibility(
        now, context.program, signed_in=True, enrollment_status=context.enrollment_status
    )
    if not verdict.allowed:
        raise rules.refusal(verdict.reason or Code.ENROLLMENT_CLOSED).error()
    if context.program.is_free:
        return await _enroll_free(checkout, viewer.user_id, context.program, now)
    reserved = await _reserve(checkout, viewer.user_id, context.program, now)
    if reserved.started is not None:
        return reserved.started
    if reserved.waiting:
        return await _wait_for(checkout, reserved)
    opened = await _open(checkout, reserved.reference, context.program, context.email, viewer)
    await _apply(checkout, reserved.reference, opened, now)
    if isinstance(opened, str):
        raise DomainError(Code.PAYMENT_PROVIDER_UNAVAILABLE, _UNAVAILABLE)
    return PaymentStarted(reserved.enrollment, opened.authorization_url, reserved.reference)


async def _enroll_free(
    checkout: Checkout, user_id: int, program: ProgramFacts, now: datetime
) -> PaymentStarted:
    async with UnitOfWork(checkout.sessionmaker) as uow:
        enrollment = await rows.lock_enrollment(
            uow.session, user_id=user_id, cohort_id=program.id, source=rows.FREE, now=now
        )
        if rows.activate(enrollment, source=rows.FREE, reference=None, now=now):
            await rows.queue_confirmation(
                uow.session, enrollment, amount_minor=0, currency=program.currency,
                reference=None, now=now,
            )  # fmt: skip
        await uow.session.flush()
        facts = rows.enrollment_facts(enrollment)
        await rows.bump_after_commit(uow, checkout.cache, user_id, program.id)
    return PaymentStarted(facts, None, None)


async def _lock_with_latest(
    session: AsyncSession, *, user_id: int, program: ProgramFacts, now: datetime
) -> tuple[Enrollment, PaymentTransaction | None]:
    """The enrollment row (created if missing, and locked by the upsert) and the latest
    transaction of this user in this program, read in one statement after it.

    The transaction row is read, not locked: the webhook locks transaction then enrollment,
    so locking both here would invite a deadlock. READ COMMITTED (the caller's unit of work)
    makes the read see what the previous holder of the enrollment lock committed.
    """
    await rows.upsert_enrollment(
        session, user_id=user_id, cohort_id=program.id, source=rows.PAYSTACK, now=now
    )
    latest_id = rows.latest_transaction_id(user_id, program.id)
    enrollment, latest = (
        await session.execute(
            select(Enrollment, PaymentTransaction)
            .outerjoin(PaymentTransaction, PaymentTransaction.id == latest_id)
            .where(Enrollment.user_id == user_id, Enrollment.cohort_id == program.id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return enrollment, latest


async def _reserve(
    checkout: Checkout, user_id: int, program: ProgramFacts, now: datetime
) -> _Reserved:
    """Under the enrollment row's lock: refuse a second enrollment, reuse an open checkout,
    wait for one being opened, or insert a new transaction marked as opening.

    The enrollment waits for payment from here on; what it was before (a refunded one, say) is
    kept in the reservation, so a failed opening puts it back.
    """
    async with UnitOfWork(checkout.sessionmaker, read_committed=True) as uow:
        session = uow.session
        enrollment, latest = await _lock_with_latest(
            session, user_id=user_id, program=program, now=now
        )
        if enrollment.status == EnrollmentStatus.ACTIVE:
            raise rules.refusal(Code.ALREADY_ENROLLED).error()
        if latest is not None and _is_opening(latest, now, checkout.opening_seconds):
            return _Reserved(rows.enrollment_facts(enrollment), latest.reference, waiting=True)
        if latest is not None and rules.can_reuse_transaction(
            status=latest.status,
            created_at=latest.created_at,
            amount_minor=latest.amount_minor,
            currency=latest.currency,
            has_checkout_url=checkout_url(latest) is not None,
            price_minor=program.price_minor,
            price_currency=program.currency,
            now=now,
            reuse_seconds=checkout.reuse_seconds,
        ):
            facts = rows.enrollment_facts(enrollment)
            started = PaymentStarted(facts, checkout_url(latest), latest.reference, reused=True)
            return _Reserved(facts, latest.reference, started=started)
        reference = rules.make_reference(secrets.token_hex(12))
        before = {"status": enrollment.status, "source": enrollment.source}
        changed = before != {"status": EnrollmentStatus.PENDING_PAYMENT, "source": rows.PAYSTACK}
        session.add(
            PaymentTransaction(
                user_id=user_id,
                cohort_id=program.id,
                provider="paystack",
                reference=reference,
                amount_minor=program.price_minor,
                currency=program.currency,
                status=PaymentStatus.INITIALIZED,
                provider_payload={OPENING: True, "restore": before if changed else None},
                created_at=now,
                updated_at=now,
            )
        )
        if changed:
            enrollment.status = EnrollmentStatus.PENDING_PAYMENT
            enrollment.source = rows.PAYSTACK
            enrollment.updated_at = now
        await session.flush()
        await rows.bump_after_commit(uow, checkout.cache, user_id, program.id)
        return _Reserved(rows.enrollment_facts(enrollment), reference)


async def _open(
    checkout: Checkout, reference: str, program: ProgramFacts, email: str | None, viewer: Viewer
) -> InitializedTransaction | str:
    """Paystack's checkout for the reservation, or why Paystack failed."""
    try:
        return await checkout.paystack.initialize(
            email=email or "",
            amount_minor=program.price_minor,
            currency=program.currency,
            reference=reference,
            callback_url=checkout.callback_url,
            metadata={
                "user_id": viewer.user_id,
                "cohort_id": program.id,
                "program_slug": program.slug,
            },
        )
    except (PaystackUnavailable, PaystackRejected) as exc:
        log.error(
            "paystack initialize failed",
            extra={"reference": reference, "cohort_id": program.id, "error": str(exc)},
        )
        return str(exc)[:300] or type(exc).__name__


async def _apply(
    checkout: Checkout, reference: str, opened: InitializedTransaction | str, now: datetime
) -> None:
    """Records the checkout URL (one statement), or marks the reservation failed."""
    if isinstance(opened, str):
        await _fail_reservation(checkout, reference, opened, now)
        return
    async with UnitOfWork(checkout.sessionmaker) as uow:
        # Only while still initialized: a verdict applied meanwhile keeps its own payload.
        await uow.session.execute(
            update(PaymentTransaction)
            .where(
                PaymentTransaction.reference == reference,
                PaymentTransaction.status == PaymentStatus.INITIALIZED,
            )
            .values(
                provider_payload={
                    "authorization_url": opened.authorization_url,
                    "access_code": opened.access_code,
                },
                updated_at=now,
            )
        )


async def _fail_reservation(checkout: Checkout, reference: str, error: str, now: datetime) -> None:
    """The transaction is marked failed, and the enrollment goes back to what it was (or away,
    when it was made for this checkout and no other backs it)."""
    async with UnitOfWork(checkout.sessionmaker) as uow:
        session = uow.session
        tx = await rows.lock_transaction(session, reference)
        if tx is None:  # pragma: no cover - reservations are never deleted
            return
        payload = tx.provider_payload if isinstance(tx.provider_payload, dict) else {}
        restore = payload.get("restore")
        tx.status = PaymentStatus.INIT_FAILED
        tx.provider_payload = {"error": error}
        tx.updated_at = now
        enrollment = await rows.lock_enrollment(
            session, user_id=tx.user_id, cohort_id=tx.cohort_id, source=rows.PAYSTACK, now=now
        )
        await session.flush()
        if isinstance(restore, dict) and enrollment.status == EnrollmentStatus.PENDING_PAYMENT:
            enrollment.status = restore["status"]
            enrollment.source = restore["source"]
            enrollment.updated_at = now
        else:
            await rows.drop_enrollment_without_checkout(session, enrollment)
        await rows.bump_after_commit(uow, checkout.cache, tx.user_id, tx.cohort_id)


async def _wait_for(checkout: Checkout, reserved: _Reserved) -> PaymentStarted:
    """Another call is opening this checkout: answer with its URL once it is recorded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + checkout.opening_seconds
    while loop.time() < deadline:
        async with checkout.sessionmaker() as session:
            tx = await session.scalar(
                select(PaymentTransaction).where(PaymentTransaction.reference == reserved.reference)
            )
        if tx is not None and (url := checkout_url(tx)) is not None:
            return PaymentStarted(reserved.enrollment, url, reserved.reference, reused=True)
        if tx is None or tx.status != PaymentStatus.INITIALIZED:
            break
        await asyncio.sleep(POLL_SECONDS)
    raise DomainError(Code.PAYMENT_PROVIDER_UNAVAILABLE, _UNAVAILABLE)
