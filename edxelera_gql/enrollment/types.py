"""GraphQL types of enrollments (shared by billing, program home and the learning views),
eligibility, billing and payments."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from edxelera_gql.catalog.types import Program
from edxelera_gql.enrollment.models import Enrollment as EnrollmentModel
from edxelera_gql.enrollment.rules import Eligibility
from edxelera_gql.enrollment.service import Billing, PaymentView
from edxelera_gql.graphql.errors import ErrorCode, UserError


@strawberry.enum
class EnrollmentStatus(Enum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"
    CANCELED = "canceled"
    REFUNDED = "refunded"


@strawberry.type
class Enrollment:
    id: strawberry.ID
    status: EnrollmentStatus
    enrolled_at: datetime | None
    source: str = strawberry.field(description="How access was granted: `free` or `paystack`.")

    @classmethod
    def from_model(cls, enrollment: EnrollmentModel) -> Enrollment:
        return cls(
            id=strawberry.ID(str(enrollment.id)),
            status=EnrollmentStatus(enrollment.status),
            enrolled_at=enrollment.enrolled_at_utc,
            source=enrollment.source,
        )


# -- eligibility, billing and payments ----------------------------------------------------------


@strawberry.type(
    description="Whether the viewer may enroll now, and the window facts (also for signed-out "
    "viewers, whose reason is SIGN_IN_REQUIRED where the window is open)."
)
class EnrollmentEligibility:
    allowed: bool
    reason: ErrorCode | None = strawberry.field(
        description="Why not, when not allowed: the first enrollment rule that fails."
    )
    closes_at: datetime | None = strawberry.field(
        description="When the window open now ends; when closed, when the last window closed."
    )
    is_late_join: bool = strawberry.field(description="True inside the late-join window.")

    @classmethod
    def from_rules(cls, verdict: Eligibility) -> EnrollmentEligibility:
        return cls(
            allowed=verdict.allowed,
            reason=ErrorCode(verdict.reason) if verdict.reason else None,
            closes_at=verdict.closes_at,
            is_late_join=verdict.is_late_join,
        )


@strawberry.enum
class PaymentStatus(Enum):
    INITIALIZED = "initialized"
    INIT_FAILED = "init_failed"
    SUCCESS = "success"
    FAILED = "failed"
    ABANDONED = "abandoned"
    AMOUNT_MISMATCH = "amount_mismatch"
    REVERSED = "reversed"


@strawberry.type(description="One Paystack transaction of the viewer.")
class Payment:
    reference: str
    amount_minor: int
    currency: str
    status: PaymentStatus
    channel: str | None
    paid_at: datetime | None
    verified_at: datetime | None
    created_at: datetime

    @classmethod
    def from_view(cls, payment: PaymentView) -> Payment:
        return cls(
            reference=payment.reference,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            status=PaymentStatus(payment.status),
            channel=payment.channel,
            paid_at=payment.paid_at,
            verified_at=payment.verified_at,
            created_at=payment.created_at,
        )


@strawberry.type(description="The viewer's enrollment and latest payment in a program.")
class BillingStatus:
    program: Program
    enrollment_status: EnrollmentStatus | None
    price_minor: int
    currency: str
    last_payment: Payment | None

    @classmethod
    def from_billing(cls, billing: Billing) -> BillingStatus:
        return cls(
            program=Program.from_model(billing.cohort),
            enrollment_status=EnrollmentStatus(billing.enrollment_status)
            if billing.enrollment_status
            else None,
            price_minor=billing.cohort.price_minor,
            currency=billing.cohort.currency,
            last_payment=Payment.from_view(billing.last_payment) if billing.last_payment else None,
        )


@strawberry.input
class InitPaymentInput:
    program_slug: str


@strawberry.type(
    description="Paid program: open `authorizationUrl` (Paystack checkout). Free program: no "
    "URL, the enrollment is ACTIVE at once."
)
class InitPaymentPayload:
    authorization_url: str | None = None
    reference: str | None = None
    enrollment: Enrollment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VerifyPaymentInput:
    reference: str


@strawberry.type
class VerifyPaymentPayload:
    billing_status: BillingStatus | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RefundPaymentInput:
    reference: str


@strawberry.type(
    description="The refund was requested from Paystack; access ends when Paystack reports "
    "it processed (webhook `refund.processed`)."
)
class RefundPaymentPayload:
    payment: Payment | None = None
    refund_status: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
