"""initPayment, verifyPayment and refundPayment: adapters over the enrollment services."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.enrollment import checkout, payments, refunds
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.enrollment.types import (
    BillingStatus,
    InitPaymentInput,
    InitPaymentPayload,
    Payment,
    RefundPaymentInput,
    RefundPaymentPayload,
    VerifyPaymentInput,
    VerifyPaymentPayload,
)
from edxelera_gql.graphql.errors import mutation


def _checkout(ctx: Context) -> checkout.Checkout:
    return checkout.Checkout.for_settings(
        ctx.settings, sessionmaker=ctx.sessionmaker, cache=ctx.cache, paystack=ctx.paystack
    )


@strawberry.type
class EnrollmentMutation:
    @mutation(
        InitPaymentPayload,
        description="Starts enrolling in a program: free programs enroll at once; paid ones get "
        "a Paystack checkout (a repeated call reuses the open one).",
    )
    async def init_payment(
        self, info: Info[Context, None], input: InitPaymentInput
    ) -> InitPaymentPayload:
        ctx = info.context
        started = await checkout.init_payment(
            _checkout(ctx),
            viewer=require_viewer(ctx.viewer),
            slug=input.program_slug,
            now=ctx.now(),
        )
        return InitPaymentPayload.started(started)

    @mutation(
        VerifyPaymentPayload,
        description="Called when Paystack sends the payer back: asks Paystack, applies the "
        "verdict, and answers the billing status (the payment's owner or an admin).",
    )
    async def verify_payment(
        self, info: Info[Context, None], input: VerifyPaymentInput
    ) -> VerifyPaymentPayload:
        ctx = info.context
        billing = await payments.verify_payment(
            ctx.sessionmaker,
            reference=input.reference,
            viewer=require_viewer(ctx.viewer),
            now=ctx.now(),
            paystack=ctx.paystack,
            cache=ctx.cache,
            ttl_seconds=ctx.settings.cache_ttl_seconds,
        )
        return VerifyPaymentPayload(billing_status=BillingStatus.from_billing(billing))

    @mutation(
        RefundPaymentPayload,
        description="Admins: asks Paystack to refund a successful payment. Access ends when "
        "Paystack reports the refund processed.",
    )
    async def refund_payment(
        self, info: Info[Context, None], input: RefundPaymentInput
    ) -> RefundPaymentPayload:
        ctx = info.context
        started = await refunds.request_refund(
            ctx.sessionmaker, reference=input.reference, viewer=ctx.viewer, paystack=ctx.paystack
        )
        return RefundPaymentPayload(
            payment=Payment.from_facts(started.payment), refund_status=started.refund_status
        )
