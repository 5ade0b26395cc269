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
from edxelera_gql.graphql.enums import EnrollmentStatus, ErrorCode, PaymentStatus
from edxelera_gql.graphql.errors import UserError, user_errors
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node


@strawberry.type(description="The viewer's enrollment in a program.")
class Enrollment(Node):
    status: EnrollmentStatus  # type: ignore[valid-type]
    enrolled_at: datetime | None
    source: str = strawberry.field(description="How access was granted: `free` or `paystack`.")

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
    allowed: bool
    reason: ErrorCode | None = strawberry.field(  # type: ignore[valid-type]
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
            reason=verdict.reason,
            closes_at=verdict.closes_at,
            is_late_join=verdict.is_late_join,
        )


@strawberry.type(description="One Paystack transaction of the viewer.")
class Payment(Node):
    reference: str
    amount_minor: int
    currency: str
    status: PaymentStatus  # type: ignore[valid-type]
    channel: str | None
    paid_at: datetime | None
    verified_at: datetime | None
    created_at: datetime

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


@strawberry.type(description="The viewer's enrollment and latest payment in a program.")
class BillingStatus(Node):
    program: Program
    enrollment_status: EnrollmentStatus | None  # type: ignore[valid-type]
    price_minor: int
    currency: str
    last_payment: Payment | None

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

    @classmethod
    def started(cls, started: PaymentStarted) -> InitPaymentPayload:
        return cls(
            authorization_url=started.authorization_url,
            reference=started.reference,
            enrollment=Enrollment.from_facts(started.enrollment),
        )


@strawberry.input
class VerifyPaymentInput:
    reference: str


@strawberry.type
class VerifyPaymentPayload:
    billing_status: BillingStatus | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

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
