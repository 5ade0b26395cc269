"""refundPayment (admins): ask Paystack to refund; access ends when ``refund.processed``
arrives, because only then is the money back."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_admin
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.enrollment import rows
from edxelera_gql.enrollment.enums import PaymentStatus
from edxelera_gql.enrollment.models import PaymentTransaction
from edxelera_gql.enrollment.payments import check_reference
from edxelera_gql.enrollment.paystack import PaystackClient, PaystackRejected, PaystackUnavailable
from edxelera_gql.enrollment.read_models import RefundStarted
from edxelera_gql.errors import Code, DomainError

log = logging.getLogger(__name__)


async def request_refund(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    reference: str,
    viewer: Viewer | None,
    paystack: PaystackClient,
) -> RefundStarted:
    require_admin(viewer, "Only admins may refund payments.")
    reference = check_reference(reference)
    async with sessionmaker() as session:
        tx = await session.scalar(
            select(PaymentTransaction).where(PaymentTransaction.reference == reference)
        )
    if tx is None:
        raise DomainError(Code.NOT_FOUND, "No such payment.", field="reference")
    if tx.status != PaymentStatus.SUCCESS:
        raise DomainError(
            Code.PAYMENT_NOT_SUCCESSFUL,
            "Only a successful payment can be refunded.",
            field="reference",
        )
    try:
        refund = await paystack.refund(reference)
    except (PaystackUnavailable, PaystackRejected) as exc:
        log.error("paystack refund failed", extra={"reference": reference, "error": str(exc)})
        raise DomainError(
            Code.PAYMENT_PROVIDER_UNAVAILABLE, "The payment provider did not accept the refund."
        ) from exc
    log.info("refund requested", extra={"reference": reference, "refund_status": refund.status})
    return RefundStarted(rows.payment_facts(tx), refund.status)
