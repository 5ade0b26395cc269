"""Payments whose webhook never came: asking Paystack, and applying its verdict as the webhook
does (``paystack.verify`` then ``payments.apply_verification``, the one idempotent path), so a
webhook, a returning payer and this job racing still change the payment once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.enrollment import rules
from edxelera_gql.enrollment.models import PaymentTransaction
from edxelera_gql.enrollment.payments import apply_verification
from edxelera_gql.enrollment.paystack import PaystackClient
from edxelera_gql.infra.cache import Cache

log = logging.getLogger(__name__)

# Outcomes of one reconciliation besides the statuses apply_verification reports.
SETTLED = "settled"  # no longer pending when the job ran: nothing asked
UNKNOWN_AT_PROVIDER = "unknown_at_provider"  # the checkout was never opened at Paystack


class DueCheck(NamedTuple):
    reference: str
    step: int


async def due_checks(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, limit: int = 1000
) -> list[DueCheck]:
    """Every pending payment inside the window with the check now due for it (oldest first;
    ``limit`` bounds one scan, the next scan takes the rest)."""
    oldest = now - rules.RECONCILE_WINDOW - rules.RECONCILE_GRACE
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(PaymentTransaction.reference, PaymentTransaction.created_at)
                .where(
                    PaymentTransaction.status.in_(sorted(rules.PENDING_PAYMENT_STATUSES)),
                    PaymentTransaction.created_at <= now - rules.RECONCILE_STEPS[0],
                    PaymentTransaction.created_at >= oldest,
                )
                .order_by(PaymentTransaction.created_at, PaymentTransaction.id)
                .limit(limit)
            )
        ).all()
    checks = [(ref, rules.reconcile_step(created, now)) for ref, created in rows]
    return [DueCheck(ref, step) for ref, step in checks if step is not None]


async def reconcile_payment(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    reference: str,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
) -> str:
    """Asks Paystack about one payment and applies the answer; returns what happened.
    ``PaystackUnavailable`` and ``PaystackRejected`` propagate: the job retries with backoff."""
    async with sessionmaker() as session:
        status = await session.scalar(
            select(PaymentTransaction.status).where(PaymentTransaction.reference == reference)
        )
    if status not in rules.PENDING_PAYMENT_STATUSES:
        return SETTLED
    verification = await paystack.verify(reference)
    if verification is None:
        return UNKNOWN_AT_PROVIDER
    applied = await apply_verification(
        sessionmaker, verification=verification, now=now, cache=cache
    )
    if applied.changed:
        log.info(
            "reconciliation applied a payment the webhook had not",
            extra={"reference": reference, "outcome": applied.outcome},
        )
    return applied.outcome
