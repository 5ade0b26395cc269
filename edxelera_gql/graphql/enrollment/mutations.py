"""initPayment, verifyPayment and refundPayment: adapters over the enrollment services."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.enrollment import checkout, payments, refunds
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import DEFAULTS, RATES, minutes
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
        description="Starts enrolling the viewer in a program: a free program enrolls at once; "
        "a paid one opens a Paystack checkout. A repeated call within "
        f"{minutes(DEFAULTS.payment_reuse_seconds)} (by default) returns the checkout already "
        "open, so a double click never makes two payments. Signed in. Errors: the canEnroll "
        "reasons (NOT_PUBLISHED, ALREADY_ENROLLED, PROGRAM_ENDED, ENROLLMENT_CLOSED, "
        "LATE_JOIN_WINDOW_EXPIRED, WEEK_TWO_UNLOCKED) with `field` = `programSlug`, "
        "UNAUTHENTICATED, NOT_FOUND, INVALID_INPUT, PAYMENT_PROVIDER_UNAVAILABLE (nothing "
        f"charged: retry), RATE_LIMITED ({RATES['init_payment']}).",
    )
    async def init_payment(
        self,
        info: Info[Context, None],
        input: Annotated[
            InitPaymentInput, strawberry.argument(description="The program to enroll in.")
        ],
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
        description="Call it when Paystack sends the payer back: asks Paystack, applies the "
        "verdict and answers the billing status. Safe to repeat: Paystack's webhook applies "
        "the same verdict, and applying it twice changes nothing. Signed in as the payment's "
        "owner or an admin (anyone else: NOT_FOUND). Errors: PAYMENT_NOT_SUCCESSFUL and "
        "PAYMENT_AMOUNT_MISMATCH (with `billingStatus` filled), PAYMENT_PROVIDER_UNAVAILABLE "
        "(the payment is safe: retry), INVALID_INPUT (not a reference), UNAUTHENTICATED, "
        f"RATE_LIMITED ({RATES['verify_payment']}).",
    )
    async def verify_payment(
        self,
        info: Info[Context, None],
        input: Annotated[
            VerifyPaymentInput, strawberry.argument(description="The payment to verify.")
        ],
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
        description="Admins only (FORBIDDEN otherwise): asks Paystack to refund a SUCCESS "
        "payment in full. Access ends only when Paystack reports the refund processed; until "
        "then the enrollment stays ACTIVE. Errors: NOT_FOUND, PAYMENT_NOT_SUCCESSFUL, "
        "INVALID_INPUT, PAYMENT_PROVIDER_UNAVAILABLE (not confirmed by Paystack: check there "
        "before retrying), "
        "UNAUTHENTICATED.",
    )
    async def refund_payment(
        self,
        info: Info[Context, None],
        input: Annotated[
            RefundPaymentInput, strawberry.argument(description="The payment to refund.")
        ],
    ) -> RefundPaymentPayload:
        ctx = info.context
        started = await refunds.request_refund(
            ctx.sessionmaker, reference=input.reference, viewer=ctx.viewer, paystack=ctx.paystack
        )
        return RefundPaymentPayload(
            payment=Payment.from_facts(started.payment), refund_status=started.refund_status
        )
