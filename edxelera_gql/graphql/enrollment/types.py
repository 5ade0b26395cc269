"""GraphQL types of enrollments (shared by billing, program home and the learning views),
eligibility, billing and payments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from edxelera_gql.enrollment.read_models import (
    Billing,
    EnrollmentFacts,
    PaymentFacts,
    PaymentStarted,
)
from edxelera_gql.enrollment.rules import Eligibility
from edxelera_gql.errors import DomainError
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.descriptions import PAYLOAD_ERRORS, PROGRAM_SLUG
from edxelera_gql.graphql.enums import EnrollmentStatus, ErrorCode, PaymentStatus
from edxelera_gql.graphql.errors import UserError, user_errors
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node


@strawberry.type(
    description="The viewer's enrollment in a program. Only the enrolled user reads it "
    "(`node(id:)` of anyone else's is NOT_FOUND)."
)
class Enrollment(Node):
    status: EnrollmentStatus = strawberry.field(  # type: ignore[valid-type]
        description="Only ACTIVE grants access to the program's content."
    )
    enrolled_at: datetime | None = strawberry.field(
        description="When the enrollment last became ACTIVE; null if it never was (a checkout "
        "not paid yet)."
    )
    source: str = strawberry.field(
        description="How access was, or is being, granted: `free` (a free program) or "
        "`paystack` (a payment)."
    )

    @classmethod
    def from_facts(cls, enrollment: EnrollmentFacts) -> Enrollment:
        return cls(
            id=global_id("Enrollment", enrollment.id),
            status=enrollment.status,
            enrolled_at=enrollment.enrolled_at,
            source=enrollment.source,
        )


# -- eligibility, billing and payments ----------------------------------------------------------


@strawberry.type(
    description="Whether the viewer may enroll now, and the window facts (also for signed-out "
    "viewers, whose reason is SIGN_IN_REQUIRED where the window is open)."
)
class EnrollmentEligibility:
    allowed: bool = strawberry.field(
        description="The viewer may enroll now: call initPayment. Always false for signed-out "
        "viewers (reason SIGN_IN_REQUIRED while the window is open)."
    )
    reason: ErrorCode | None = strawberry.field(  # type: ignore[valid-type]
        description="Why not, when not allowed: the first rule that fails, in this order: "
        "NOT_PUBLISHED, ALREADY_ENROLLED, PROGRAM_ENDED, then SIGN_IN_REQUIRED while the "
        "window is open, else WEEK_TWO_UNLOCKED, LATE_JOIN_WINDOW_EXPIRED or "
        "ENROLLMENT_CLOSED. Null when allowed."
    )
    closes_at: datetime | None = strawberry.field(
        description="When the window open now ends (exclusive); when it is closed, when the "
        "last window closed."
    )
    is_late_join: bool = strawberry.field(
        description="True inside the late-join window: enrolling now joins a program that has "
        "already started."
    )

    @classmethod
    def from_rules(cls, verdict: Eligibility) -> EnrollmentEligibility:
        return cls(
            allowed=verdict.allowed,
            reason=verdict.reason,
            closes_at=verdict.closes_at,
            is_late_join=verdict.is_late_join,
        )


@strawberry.type(
    description="One Paystack transaction. Only its payer reads it (billingStatus, "
    "`node(id:)`), and admins through verifyPayment and refundPayment."
)
class Payment(Node):
    reference: str = strawberry.field(
        description="Our unique reference of the transaction, shared with Paystack (letters, "
        "digits, '.', '=' and '-')."
    )
    amount_minor: int = strawberry.field(
        description="The amount asked, in the currency's minor unit (kobo for NGN): the "
        "program's price when the checkout was opened."
    )
    currency: str = strawberry.field(description="ISO 4217 code of the amount (e.g. NGN).")
    status: PaymentStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the transaction stands, as last verified with Paystack."
    )
    channel: str | None = strawberry.field(
        description="How the payer paid, in Paystack's words (e.g. `card`, `bank`, `ussd`); "
        "null until a verdict came from Paystack."
    )
    paid_at: datetime | None = strawberry.field(
        description="When Paystack says it was paid; null unless it was (SUCCESS, or REVERSED "
        "after a refund)."
    )
    verified_at: datetime | None = strawberry.field(
        description="When a verdict from Paystack was last applied; null until then."
    )
    created_at: datetime = strawberry.field(description="When the checkout was opened.")

    @classmethod
    def from_facts(cls, payment: PaymentFacts) -> Payment:
        return cls(
            id=global_id("Payment", payment.reference),
            reference=payment.reference,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            status=payment.status,
            channel=payment.channel,
            paid_at=payment.paid_at,
            verified_at=payment.verified_at,
            created_at=payment.created_at,
        )


@strawberry.type(
    description="The viewer's enrollment and latest payment in a program (billingStatus, "
    "verifyPayment). Its id is per program: `node(id:)` answers the viewer's own."
)
class BillingStatus(Node):
    program: Program = strawberry.field(description="The program billed for.")
    enrollment_status: EnrollmentStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="The viewer's enrollment status; null when they never started enrolling."
    )
    price_minor: int = strawberry.field(
        description="The program's price now, in the currency's minor unit; 0 means free."
    )
    currency: str = strawberry.field(description="ISO 4217 code of the price (e.g. NGN).")
    last_payment: Payment | None = strawberry.field(
        description="The viewer's most recent transaction for this program, whatever its "
        "status; null when there is none (free programs never have one)."
    )

    @classmethod
    def from_billing(cls, billing: Billing) -> BillingStatus:
        return cls(
            id=global_id("BillingStatus", billing.program.id),
            program=Program.from_facts(billing.program),
            enrollment_status=billing.enrollment_status,
            price_minor=billing.program.price_minor,
            currency=billing.program.currency,
            last_payment=Payment.from_facts(billing.last_payment) if billing.last_payment else None,
        )


@strawberry.input(description="The program to enroll in.")
class InitPaymentInput:
    program_slug: str = strawberry.field(description=PROGRAM_SLUG)


@strawberry.type(
    description="What initPayment answers. Paid program: send the payer to `authorizationUrl` "
    "(Paystack checkout), then call verifyPayment with `reference` when they come back. Free "
    "program: no URL, the enrollment is ACTIVE at once."
)
class InitPaymentPayload:
    authorization_url: str | None = strawberry.field(
        default=None,
        description="Paystack's checkout page: send the payer there. Paystack sends them back "
        "to the configured callback URL with `reference`. Null for a free program.",
    )
    reference: str | None = strawberry.field(
        default=None,
        description="The payment's reference, for verifyPayment once the payer is back. Null "
        "for a free program.",
    )
    enrollment: Enrollment | None = strawberry.field(
        default=None,
        description="The viewer's enrollment: ACTIVE for a free program, PENDING_PAYMENT until "
        "a paid one is verified.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)

    @classmethod
    def started(cls, started: PaymentStarted) -> InitPaymentPayload:
        return cls(
            authorization_url=started.authorization_url,
            reference=started.reference,
            enrollment=Enrollment.from_facts(started.enrollment),
        )


@strawberry.input(description="The payment to verify.")
class VerifyPaymentInput:
    reference: str = strawberry.field(
        description="`InitPaymentPayload.reference`, or the `reference` Paystack adds to the "
        "callback URL."
    )


@strawberry.type(
    description="What verifyPayment answers. Unlike other payloads, `billingStatus` is also "
    "filled with PAYMENT_NOT_SUCCESSFUL and PAYMENT_AMOUNT_MISMATCH, to show where the "
    "payment stands."
)
class VerifyPaymentPayload:
    billing_status: BillingStatus | None = strawberry.field(
        default=None,
        description="The payer's enrollment and latest payment after the verdict; null with "
        "other errors.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)

    @classmethod
    def from_error(cls, error: DomainError) -> VerifyPaymentPayload:
        # A payment that did not grant access still answers the billing status it left.
        billing = error.details.get("billing")
        return cls(
            billing_status=BillingStatus.from_billing(billing)
            if isinstance(billing, Billing)
            else None,
            errors=user_errors(error),
        )


@strawberry.input(description="The payment to refund.")
class RefundPaymentInput:
    reference: str = strawberry.field(
        description="`Payment.reference` of a SUCCESS payment (PAYMENT_NOT_SUCCESSFUL otherwise)."
    )


@strawberry.type(
    description="What refundPayment answers: the refund was requested from Paystack. Access "
    "ends only when Paystack reports it processed (its `refund.processed` webhook); the "
    "enrollment then turns REFUNDED and the payment REVERSED."
)
class RefundPaymentPayload:
    payment: Payment | None = strawberry.field(
        default=None,
        description="The payment as it stands: still SUCCESS until the refund is processed.",
    )
    refund_status: str | None = strawberry.field(
        default=None,
        description="Paystack's status of the refund request, in Paystack's words (e.g. "
        "`pending`).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)
