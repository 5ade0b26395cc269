"""A signed Paystack delivery: recorded once under its dedupe key, together with its effect.

The HTTP route (``routes.paystack_webhook``) checks the signature and the shape; this module
decides what the event means.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import exists, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.enrollment import rules
from edxelera_gql.enrollment.models import PaymentEvent, PaymentTransaction
from edxelera_gql.enrollment.payments import apply_refund, apply_verification, record_event
from edxelera_gql.enrollment.paystack import PaystackClient, PaystackRejected, PaystackUnavailable
from edxelera_gql.enrollment.read_models import UNKNOWN, EventRecord, WebhookOutcome
from edxelera_gql.enrollment.redaction import redact_webhook_body
from edxelera_gql.infra.cache import Cache

log = logging.getLogger(__name__)


def _record_of(event: str, data: dict[str, Any], raw_body: bytes, now: datetime) -> EventRecord:
    field_name = "transaction_reference" if event.startswith(rules.REFUND_PREFIX) else "reference"
    raw_reference = data.get(field_name)
    return EventRecord(
        event=event,
        dedupe_key=rules.dedupe_key(event, data, hashlib.sha256(raw_body).hexdigest()),
        reference=raw_reference if isinstance(raw_reference, str) else None,
        payload=redact_webhook_body(raw_body),
        received_at=now,
    )


async def _seen_and_known(
    sessionmaker: async_sessionmaker[AsyncSession], key: str, reference: str | None
) -> tuple[bool, bool]:
    async with sessionmaker() as session:
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
    return bool(seen), bool(known)


async def process_webhook(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    event: str,
    data: dict[str, Any],
    raw_body: bytes,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
    deadline_seconds: float | None = None,
) -> WebhookOutcome:
    """``deadline_seconds`` bounds the confirmation with Paystack (all attempts together), so
    the answer reaches Paystack before it gives up; past it the delivery is refused (503) and
    Paystack delivers again."""
    record = _record_of(event, data, raw_body, now)
    handled = event == rules.CHARGE_SUCCESS or event.startswith(rules.REFUND_PREFIX)
    reference = (
        record.reference
        if handled and record.reference and rules.is_valid_reference(record.reference)
        else None
    )
    # Duplicates and deliveries without a transaction here are answered before asking Paystack.
    seen, known = await _seen_and_known(sessionmaker, record.dedupe_key, reference)
    if seen:
        return WebhookOutcome("duplicate")
    if not handled:
        return await _record_only(sessionmaker, record, "ignored", now)
    if not known or reference is None:
        return await _record_only(sessionmaker, record, UNKNOWN.outcome, now)
    if event == rules.CHARGE_SUCCESS:
        return await _charge(
            sessionmaker, record, reference, now, paystack, cache, deadline_seconds
        )
    if event == rules.REFUND_PROCESSED:
        applied = await apply_refund(
            sessionmaker, reference=reference, now=now, cache=cache, record=record
        )
        return WebhookOutcome(applied.outcome)
    return await _record_only(sessionmaker, record, "ignored", now)


async def _charge(
    sessionmaker: async_sessionmaker[AsyncSession],
    record: EventRecord,
    reference: str,
    now: datetime,
    paystack: PaystackClient,
    cache: Cache,
    deadline_seconds: float | None,
) -> WebhookOutcome:
    try:
        # Re-verified through the API: the webhook says where to look, not what happened.
        verification = await paystack.verify(reference, deadline_seconds=deadline_seconds)
    except (PaystackUnavailable, PaystackRejected) as exc:
        # Nothing recorded, so Paystack's redelivery is not mistaken for a duplicate.
        log.warning(
            "webhook: paystack verify failed, asking for a redelivery",
            extra={"reference": reference, "error": str(exc)},
        )
        return WebhookOutcome("provider_unavailable", retry=True)
    if verification is None:
        return await _record_only(sessionmaker, record, "unknown_at_provider", now)
    applied = await apply_verification(
        sessionmaker, verification=verification, now=now, cache=cache, record=record
    )
    return WebhookOutcome(applied.outcome)


async def _record_only(
    sessionmaker: async_sessionmaker[AsyncSession], record: EventRecord, outcome: str, now: datetime
) -> WebhookOutcome:
    """Unknown events and references: recorded so Paystack stops retrying, with no effect."""
    try:
        async with UnitOfWork(sessionmaker) as uow:
            record_event(uow.session, record, outcome, now)
    except IntegrityError:
        return WebhookOutcome("duplicate")
    return WebhookOutcome(outcome)
