"""The pure enrollment and payment rules, at every boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.enrollment import rules
from edxelera_gql.enrollment.rules import Eligibility, eligibility

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
REGULAR_CLOSE = START - timedelta(hours=48)


def window(
    *,
    published: bool,
    start_at: datetime,
    end_at: datetime,
    close_hours_before_start: int,
    late_join_enabled: bool,
    late_join_days: int,
    week_two_release_at: datetime | None,
) -> ProgramFacts:
    """A program with the window facts given; eligibility ignores the other fields."""
    return ProgramFacts(
        id=1,
        slug="window",
        title="Window",
        description="",
        start_at=start_at,
        end_at=end_at,
        timezone="UTC",
        late_join_enabled=late_join_enabled,
        late_join_days=late_join_days,
        enrollment_close_hours_before_start=close_hours_before_start,
        published=published,
        price_minor=500_000,
        currency="NGN",
        week_two_release_at=week_two_release_at,
    )


# Six weekly weeks: week 2 opens 7 days after the start, the default late-join length.
WEEKLY = window(
    published=True,
    start_at=START,
    end_at=START + timedelta(weeks=6),
    close_hours_before_start=48,
    late_join_enabled=False,
    late_join_days=7,
    week_two_release_at=START + timedelta(days=7),
)
LATE = replace(WEEKLY, late_join_enabled=True)


def check(now: datetime, program: ProgramFacts = WEEKLY, *, status: str | None = None):
    return eligibility(now, program, signed_in=True, enrollment_status=status)


# -- the regular window ---------------------------------------------------------------------------


def test_one_second_before_the_regular_close_is_open() -> None:
    assert check(REGULAR_CLOSE - SECOND) == Eligibility(True, None, REGULAR_CLOSE, False)


def test_exactly_48_hours_before_start_is_closed_without_late_join() -> None:
    assert check(REGULAR_CLOSE) == Eligibility(False, "ENROLLMENT_CLOSED", REGULAR_CLOSE, False)


def test_exactly_48_hours_before_start_opens_late_join_without_a_gap() -> None:
    late_end = START + timedelta(days=7)
    assert check(REGULAR_CLOSE - SECOND, LATE) == Eligibility(True, None, REGULAR_CLOSE, False)
    assert check(REGULAR_CLOSE, LATE) == Eligibility(True, None, late_end, True)


def test_the_close_hours_come_from_the_program() -> None:
    program = replace(WEEKLY, enrollment_close_hours_before_start=2)
    close = START - timedelta(hours=2)
    assert check(close - SECOND, program).allowed
    assert check(close, program).reason == "ENROLLMENT_CLOSED"


def test_at_start_late_join_is_open_and_otherwise_closed() -> None:
    assert check(START, LATE) == Eligibility(True, None, START + timedelta(days=7), True)
    assert check(START) == Eligibility(False, "ENROLLMENT_CLOSED", REGULAR_CLOSE, False)


# -- the late-join window -------------------------------------------------------------------------


def test_late_join_ends_after_the_late_join_days_when_week_two_comes_later() -> None:
    program = replace(LATE, late_join_days=3)
    end = START + timedelta(days=3)
    assert check(end - SECOND, program) == Eligibility(True, None, end, True)
    assert check(end, program) == Eligibility(False, "LATE_JOIN_WINDOW_EXPIRED", end, False)


def test_late_join_ends_at_week_two_when_that_comes_first() -> None:
    week_two = START + timedelta(days=5)
    program = replace(LATE, week_two_release_at=week_two)
    assert check(week_two - SECOND, program) == Eligibility(True, None, week_two, True)
    assert check(week_two, program) == Eligibility(False, "WEEK_TWO_UNLOCKED", week_two, False)


def test_at_the_end_of_seven_weekly_days_week_two_has_been_released() -> None:
    # Default schedule: both edges coincide; week 2's release is the more specific reason.
    end = START + timedelta(days=7)
    assert check(end - SECOND, LATE).allowed
    assert check(end, LATE).reason == "WEEK_TWO_UNLOCKED"


def test_week_two_release_is_the_reason_even_without_late_join() -> None:
    assert check(START + timedelta(days=7)).reason == "WEEK_TWO_UNLOCKED"
    assert check(START + timedelta(days=7) - SECOND).reason == "ENROLLMENT_CLOSED"


def test_a_program_without_a_week_two_closes_late_join_after_its_days() -> None:
    program = replace(LATE, week_two_release_at=None)
    end = START + timedelta(days=7)
    assert check(end - SECOND, program).is_late_join
    assert check(end, program).reason == "LATE_JOIN_WINDOW_EXPIRED"


# -- the program's end and the order of the rules ---------------------------------------------------


def test_program_end_boundary() -> None:
    end = WEEKLY.end_at
    assert check(end - SECOND).reason == "WEEK_TWO_UNLOCKED"
    assert check(end) == Eligibility(False, "PROGRAM_ENDED", REGULAR_CLOSE, False)
    assert check(end + timedelta(days=300), LATE).reason == "PROGRAM_ENDED"


def test_a_program_that_ends_before_its_window_closes_is_ended() -> None:
    program = replace(WEEKLY, end_at=REGULAR_CLOSE - timedelta(hours=1))
    assert check(REGULAR_CLOSE - timedelta(minutes=30), program).reason == "PROGRAM_ENDED"


def test_unpublished_comes_first_and_keeps_the_window_facts() -> None:
    program = replace(WEEKLY, published=False)
    assert check(REGULAR_CLOSE - SECOND, program, status="active") == Eligibility(
        False, "NOT_PUBLISHED", REGULAR_CLOSE, False
    )
    assert check(WEEKLY.end_at, program).reason == "NOT_PUBLISHED"


def test_an_active_enrollment_comes_before_the_end_and_the_window() -> None:
    assert check(REGULAR_CLOSE - SECOND, status="active").reason == "ALREADY_ENROLLED"
    assert check(WEEKLY.end_at, status="active").reason == "ALREADY_ENROLLED"


@pytest.mark.parametrize("status", ["pending_payment", "canceled", "refunded", None])
def test_only_an_active_enrollment_blocks(status: str | None) -> None:
    assert check(REGULAR_CLOSE - SECOND, status=status).allowed


# -- signed-out viewers ----------------------------------------------------------------------------


def anonymous(now: datetime, program: ProgramFacts = WEEKLY) -> Eligibility:
    return eligibility(now, program, signed_in=False, enrollment_status=None)


def test_signed_out_viewers_get_the_window_facts_and_sign_in_required_where_open() -> None:
    assert anonymous(REGULAR_CLOSE - SECOND) == Eligibility(
        False, "SIGN_IN_REQUIRED", REGULAR_CLOSE, False
    )
    assert anonymous(START, LATE) == Eligibility(
        False, "SIGN_IN_REQUIRED", START + timedelta(days=7), True
    )


def test_signed_out_viewers_get_the_closed_reason_where_closed() -> None:
    assert anonymous(REGULAR_CLOSE).reason == "ENROLLMENT_CLOSED"
    assert anonymous(START + timedelta(days=7), LATE).reason == "WEEK_TWO_UNLOCKED"
    assert anonymous(WEEKLY.end_at).reason == "PROGRAM_ENDED"
    assert anonymous(REGULAR_CLOSE - SECOND, replace(WEEKLY, published=False)).reason == (
        "NOT_PUBLISHED"
    )


# -- references ------------------------------------------------------------------------------------


def test_references_use_only_the_characters_paystack_allows() -> None:
    reference = rules.make_reference("0123456789abcdef0123")
    assert reference == "edx-0123456789abcdef0123"
    assert rules.is_valid_reference(reference)
    for bad in ["", "a b", "ref_1", "ref/1", "ref?x", "é", "x" * 101]:
        assert not rules.is_valid_reference(bad), bad
    assert rules.is_valid_reference("A.b=c-9" + "x" * 93)


def test_a_reference_needs_enough_randomness() -> None:
    with pytest.raises(ValueError, match="16 hex"):
        rules.make_reference("abc")


def reusable(**changes: object) -> bool:
    base: dict[str, object] = {
        "status": "initialized",
        "created_at": START,
        "amount_minor": 500_000,
        "currency": "NGN",
        "has_checkout_url": True,
        "price_minor": 500_000,
        "price_currency": "NGN",
        "now": START + timedelta(seconds=1799),
        "reuse_seconds": 1800,
    }
    return rules.can_reuse_transaction(**{**base, **changes})  # type: ignore[arg-type]


def test_an_open_checkout_is_reused_while_recent_and_for_the_price() -> None:
    assert reusable()
    assert not reusable(now=START + timedelta(seconds=1800))
    assert not reusable(status="abandoned")
    assert not reusable(status="init_failed")
    assert not reusable(price_minor=600_000)
    assert not reusable(price_currency="USD")
    assert not reusable(has_checkout_url=False)


# -- deciding what a verification means ------------------------------------------------------------


def decide(
    recorded: str, provider: str, amount: int | None = 500_000, currency: str | None = "NGN"
):
    return rules.decide_payment(
        recorded_status=recorded,
        recorded_amount=500_000,
        recorded_currency="NGN",
        provider_status=provider,
        provider_amount=amount,
        provider_currency=currency,
    )


@pytest.mark.parametrize("recorded", ["initialized", "init_failed", "abandoned", "failed"])
def test_success_with_the_recorded_amount_and_currency_grants_access(recorded: str) -> None:
    assert decide(recorded, "success") == rules.PaymentDecision("success", grant=True)
    assert decide(recorded, "SUCCESS", currency="ngn").grant


@pytest.mark.parametrize(
    ("amount", "currency"), [(499_999, "NGN"), (500_001, "NGN"), (500_000, "USD"), (None, "NGN"),
                             (500_000, None)],
)  # fmt: skip
def test_success_with_another_amount_or_currency_is_a_mismatch(amount, currency) -> None:
    assert decide("initialized", "success", amount, currency) == rules.PaymentDecision(
        "amount_mismatch", mismatch=True
    )


@pytest.mark.parametrize("recorded", ["success", "reversed", "amount_mismatch"])
def test_final_states_are_not_undone(recorded: str) -> None:
    for provider in ["success", "failed", "abandoned", "ongoing"]:
        assert decide(recorded, provider) == rules.NO_CHANGE
    assert decide(recorded, "success", amount=1) == rules.NO_CHANGE


def test_failures_and_abandonment_are_recorded_once() -> None:
    assert decide("initialized", "failed") == rules.PaymentDecision("failed")
    assert decide("initialized", "abandoned") == rules.PaymentDecision("abandoned")
    assert decide("abandoned", "abandoned") == rules.NO_CHANGE
    assert decide("abandoned", "failed") == rules.PaymentDecision("failed")


@pytest.mark.parametrize("provider", ["ongoing", "pending", "processing", "queued", "weird"])
def test_unfinished_or_unknown_statuses_change_nothing(provider: str) -> None:
    assert decide("initialized", provider) == rules.NO_CHANGE
    assert rules.is_in_progress(provider) == (provider != "weird")


def test_a_reversal_revokes_once() -> None:
    assert decide("success", "reversed") == rules.PaymentDecision("reversed", revoke=True)
    assert decide("reversed", "reversed") == rules.NO_CHANGE


def test_a_processed_refund_reverses_only_a_paid_transaction() -> None:
    assert rules.refund_decision("success") == rules.PaymentDecision("reversed", revoke=True)
    for status in ["initialized", "reversed", "amount_mismatch", "abandoned"]:
        assert rules.refund_decision(status) == rules.NO_CHANGE


# -- dedupe keys -----------------------------------------------------------------------------------


def test_dedupe_keys_follow_the_product_rules() -> None:
    assert rules.dedupe_key("charge.success", {"reference": "edx-1"}, "d") == "charge.success:edx-1"
    refund = {"transaction_reference": "edx-1", "status": "processed"}
    assert rules.dedupe_key("refund.processed", refund, "d") == "refund.processed:edx-1:processed"
    pending = {"transaction_reference": "edx-1", "status": "pending"}
    assert rules.dedupe_key("refund.pending", pending, "d") == "refund.pending:edx-1:pending"
    assert rules.dedupe_key("transfer.success", {"reference": "x"}, "abc") == (
        "transfer.success:sha256:abc"
    )
    assert (
        rules.dedupe_key("charge.success", {"reference": 7}, "abc") == "charge.success:sha256:abc"
    )


def test_dedupe_keys_fit_the_column() -> None:
    key = rules.dedupe_key("e" * 500, {"reference": "r" * 500}, "f" * 64)
    assert len(key) <= 255
    key = rules.dedupe_key(
        "refund." + "x" * 100, {"transaction_reference": "r" * 500, "status": "s" * 90}, "f"
    )
    assert len(key) <= 255
