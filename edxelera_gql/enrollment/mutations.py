"""initPayment, verifyPayment and refundPayment: thin resolvers over ``enrollment.service``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.enrollment import service
from edxelera_gql.enrollment.types import (
    BillingStatus,
    Enrollment,
    InitPaymentInput,
    InitPaymentPayload,
    Payment,
    RefundPaymentInput,
    RefundPaymentPayload,
    VerifyPaymentInput,
    VerifyPaymentPayload,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import sign_in_required, user_error


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(
        description="Starts enrolling in a program: free programs enroll at once; paid ones get "
        "a Paystack checkout (a repeated call reuses the open one)."
    )
    async def init_payment(
        self, info: Info[Context, None], input: InitPaymentInput
    ) -> InitPaymentPayload:
        ctx = info.context
        if ctx.viewer is None:
            return InitPaymentPayload(errors=[sign_in_required()])
        async with ctx.sessionmaker() as session:
            outcome = await service.init_payment(
                session,
                slug=input.program_slug,
                viewer=ctx.viewer,
                now=ctx.now(),
                paystack=ctx.paystack,
                cache=ctx.cache,
                callback_url=ctx.settings.effective_paystack_callback_url(),
                reuse_seconds=ctx.settings.payment_reuse_seconds,
            )
        if isinstance(outcome, service.PaymentError):
            return InitPaymentPayload(errors=[user_error(outcome)])
        return InitPaymentPayload(
            authorization_url=outcome.authorization_url,
            reference=outcome.reference,
            enrollment=Enrollment.from_model(outcome.enrollment),
        )

    @strawberry.mutation(
        description="Called when Paystack sends the payer back: asks Paystack, applies the "
        "verdict, and answers the billing status (the payment's owner or an admin)."
    )
    async def verify_payment(
        self, info: Info[Context, None], input: VerifyPaymentInput
    ) -> VerifyPaymentPayload:
        ctx = info.context
        if ctx.viewer is None:
            return VerifyPaymentPayload(errors=[sign_in_required()])
        async with ctx.sessionmaker() as session:
            outcome = await service.verify_payment(
                session,
                reference=input.reference,
                viewer=ctx.viewer,
                now=ctx.now(),
                paystack=ctx.paystack,
                cache=ctx.cache,
            )
            if isinstance(outcome, service.PaymentError):
                return VerifyPaymentPayload(errors=[user_error(outcome)])
            billing = await service.billing_status(
                session,
                slug=outcome.cohort.slug,
                user_id=outcome.user_id,
                include_unpublished=True,
                cache=ctx.cache,
                ttl_seconds=ctx.settings.cache_ttl_seconds,
                cohort=outcome.cohort,
            )
        error = service.verification_error(outcome.status)
        return VerifyPaymentPayload(
            billing_status=BillingStatus.from_billing(billing),
            errors=[user_error(error)] if error else [],
        )

    @strawberry.mutation(
        description="Admins: asks Paystack to refund a successful payment. Access ends when "
        "Paystack reports the refund processed."
    )
    async def refund_payment(
        self, info: Info[Context, None], input: RefundPaymentInput
    ) -> RefundPaymentPayload:
        ctx = info.context
        if ctx.viewer is None:
            return RefundPaymentPayload(errors=[sign_in_required()])
        async with ctx.sessionmaker() as session:
            outcome = await service.request_refund(
                session, reference=input.reference, viewer=ctx.viewer, paystack=ctx.paystack
            )
        if isinstance(outcome, service.PaymentError):
            return RefundPaymentPayload(errors=[user_error(outcome)])
        return RefundPaymentPayload(
            payment=Payment.from_view(service.PaymentView.from_model(outcome.transaction)),
            refund_status=outcome.refund_status,
        )
