"""Enrollment and payment statuses, stored by value in ``enrollments`` and
``payment_transactions``."""

from __future__ import annotations

from enum import StrEnum


class EnrollmentStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"  # the only status that grants access
    CANCELED = "canceled"
    REFUNDED = "refunded"
    SUSPENDED = "suspended"  # by staff: no access until reinstated


class EnrollmentSource(StrEnum):
    FREE = "free"
    PAYSTACK = "paystack"
    MANUAL = "manual"  # enrolled by staff, outside the window and without payment
    COMPLIMENTARY = "complimentary"  # the same, for a paid program given free


class PaymentStatus(StrEnum):
    INITIALIZED = "initialized"
    INIT_FAILED = "init_failed"
    SUCCESS = "success"
    FAILED = "failed"
    ABANDONED = "abandoned"
    AMOUNT_MISMATCH = "amount_mismatch"
    REVERSED = "reversed"


# Outcomes no later answer from Paystack may undo.
FINAL_PAYMENT_STATUSES = frozenset(
    {PaymentStatus.SUCCESS, PaymentStatus.REVERSED, PaymentStatus.AMOUNT_MISMATCH}
)
