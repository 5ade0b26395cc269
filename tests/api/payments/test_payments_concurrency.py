"""On MariaDB: the callback and the webhook racing for one payment apply it exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import text

from edxelera_gql.infra import versions
from tests.support.factories import make_program
from tests.support.paystack import (
    deliver,
    payment_rows,
)
from tests.support.users import create_account, enroll

pytestmark = pytest.mark.mysql_only

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  authorizationUrl reference errors { code } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
  billingStatus { enrollmentStatus priceMinor
    lastPayment { reference status channel paidAt verifiedAt amountMinor } }
  errors { code } } }"""


@pytest.fixture(autouse=True)
def _mysql_only(is_mysql: bool) -> None:
    if not is_mysql:
        pytest.skip("row locks and real concurrency need MariaDB (set TEST_DATABASE_URL)")


async def test_twenty_verifications_and_twenty_webhooks_apply_one_payment(
    gql, client, app, sessionmaker, paystack
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="paid", price_minor=3_000_000)
    account = await create_account(app, sessionmaker)
    reference = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"][
        "reference"
    ]
    paystack.complete(reference)

    verifications = [gql(VERIFY, {"r": reference}, **account.headers) for _ in range(20)]
    webhooks = [deliver(client, paystack, "charge.success", reference) for _ in range(20)]
    results = await asyncio.gather(*verifications, *webhooks)
    verified, delivered = results[:20], results[20:]

    answers = [r["data"]["verifyPayment"] for r in verified]
    assert all(a["errors"] == [] for a in answers), answers
    assert all(a == answers[0] for a in answers)  # every caller gets the same answer
    assert answers[0]["billingStatus"]["enrollmentStatus"] == "ACTIVE"
    assert answers[0]["billingStatus"]["lastPayment"]["status"] == "SUCCESS"

    assert [d.status_code for d in delivered] == [200] * 20
    outcomes = Counter(d.json()["outcome"] for d in delivered)
    # One delivery recorded the event (applying it, or finding it applied by a callback);
    # every other one was a duplicate.
    assert outcomes["duplicate"] == 19, outcomes
    assert set(outcomes) - {"duplicate"} <= {"success", "unchanged:success"}
    # Many callers got past the cheap pre-checks and asked Paystack: the row lock decided.
    assert paystack.calls["verify"] > 20

    # The success was applied once: one state change, so one cache-version bump after the
    # one from initPayment.
    scope = versions.viewer_program_scope(account.user_id, cohort.id)
    assert await versions.current(app.state.cache, scope) == "2"

    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]
    assert [e.dedupe_key for e in rows.events] == [f"charge.success:{reference}"]


async def test_concurrent_init_payment_opens_one_checkout(gql, app, sessionmaker, paystack) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=3_000_000)
    account = await create_account(app, sessionmaker)
    paystack.fail("initialize", status=None, delay_seconds=0.2)  # a slow Paystack widens the race
    results = await asyncio.gather(
        *[gql(INIT, {"s": "paid"}, **account.headers) for _ in range(10)]
    )
    payloads = [r["data"]["initPayment"] for r in results]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({(p["reference"], p["authorizationUrl"]) for p in payloads}) == 1
    assert paystack.calls["initialize"] == 1
    rows = await payment_rows(sessionmaker)
    assert len(rows.enrollments) == 1
    assert [t.status for t in rows.transactions] == ["initialized"]


async def test_concurrent_free_enrollments_make_one_row(gql, app, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="free", price_minor=0)
    account = await create_account(app, sessionmaker)
    results = await asyncio.gather(
        *[gql(INIT, {"s": "free"}, **account.headers) for _ in range(10)]
    )
    payloads = [r["data"]["initPayment"] for r in results]
    # Each either enrolled or found the enrollment another call made.
    codes = Counter(p["errors"][0]["code"] if p["errors"] else "ok" for p in payloads)
    assert codes["ok"] >= 1
    assert set(codes) <= {"ok", "ALREADY_ENROLLED"}
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.source) for e in rows.enrollments] == [("active", "free")]


async def test_concurrent_init_payment_with_an_existing_enrollment_opens_one_checkout(
    gql, app, sessionmaker, paystack
) -> None:
    """The other case of the reservation lock: the enrollment row exists (a refunded one, say),
    so the upsert's no-op update is what makes the ten calls queue."""
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="paid", price_minor=3_000_000)
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id, status="refunded")
    paystack.fail("initialize", status=None, delay_seconds=0.2)  # a slow Paystack widens the race
    results = await asyncio.gather(
        *[gql(INIT, {"s": "paid"}, **account.headers) for _ in range(10)]
    )
    payloads = [r["data"]["initPayment"] for r in results]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["reference"] for p in payloads}) == 1
    assert paystack.calls["initialize"] == 1
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.source) for e in rows.enrollments] == [("pending_payment", "paystack")]
    assert [t.status for t in rows.transactions] == ["initialized"]


async def test_no_lock_or_pooled_connection_is_held_while_paystack_answers(
    gql, app, sessionmaker, paystack
) -> None:
    """The review's outage: with Paystack hanging, initPayment kept the enrollment row locked
    and a pooled connection checked out for the whole call, so 32 calls exhausted the pool.
    Now the row is free and the pool idle while the call waits (reserve, commit, call, apply)."""
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="paid", price_minor=3_000_000)
    account = await create_account(app, sessionmaker)
    paystack.fail("initialize", status=None, delay_seconds=0.8)
    call = asyncio.create_task(gql(INIT, {"s": "paid"}, **account.headers))
    await asyncio.sleep(0.4)  # the reservation is committed; Paystack is still thinking
    assert not call.done()
    assert app.state.engine.pool.checkedout() == 0
    async with sessionmaker() as session, session.begin():
        # NOWAIT: fails at once if another transaction holds the row.
        locked = await session.execute(
            text(
                "SELECT id FROM enrollments WHERE user_id = :u AND cohort_id = :c FOR UPDATE NOWAIT"
            ),
            {"u": account.user_id, "c": cohort.id},
        )
        assert len(locked.all()) == 1
    result = (await call)["data"]["initPayment"]
    assert result["errors"] == []
