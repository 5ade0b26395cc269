"""Pure enrollment and payment rules: the enrollment window, references, payment outcomes and
webhook dedupe keys. No I/O here; instants are aware UTC datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.enrollment.enums import FINAL_PAYMENT_STATUSES, EnrollmentStatus, PaymentStatus
from edxelera_gql.errors import Code, Refusal

# Why enrolling is refused, in words for the payer (the codes are the contract's).
REASON_MESSAGES = {
    Code.NOT_PUBLISHED: "This program is not published.",
    Code.ALREADY_ENROLLED: "You are already enrolled in this program.",
    Code.PROGRAM_ENDED: "This program has ended.",
    Code.ENROLLMENT_CLOSED: "Enrollment for this program has closed.",
    Code.LATE_JOIN_WINDOW_EXPIRED: "The late-join window for this program has closed.",
    Code.WEEK_TWO_UNLOCKED: "Enrollment closed when week 2 was released.",
    Code.SIGN_IN_REQUIRED: "Sign in to enroll.",
}


def refusal(reason: Code) -> Refusal:
    """A closed window as the refusal ``initPayment`` raises (about ``programSlug``)."""
    return Refusal(reason, REASON_MESSAGES[reason], "programSlug")


# -- the enrollment window ---------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: Code | None
    # End of the window open now; when closed, the instant the last window closed.
    closes_at: datetime | None
    is_late_join: bool


def eligibility(
    now: datetime,
    program: ProgramFacts,
    *,
    signed_in: bool,
    enrollment_status: str | None,
) -> Eligibility:
    """The enrollment window: the rules in order, the first failing one is the reason.

    Signed-out viewers get the same window facts; where the window is open their reason is
    SIGN_IN_REQUIRED.
    """
    regular_end = program.enrollment_closes_at
    late_end = program.late_join_ends_at

    if now < regular_end:
        open_until, late = regular_end, False
    elif late_end is not None and now < late_end:
        open_until, late = late_end, True
    else:
        open_until, late = None, False
    last_close = max(regular_end, late_end) if late_end is not None else regular_end
    closes_at = open_until or last_close

    def closed(reason: Code) -> Eligibility:
        return Eligibility(False, reason, closes_at, late)

    if not program.published:
        return closed(Code.NOT_PUBLISHED)
    if signed_in and enrollment_status == EnrollmentStatus.ACTIVE:
        return closed(Code.ALREADY_ENROLLED)
    if now >= program.end_at:
        return Eligibility(False, Code.PROGRAM_ENDED, last_close, False)
    if open_until is not None:
        if not signed_in:
            return closed(Code.SIGN_IN_REQUIRED)
        return Eligibility(True, None, open_until, late)
    if program.week_two_release_at is not None and now >= program.week_two_release_at:
        return closed(Code.WEEK_TWO_UNLOCKED)
    if program.late_join_enabled:
        return closed(Code.LATE_JOIN_WINDOW_EXPIRED)
    return closed(Code.ENROLLMENT_CLOSED)


# -- references ---------------------------------------------------------------------------------

# Paystack accepts only these characters in a reference; ours are made from them.
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")


def is_valid_reference(reference: str) -> bool:
    return bool(_REFERENCE.match(reference))


def make_reference(random_hex: str) -> str:
    """A transaction reference from server-side randomness (hex), e.g. ``edx-3f9a...``."""
    reference = f"edx-{random_hex}"
    if not is_valid_reference(reference) or len(random_hex) < 16:
        raise ValueError("a reference needs at least 16 hex characters of randomness")
    return reference


def can_reuse_transaction(
    *,
    status: str,
    created_at: datetime,
    amount_minor: int,
    currency: str,
    has_checkout_url: bool,
    price_minor: int,
    price_currency: str,
    now: datetime,
    reuse_seconds: int,
) -> bool:
    """A repeated initPayment returns the open checkout instead of opening a second one
    (double clicks must not create two payments), while it is recent and still for the price."""
    return (
        status == PaymentStatus.INITIALIZED
        and has_checkout_url
        and amount_minor == price_minor
        and currency == price_currency
        and now - created_at < timedelta(seconds=reuse_seconds)
    )


# -- applying what Paystack reports -------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDecision:
    """What to do with a transaction given Paystack's verification.

    ``new_status`` is None when nothing changes; ``grant`` activates the enrollment and
    ``revoke`` ends access granted by this transaction.
    """

    new_status: PaymentStatus | None
    grant: bool = False
    revoke: bool = False
    mismatch: bool = False


NO_CHANGE = PaymentDecision(None)
# Paystack's data.status values that are not final yet.
_IN_PROGRESS = frozenset({"ongoing", "pending", "processing", "queued"})


def decide_payment(
    *,
    recorded_status: str,
    recorded_amount: int,
    recorded_currency: str,
    provider_status: str,
    provider_amount: int | None,
    provider_currency: str | None,
) -> PaymentDecision:
    """Only Paystack's ``data.status`` decides; success also needs the recorded amount and
    currency. Final local states (success, reversed, amount mismatch) are never undone by a
    later, older answer, so applying the same verification twice changes nothing."""
    status = provider_status.lower()
    if status == "reversed":
        return (
            PaymentDecision(PaymentStatus.REVERSED, revoke=True)
            if recorded_status != PaymentStatus.REVERSED
            else NO_CHANGE
        )
    if recorded_status in FINAL_PAYMENT_STATUSES:
        return NO_CHANGE
    if status == "success":
        if provider_amount == recorded_amount and (provider_currency or "").upper() == (
            recorded_currency.upper()
        ):
            return PaymentDecision(PaymentStatus.SUCCESS, grant=True)
        return PaymentDecision(PaymentStatus.AMOUNT_MISMATCH, mismatch=True)
    if status in (PaymentStatus.FAILED, PaymentStatus.ABANDONED) and recorded_status != status:
        return PaymentDecision(PaymentStatus(status))
    return NO_CHANGE


def refund_decision(recorded_status: str) -> PaymentDecision:
    """A processed refund reverses a paid transaction and ends the access it granted."""
    if recorded_status == PaymentStatus.SUCCESS:
        return PaymentDecision(PaymentStatus.REVERSED, revoke=True)
    return NO_CHANGE


def is_in_progress(provider_status: str) -> bool:
    return provider_status.lower() in _IN_PROGRESS


# -- webhook dedupe keys ------------------------------------------------------------------------

CHARGE_SUCCESS = "charge.success"
REFUND_PREFIX = "refund."
REFUND_PROCESSED = "refund.processed"


def dedupe_key(event: str, data: dict[str, object], body_digest: str) -> str:
    """Charges are keyed by ``event + data.reference``; refunds by
    ``event + transaction_reference + status``; anything else by the body's digest, so only an
    identical redelivery counts as a duplicate."""
    event = event[:64]
    if event.startswith("charge."):
        reference = data.get("reference")
        if isinstance(reference, str) and reference:
            return f"{event}:{reference[:150]}"
    elif event.startswith(REFUND_PREFIX):
        reference = data.get("transaction_reference")
        status = data.get("status")
        if isinstance(reference, str) and reference:
            return f"{event}:{reference[:150]}:{str(status)[:30]}"
    return f"{event}:sha256:{body_digest}"


# -- reconciliation ------------------------------------------------------------------------------

# A payment still pending this long after checkout is asked about (a webhook usually comes in
# seconds), then again at each later step, until the last: Paystack's checkout links are not
# honoured that long, so no verdict can change after it.
RECONCILE_STEPS = (
    timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2),
    timedelta(hours=4), timedelta(hours=8), timedelta(hours=24), timedelta(hours=48),
)  # fmt: skip
RECONCILE_WINDOW = RECONCILE_STEPS[-1]
# The last check stays due this long after the window closes, so a scan missed then (a deploy,
# a worker restart) still makes it.
RECONCILE_GRACE = timedelta(hours=1)
# Statuses a later answer from Paystack may still turn into a success.
PENDING_PAYMENT_STATUSES = frozenset(
    {PaymentStatus.INITIALIZED, PaymentStatus.ABANDONED, PaymentStatus.FAILED}
)


def reconcile_step(created_at: datetime, now: datetime) -> int | None:
    """Which check is due for a payment opened at ``created_at``: the index of the last step
    its age has reached (each index is asked about once), or None before the first step and
    once the window has closed."""
    age = now - created_at
    if age < RECONCILE_STEPS[0] or age > RECONCILE_WINDOW + RECONCILE_GRACE:
        return None
    return max(i for i, step in enumerate(RECONCILE_STEPS) if age >= step)
