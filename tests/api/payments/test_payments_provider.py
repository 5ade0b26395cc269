"""Paystack unreachable, failing or hanging: initPayment answers PAYMENT_PROVIDER_UNAVAILABLE
within the client timeout and leaves nothing half-made; a later attempt works."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.support.factories import make_program
from tests.support.paystack import (
    fresh_headers,
    payment_rows,
    paystack_settings,
    running_app,
)
from tests.support.users import create_account, enroll

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  authorizationUrl reference enrollment { status } errors { code message } } }"""
BILLING = """query($s: String!) { billingStatus(programSlug: $s) {
  enrollmentStatus lastPayment { status } } }"""
TIMEOUT = 1.0  # paystack_settings' client timeout


async def paid_program(sessionmaker):
    async with sessionmaker() as session, session.begin():
        return await make_program(session, slug="paid", price_minor=1_500_000)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens once the socket is closed


async def assert_nothing_half_made(gql, sessionmaker, headers) -> None:
    rows = await payment_rows(sessionmaker)
    assert rows.enrollments == []
    assert [t.status for t in rows.transactions] == ["init_failed"]
    billing = (await gql(BILLING, {"s": "paid"}, **headers))["data"]["billingStatus"]
    assert billing == {"enrollmentStatus": None, "lastPayment": {"status": "INIT_FAILED"}}


async def timed(gql, headers) -> tuple[dict, float]:
    started = time.perf_counter()
    result = (await gql(INIT, {"s": "paid"}, **headers))["data"]["initPayment"]
    return result, time.perf_counter() - started


async def test_paystack_unreachable(settings, clock, cache, sessionmaker) -> None:
    async with running_app(paystack_settings(settings, closed_port_url()), clock) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

            async def gql(query, variables, **headers):
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                return response.json()

            await paid_program(sessionmaker)
            account = await create_account(app, sessionmaker)
            result, elapsed = await timed(gql, account.headers)
            assert [e["code"] for e in result["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
            assert result["authorizationUrl"] is None
            assert elapsed < TIMEOUT
            await assert_nothing_half_made(gql, sessionmaker, account.headers)


# 200 with an HTML body: Paystack (or a proxy before it) answering garbage.
@pytest.mark.parametrize("status", [500, 502, 503, 200])
async def test_paystack_failing_then_recovering(
    gql, app, sessionmaker, paystack, status: int
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    paystack.fail("initialize", status=status)
    result, elapsed = await timed(gql, account.headers)
    assert [e["code"] for e in result["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert elapsed < TIMEOUT
    assert paystack.calls["initialize"] == 1  # never retried
    await assert_nothing_half_made(gql, sessionmaker, account.headers)

    paystack.heal()
    retry, _ = await timed(gql, account.headers)
    assert retry["errors"] == []
    assert retry["enrollment"] == {"status": "PENDING_PAYMENT"}
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["init_failed", "initialized"]
    assert rows.transactions[1].reference == retry["reference"]


async def test_a_hanging_paystack_is_cut_off_at_the_client_timeout(
    gql, app, sessionmaker, paystack
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    paystack.fail("initialize", status=None, delay_seconds=10)
    result, elapsed = await timed(gql, account.headers)
    assert [e["code"] for e in result["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert TIMEOUT <= elapsed < TIMEOUT + 0.5
    await assert_nothing_half_made(gql, sessionmaker, account.headers)


async def test_a_pending_enrollment_with_an_open_checkout_survives_an_outage(
    gql, app, sessionmaker, paystack, clock
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    first, _ = await timed(gql, account.headers)
    assert first["errors"] == []
    clock.advance(minutes=31)  # past the reuse window: a new checkout is needed
    headers = await fresh_headers(app, sessionmaker, account.user_id)
    paystack.fail("initialize", status=500)
    result, _ = await timed(gql, headers)
    assert [e["code"] for e in result["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    rows = await payment_rows(sessionmaker)
    # The first checkout can still be paid, so its pending enrollment stays.
    assert [e.status for e in rows.enrollments] == ["pending_payment"]
    assert [t.status for t in rows.transactions] == ["initialized", "init_failed"]


async def test_a_refunded_enrollment_is_left_as_it_was_by_an_outage(
    gql, app, sessionmaker, paystack
) -> None:
    cohort = await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id, status="refunded")
    paystack.fail("initialize", status=500)
    result, _ = await timed(gql, account.headers)
    assert [e["code"] for e in result["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    rows = await payment_rows(sessionmaker)
    assert [e.status for e in rows.enrollments] == ["refunded"]


async def test_verify_payment_during_an_outage_changes_nothing(
    gql, app, sessionmaker, paystack
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    first, _ = await timed(gql, account.headers)
    paystack.complete(first["reference"])
    paystack.fail("verify", status=None, delay_seconds=10)
    verify = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
      billingStatus { enrollmentStatus } errors { code } } }"""
    started = time.perf_counter()
    result = (await gql(verify, {"r": first["reference"]}, **account.headers))["data"]
    elapsed = time.perf_counter() - started
    assert [e["code"] for e in result["verifyPayment"]["errors"]] == [
        "PAYMENT_PROVIDER_UNAVAILABLE"
    ]
    # Two attempts (one retry) of at most the timeout each, plus the backoff.
    assert elapsed < 2 * TIMEOUT + 0.5
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["initialized"]
    assert [e.status for e in rows.enrollments] == ["pending_payment"]


async def test_a_garbage_verify_answer_changes_nothing(gql, app, sessionmaker, paystack) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    first, _ = await timed(gql, account.headers)
    paystack.complete(first["reference"])
    paystack.fail("verify", status=200)  # 200, but an HTML page instead of JSON
    verify = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
      billingStatus { enrollmentStatus } errors { code } } }"""
    result = (await gql(verify, {"r": first["reference"]}, **account.headers))["data"]
    assert [e["code"] for e in result["verifyPayment"]["errors"]] == [
        "PAYMENT_PROVIDER_UNAVAILABLE"
    ]
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["initialized"]
    assert [e.status for e in rows.enrollments] == ["pending_payment"]
