"""The apply-verified-payment and refund services on the real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from edxelera_gql.auth.models import User
from edxelera_gql.enrollment.models import Enrollment, PaymentTransaction
from edxelera_gql.enrollment.payments import apply_refund, apply_verification
from edxelera_gql.enrollment.paystack import Verification
from edxelera_gql.enrollment.read_models import DUPLICATE, Applied, EventRecord
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import MemoryCache
from tests.support.factories import make_program

NOW = datetime(2027, 1, 20, 9, 30, tzinfo=UTC)
PRICE = 750_000


async def setup_payment(sessionmaker, *, references=("edx-aaaaaaaaaaaaaaaa",)) -> tuple[int, int]:
    """A student with initialized transactions for a paid program and a pending enrollment."""
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="paid", price_minor=PRICE)
        user = User(email="pay@example.com", full_name="Pay", password_hash="!", status="active")
        session.add(user)
        await session.flush()
        session.add(
            Enrollment(
                user_id=user.id, cohort_id=cohort.id, status="pending_payment", source="paystack"
            )
        )
        for reference in references:
            session.add(
                PaymentTransaction(
                    user_id=user.id,
                    cohort_id=cohort.id,
                    reference=reference,
                    amount_minor=PRICE,
                    currency="NGN",
                    status="initialized",
                    created_at=NOW,
                )
            )
        return user.id, cohort.id


def paid(reference: str = "edx-aaaaaaaaaaaaaaaa", amount: int = PRICE) -> Verification:
    return Verification(
        reference=reference,
        status="success",
        amount_minor=amount,
        currency="NGN",
        channel="bank_transfer",
        paid_at=datetime(2027, 1, 20, 9, 29, tzinfo=UTC),
        gateway_response="Approved",
        data={"status": "success", "reference": reference, "amount": amount, "log": {"x": 1}},
    )


async def enrollment_of(sessionmaker, user_id: int, cohort_id: int) -> Enrollment:
    async with sessionmaker() as session:
        return (
            await session.scalars(
                select(Enrollment).where(
                    Enrollment.user_id == user_id, Enrollment.cohort_id == cohort_id
                )
            )
        ).one()


async def test_applying_the_same_success_twice_changes_nothing_the_second_time(
    sessionmaker,
) -> None:
    # The in-process cache: a Redis slowed by other work fails open (no bump), which is right
    # for the app but would blur what this test counts.
    cache = MemoryCache()
    user_id, cohort_id = await setup_payment(sessionmaker)
    first = await apply_verification(sessionmaker, verification=paid(), now=NOW, cache=cache)
    second = await apply_verification(
        sessionmaker, verification=paid(), now=NOW.replace(hour=11), cache=cache
    )
    assert (first.changed, first.outcome) == (True, "success")
    assert (second.changed, second.outcome) == (False, "unchanged:success")
    enrollment = await enrollment_of(sessionmaker, user_id, cohort_id)
    assert (enrollment.status, enrollment.enrolled_at_utc) == ("active", NOW)
    async with sessionmaker() as session:
        tx = (await session.scalars(select(PaymentTransaction))).one()
    assert (tx.status, tx.channel, tx.verified_at_utc) == ("success", "bank_transfer", NOW)
    assert tx.paid_at_utc == datetime(2027, 1, 20, 9, 29, tzinfo=UTC)
    assert "log" not in tx.provider_payload  # the audit copy is trimmed
    scope = versions.viewer_program_scope(user_id, cohort_id)
    assert await versions.current(cache, scope) == "1"  # bumped for the one change only


async def test_a_mismatch_is_final_and_a_later_matching_answer_does_not_open_access(
    sessionmaker, cache
) -> None:
    user_id, cohort_id = await setup_payment(sessionmaker)
    mismatch = await apply_verification(
        sessionmaker, verification=paid(amount=PRICE - 1), now=NOW, cache=cache
    )
    later = await apply_verification(sessionmaker, verification=paid(), now=NOW, cache=cache)
    assert mismatch.outcome == "amount_mismatch"
    assert later.outcome == "unchanged:amount_mismatch"
    assert (await enrollment_of(sessionmaker, user_id, cohort_id)).status == "pending_payment"


async def test_refunding_a_second_payment_leaves_the_access_the_first_granted(
    sessionmaker, cache
) -> None:
    first, second = "edx-1111111111111111", "edx-2222222222222222"
    user_id, cohort_id = await setup_payment(sessionmaker, references=(first, second))
    for reference in (first, second):
        await apply_verification(sessionmaker, verification=paid(reference), now=NOW, cache=cache)
    enrollment = await enrollment_of(sessionmaker, user_id, cohort_id)
    assert (enrollment.status, enrollment.payment_reference) == ("active", second)

    def record(reference: str) -> EventRecord:
        return EventRecord(
            "refund.processed", f"refund.processed:{reference}:processed", reference, "{}", NOW
        )

    refunded = await apply_refund(
        sessionmaker, reference=first, now=NOW, cache=cache, record=record(first)
    )
    assert refunded.outcome == "reversed"
    assert (await enrollment_of(sessionmaker, user_id, cohort_id)).status == "active"
    refunded = await apply_refund(
        sessionmaker, reference=second, now=NOW, cache=cache, record=record(second)
    )
    assert (await enrollment_of(sessionmaker, user_id, cohort_id)).status == "refunded"
    duplicate = await apply_refund(
        sessionmaker, reference=second, now=NOW, cache=cache, record=record(second)
    )
    assert duplicate == DUPLICATE


async def test_a_success_for_a_missing_enrollment_creates_it_active(sessionmaker, cache) -> None:
    user_id, cohort_id = await setup_payment(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await session.delete(await enrollment_of(sessionmaker, user_id, cohort_id))
    await apply_verification(sessionmaker, verification=paid(), now=NOW, cache=cache)
    enrollment = await enrollment_of(sessionmaker, user_id, cohort_id)
    assert (enrollment.status, enrollment.source) == ("active", "paystack")


@pytest.mark.mysql_only
async def test_a_verification_waits_for_the_row_and_sees_the_committed_outcome(
    sessionmaker, cache, is_mysql
) -> None:
    """While one transaction holds the payment row, others wait for it instead of applying a
    stale snapshot; each then finds the success already applied and changes nothing."""
    if not is_mysql:
        pytest.skip("row locks need MariaDB")
    user_id, cohort_id = await setup_payment(sessionmaker)
    async with sessionmaker() as holder, holder.begin():
        tx = (
            await holder.scalars(select(PaymentTransaction).with_for_update())
        ).one()  # the row is now held

        async def apply() -> Applied:
            return await apply_verification(sessionmaker, verification=paid(), now=NOW, cache=cache)

        waiting = [asyncio.create_task(apply()) for _ in range(5)]
        await asyncio.sleep(0.3)
        assert not any(task.done() for task in waiting)
        tx.status = "success"
        enrollment = (
            await holder.scalars(select(Enrollment).where(Enrollment.user_id == user_id))
        ).one()
        enrollment.status = "active"
    results = await asyncio.gather(*waiting)
    assert [r.outcome for r in results] == ["unchanged:success"] * 5
    assert (await enrollment_of(sessionmaker, user_id, cohort_id)).status == "active"
