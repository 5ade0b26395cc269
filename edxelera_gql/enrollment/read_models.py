"""Enrollments and payments as the rest of the code reads them: frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.enrollment.enums import EnrollmentStatus, PaymentStatus


@dataclass(frozen=True)
class EnrollmentFacts:
    id: int
    status: EnrollmentStatus
    enrolled_at: datetime | None
    source: str


@dataclass(frozen=True)
class PaymentFacts:
    reference: str
    amount_minor: int
    currency: str
    status: PaymentStatus
    channel: str | None
    paid_at: datetime | None
    verified_at: datetime | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "reference": self.reference,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "status": self.status.value,
            "channel": self.channel,
            "paid_at": iso(self.paid_at),
            "verified_at": iso(self.verified_at),
            "created_at": iso(self.created_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentFacts:
        def parse(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            reference=data["reference"],
            amount_minor=data["amount_minor"],
            currency=data["currency"],
            status=PaymentStatus(data["status"]),
            channel=data["channel"],
            paid_at=parse(data["paid_at"]),
            verified_at=parse(data["verified_at"]),
            created_at=datetime.fromisoformat(data["created_at"]),
        )


@dataclass(frozen=True)
class EnrollmentContext:
    """A program as eligibility sees it, with the viewer's enrollment status and email."""

    program: ProgramFacts
    enrollment_status: EnrollmentStatus | None
    email: str | None


@dataclass(frozen=True)
class PaymentStarted:
    enrollment: EnrollmentFacts
    authorization_url: str | None
    reference: str | None
    reused: bool = False


@dataclass(frozen=True)
class Billing:
    program: ProgramFacts
    enrollment_status: EnrollmentStatus | None
    last_payment: PaymentFacts | None


@dataclass(frozen=True)
class RefundStarted:
    payment: PaymentFacts
    refund_status: str


@dataclass(frozen=True)
class EventRecord:
    """A webhook delivery to record in ``payment_events`` with its effect."""

    event: str
    dedupe_key: str
    reference: str | None
    payload: str
    received_at: datetime


@dataclass(frozen=True)
class Applied:
    status: PaymentStatus | None  # the transaction's status afterwards; None if unknown
    user_id: int | None
    cohort_id: int | None
    changed: bool
    # What payment_events records: the new status, "unchanged:<status>", "unknown_reference",
    # or "duplicate" (another delivery with the same dedupe key won).
    outcome: str


DUPLICATE = Applied(None, None, None, changed=False, outcome="duplicate")
UNKNOWN = Applied(None, None, None, changed=False, outcome="unknown_reference")


@dataclass(frozen=True)
class WebhookOutcome:
    outcome: str
    retry: bool = False  # answer non-200 so Paystack delivers again
