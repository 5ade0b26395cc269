"""Paid and free enrollment over HTTP, the way the frontend, the payer's browser and Paystack
(the project's sandbox on a loopback port) drive it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from edxelera_gql.auth.models import RefreshToken
from edxelera_gql.enrollment.access import active_enrollment
from edxelera_gql.graphql.ids import parse_global_id
from edxelera_gql.paystack_sandbox import PaystackSandbox
from tests.support.factories import make_program
from tests.support.paystack import (
    checkout,
    fresh_headers,
    payment_rows,
    serve,
)
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

PRICE = 2_500_000  # NGN 25,000.00

CAN_ENROLL = (
    "query($s: String!) { canEnroll(programSlug: $s) { allowed reason closesAt isLateJoin } }"
)
INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  authorizationUrl reference enrollment { id status source enrolledAt } errors { code message field }
} }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
  billingStatus { enrollmentStatus priceMinor currency program { slug }
    lastPayment { reference amountMinor currency status channel paidAt verifiedAt createdAt } }
  errors { code message field }
} }"""
BILLING = """query($s: String!) { billingStatus(programSlug: $s) {
  enrollmentStatus priceMinor currency program { slug }
  lastPayment { reference amountMinor currency status channel paidAt verifiedAt createdAt }
} }"""
SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } errors { code } } }"""
REFUND = """mutation($r: String!) { refundPayment(input: {reference: $r}) {
  refundStatus payment { reference status } errors { code message }
} }"""


@pytest.fixture
async def webhooks_over_http(app: Starlette, paystack: PaystackSandbox) -> AsyncIterator[str]:
    """Serves the app on a loopback port and points the sandbox's webhooks at it."""
    server = await serve(app)
    paystack.webhook_url = server.url + "/webhooks/paystack"
    yield server.url
    await server.stop()


async def paid_program(sessionmaker, slug: str = "paid", **kwargs):
    async with sessionmaker() as session, session.begin():
        return await make_program(session, slug=slug, price_minor=PRICE, weeks=3, **kwargs)


async def has_access(sessionmaker, user_id: int, cohort_id: int) -> bool:
    async with sessionmaker() as session:
        return await active_enrollment(session, user_id=user_id, cohort_id=cohort_id) is not None


async def signed_in_again(app: Starlette, sessionmaker, user_id: int) -> dict[str, str]:
    """The user signs in again at the app's current (moved) time: a new session and its access
    token. The viewer cache follows the injected clock, so after a jump past the session's
    lifetime (``refresh_token_ttl_days``) a new access token for the old session is refused."""
    now = app.state.clock.now()
    family = secrets.token_hex(16)
    async with sessionmaker() as session, session.begin():
        session.add(
            RefreshToken(
                user_id=user_id,
                family_id=family,
                token_hash=secrets.token_hex(32),
                created_at=now,
                expires_at=now + timedelta(days=app.state.settings.refresh_token_ttl_days),
            )
        )
    token = app.state.token_codec.issue(user_id=user_id, session_id=family, now=now).token
    return {"Authorization": f"Bearer {token}"}


async def test_a_paid_enrollment_from_sign_up_to_active(
    gql, app, sessionmaker, paystack: PaystackSandbox, webhooks_over_http, clock
) -> None:
    cohort = await paid_program(sessionmaker)
    signed_up = await gql(
        SIGN_UP,
        {"i": {"email": "ada@example.com", "password": "correct horse battery", "fullName": "Ada"}},
    )
    token = signed_up["data"]["signUp"]["accessToken"]
    user_id = int(parse_global_id(signed_up["data"]["signUp"]["user"]["id"])[1][0])
    auth = {"Authorization": f"Bearer {token}"}

    eligibility = (await gql(CAN_ENROLL, {"s": "paid"}, **auth))["data"]["canEnroll"]
    assert eligibility == {
        "allowed": True,
        "reason": None,
        "closesAt": "2027-02-27T08:00:00.000000Z",
        "isLateJoin": False,
    }

    started = (await gql(INIT, {"s": "paid"}, **auth))["data"]["initPayment"]
    assert started["errors"] == []
    assert started["enrollment"]["status"] == "PENDING_PAYMENT"
    assert "/checkout/" in started["authorizationUrl"]
    reference = started["reference"]
    assert reference.startswith("edx-")
    sent = paystack.requests[0][1]
    assert (sent["amount"], sent["currency"], sent["email"]) == (PRICE, "NGN", "ada@example.com")
    assert sent["callback_url"] == "https://frontend.example/payments/return"
    assert sent["metadata"] == {"user_id": user_id, "cohort_id": cohort.id, "program_slug": "paid"}
    assert not await has_access(sessionmaker, user_id, cohort.id)

    # The payer pays in the browser; Paystack (the sandbox) signs and sends the webhook over
    # HTTP to the served app, then redirects the browser to the frontend's callback.
    clock.advance(minutes=3)
    back = await checkout(started["authorizationUrl"], "pay")
    assert back.location.startswith("https://frontend.example/payments/return?trxref=")
    assert back.reference == reference
    assert [(d.event, d.status_code) for d in paystack.deliveries] == [("charge.success", 200)]
    assert await has_access(sessionmaker, user_id, cohort.id)

    # The frontend's callback page verifies; the answer is the same as the webhook's effect.
    verified = (await gql(VERIFY, {"r": back.reference}, **auth))["data"]["verifyPayment"]
    assert verified["errors"] == []
    billing = verified["billingStatus"]
    assert billing["enrollmentStatus"] == "ACTIVE"
    assert billing["lastPayment"] == {
        "reference": reference,
        "amountMinor": PRICE,
        "currency": "NGN",
        "status": "SUCCESS",
        "channel": "card",
        "paidAt": "2027-01-15T12:03:00.000000Z",  # Paystack's paid_at
        "verifiedAt": "2027-01-15T12:03:00.000000Z",  # when the webhook applied it
        "createdAt": "2027-01-15T12:00:00.000000Z",
    }
    assert (await gql(BILLING, {"s": "paid"}, **auth))["data"]["billingStatus"] == billing

    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.source, e.payment_reference) for e in rows.enrollments] == [
        ("active", "paystack", reference)
    ]
    assert [t.status for t in rows.transactions] == ["success"]
    assert [(e.event, e.dedupe_key, e.outcome) for e in rows.events] == [
        ("charge.success", f"charge.success:{reference}", "success")
    ]
    # Enrolled now: the window reports it.
    assert (await gql(CAN_ENROLL, {"s": "paid"}, **auth))["data"]["canEnroll"]["reason"] == (
        "ALREADY_ENROLLED"
    )


async def test_a_free_program_enrolls_at_once_without_paystack(
    gql, app, sessionmaker, paystack
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="free", price_minor=0)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "free"}, **account.headers))["data"]["initPayment"]
    assert started["errors"] == []
    assert started["authorizationUrl"] is None
    assert started["reference"] is None
    assert started["enrollment"]["status"] == "ACTIVE"
    assert started["enrollment"]["source"] == "free"
    assert started["enrollment"]["enrolledAt"] == "2027-01-15T12:00:00.000000Z"
    assert paystack.calls["initialize"] == 0
    assert await has_access(sessionmaker, account.user_id, cohort.id)
    rows = await payment_rows(sessionmaker)
    assert rows.transactions == []
    billing = (await gql(BILLING, {"s": "free"}, **account.headers))["data"]["billingStatus"]
    assert billing == {
        "enrollmentStatus": "ACTIVE",
        "priceMinor": 0,
        "currency": "NGN",
        "program": {"slug": "free"},
        "lastPayment": None,
    }
    again = (await gql(INIT, {"s": "free"}, **account.headers))["data"]["initPayment"]
    assert again["errors"][0]["code"] == "ALREADY_ENROLLED"


async def test_cancel_leaves_the_enrollment_pending_and_a_retry_works(
    gql, app, sessionmaker, paystack, webhooks_over_http
) -> None:
    cohort = await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    first = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    back = await checkout(first["authorizationUrl"], "cancel")
    assert back.reference == first["reference"]
    assert paystack.deliveries == []

    verified = (await gql(VERIFY, {"r": back.reference}, **account.headers))["data"]
    assert verified["verifyPayment"]["errors"][0]["code"] == "PAYMENT_NOT_SUCCESSFUL"
    billing = verified["verifyPayment"]["billingStatus"]
    assert billing["enrollmentStatus"] == "PENDING_PAYMENT"
    assert billing["lastPayment"]["status"] == "ABANDONED"
    assert not await has_access(sessionmaker, account.user_id, cohort.id)

    retry = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    assert retry["errors"] == []
    assert retry["reference"] != first["reference"]
    await checkout(retry["authorizationUrl"], "pay")
    verified = (await gql(VERIFY, {"r": retry["reference"]}, **account.headers))["data"]
    assert verified["verifyPayment"]["errors"] == []
    assert verified["verifyPayment"]["billingStatus"]["enrollmentStatus"] == "ACTIVE"
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["abandoned", "success"]
    assert len(rows.enrollments) == 1


async def test_a_repeated_init_payment_reuses_the_open_checkout(
    gql, app, sessionmaker, paystack, clock
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    first = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    clock.advance(minutes=29)
    headers = await fresh_headers(app, sessionmaker, account.user_id)
    second = (await gql(INIT, {"s": "paid"}, **headers))["data"]["initPayment"]
    assert (second["authorizationUrl"], second["reference"]) == (
        first["authorizationUrl"],
        first["reference"],
    )
    assert paystack.calls["initialize"] == 1
    # Past the reuse window a fresh checkout opens.
    clock.advance(minutes=1)
    third = (await gql(INIT, {"s": "paid"}, **headers))["data"]["initPayment"]
    assert third["reference"] != first["reference"]
    assert paystack.calls["initialize"] == 2
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["initialized", "initialized"]


async def test_an_amount_mismatch_keeps_access_closed(
    gql, app, sessionmaker, paystack, webhooks_over_http, caplog
) -> None:
    cohort = await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    await checkout(started["authorizationUrl"], "pay", amount=PRICE // 100)
    assert [d.status_code for d in paystack.deliveries] == [200]
    assert "PAYMENT AMOUNT MISMATCH" in caplog.text

    verified = (await gql(VERIFY, {"r": started["reference"]}, **account.headers))["data"]
    payload = verified["verifyPayment"]
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_AMOUNT_MISMATCH"]
    assert payload["billingStatus"]["enrollmentStatus"] == "PENDING_PAYMENT"
    assert payload["billingStatus"]["lastPayment"]["status"] == "AMOUNT_MISMATCH"
    assert not await has_access(sessionmaker, account.user_id, cohort.id)
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["amount_mismatch"]
    assert [e.outcome for e in rows.events] == ["amount_mismatch"]


async def test_a_refund_ends_access(
    gql, app, sessionmaker, paystack, webhooks_over_http, clock
) -> None:
    cohort = await paid_program(sessionmaker)
    student = await create_account(app, sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    started = (await gql(INIT, {"s": "paid"}, **student.headers))["data"]["initPayment"]
    await checkout(started["authorizationUrl"], "pay")
    assert await has_access(sessionmaker, student.user_id, cohort.id)

    refused = (await gql(REFUND, {"r": started["reference"]}, **student.headers))["data"]
    assert refused["refundPayment"]["errors"][0]["code"] == "FORBIDDEN"
    assert paystack.calls["refund"] == 0

    refunded = (await gql(REFUND, {"r": started["reference"]}, **admin.headers))["data"]
    assert refunded["refundPayment"]["errors"] == []
    assert refunded["refundPayment"]["refundStatus"] == "pending"
    # Paystack reports the refund later, by webhook (refund.pending, then refund.processed).
    for _ in range(200):
        if len(paystack.deliveries) == 3:
            break
        await asyncio.sleep(0.02)
    assert [(d.event, d.status_code) for d in paystack.deliveries] == [
        ("charge.success", 200),
        ("refund.pending", 200),
        ("refund.processed", 200),
    ]
    assert not await has_access(sessionmaker, student.user_id, cohort.id)
    billing = (await gql(BILLING, {"s": "paid"}, **student.headers))["data"]["billingStatus"]
    assert billing["enrollmentStatus"] == "REFUNDED"
    assert billing["lastPayment"]["status"] == "REVERSED"
    rows = await payment_rows(sessionmaker)
    assert [(e.event, e.outcome) for e in rows.events] == [
        ("charge.success", "success"),
        ("refund.pending", "ignored"),
        ("refund.processed", "reversed"),
    ]
    # A refunded student may enroll again while the window is open.
    eligibility = (await gql(CAN_ENROLL, {"s": "paid"}, **student.headers))["data"]["canEnroll"]
    assert eligibility["allowed"] is True


async def test_a_payment_completed_after_the_window_closed_is_honoured(
    gql, app, sessionmaker, paystack, clock
) -> None:
    cohort = await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    clock.set(cohort.start_at_utc + timedelta(days=1))  # regular window closed, no late join
    headers = await signed_in_again(app, sessionmaker, account.user_id)
    eligibility = (await gql(CAN_ENROLL, {"s": "paid"}, **headers))["data"]["canEnroll"]
    assert eligibility["reason"] == "ENROLLMENT_CLOSED"
    paystack.complete(started["reference"])
    verified = (await gql(VERIFY, {"r": started["reference"]}, **headers))["data"]
    assert verified["verifyPayment"]["errors"] == []
    assert await has_access(sessionmaker, account.user_id, cohort.id)


async def test_init_payment_refuses_closed_windows_and_bad_input(
    gql, app, sessionmaker, paystack, clock
) -> None:
    cohort = await paid_program(sessionmaker)
    async with sessionmaker() as session, session.begin():
        hidden = await make_program(session, slug="hidden", published=False, price_minor=PRICE)
    account = await create_account(app, sessionmaker)
    staff = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[hidden.id])

    async def codes(slug: str, headers: dict[str, str]) -> list[tuple[str, str | None]]:
        result = (await gql(INIT, {"s": slug}, **headers))["data"]["initPayment"]
        return [(e["code"], e["field"]) for e in result["errors"]]

    assert await codes("paid", {}) == [("UNAUTHENTICATED", None)]
    assert await codes("nope", account.headers) == [("NOT_FOUND", "programSlug")]
    assert await codes("hidden", account.headers) == [("NOT_FOUND", "programSlug")]
    assert await codes("hidden", staff.headers) == [("NOT_PUBLISHED", "programSlug")]
    assert await codes("  ", account.headers) == [("INVALID_INPUT", "programSlug")]
    assert await codes("x" * 101, account.headers) == [("INVALID_INPUT", "programSlug")]
    clock.set(cohort.start_at_utc)
    headers = await signed_in_again(app, sessionmaker, account.user_id)
    assert await codes("paid", headers) == [("ENROLLMENT_CLOSED", "programSlug")]
    clock.set(cohort.end_at_utc)
    headers = await signed_in_again(app, sessionmaker, account.user_id)
    assert await codes("paid", headers) == [("PROGRAM_ENDED", "programSlug")]
    assert paystack.calls["initialize"] == 0
    assert (await payment_rows(sessionmaker)).enrollments == []


async def test_already_enrolled_students_are_not_charged(gql, app, sessionmaker, paystack) -> None:
    cohort = await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
    result = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    assert [e["code"] for e in result["errors"]] == ["ALREADY_ENROLLED"]
    assert paystack.calls["initialize"] == 0


async def test_verify_payment_is_for_the_owner_or_an_admin(
    gql, app, sessionmaker, paystack
) -> None:
    cohort = await paid_program(sessionmaker)
    owner = await create_account(app, sessionmaker)
    other = await create_account(app, sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    started = (await gql(INIT, {"s": "paid"}, **owner.headers))["data"]["initPayment"]
    paystack.complete(started["reference"])

    async def verify(reference: str, headers: dict[str, str]) -> dict:
        return (await gql(VERIFY, {"r": reference}, **headers))["data"]["verifyPayment"]

    assert (await verify(started["reference"], {}))["errors"][0]["code"] == "UNAUTHENTICATED"
    hidden = await verify(started["reference"], other.headers)
    assert (hidden["errors"][0]["code"], hidden["billingStatus"]) == ("NOT_FOUND", None)
    assert (await verify("edx-unknown0000000000", owner.headers))["errors"][0]["code"] == (
        "NOT_FOUND"
    )
    bad = await verify("not a reference!", owner.headers)
    assert (bad["errors"][0]["code"], bad["errors"][0]["field"]) == ("INVALID_INPUT", "reference")
    assert paystack.calls["verify"] == 0

    by_admin = await verify(started["reference"], admin.headers)
    assert by_admin["errors"] == []
    assert by_admin["billingStatus"]["enrollmentStatus"] == "ACTIVE"  # the owner's status
    assert await has_access(sessionmaker, owner.user_id, cohort.id)
    assert not await has_access(sessionmaker, admin.user_id, cohort.id)


async def test_billing_status_needs_a_viewer_and_a_known_program(gql, app, sessionmaker) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    anonymous = await gql(BILLING, {"s": "paid"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = await gql(BILLING, {"s": "nope"}, **account.headers)
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    fresh = (await gql(BILLING, {"s": "paid"}, **account.headers))["data"]["billingStatus"]
    assert fresh == {
        "enrollmentStatus": None,
        "priceMinor": PRICE,
        "currency": "NGN",
        "program": {"slug": "paid"},
        "lastPayment": None,
    }


async def test_billing_status_is_cached_per_viewer_and_dropped_by_payments(
    gql, app, sessionmaker, paystack
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    await gql(CAN_ENROLL, {"s": "paid"}, **account.headers)  # resolves and caches the viewer
    with count_statements(app.state.engine) as cold:
        await gql(BILLING, {"s": "paid"}, **account.headers)
    with count_statements(app.state.engine) as warm:
        await gql(BILLING, {"s": "paid"}, **account.headers)
    # Cold: the program, then status and latest payment in one statement; warm: the program.
    assert cold.count == 2, str(cold)
    assert warm.count == 1, str(warm)

    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    with count_statements(app.state.engine) as after_init:
        billing = (await gql(BILLING, {"s": "paid"}, **account.headers))["data"]["billingStatus"]
    assert after_init.count == 2, str(after_init)
    assert billing["lastPayment"]["status"] == "INITIALIZED"
    assert billing["enrollmentStatus"] == "PENDING_PAYMENT"
    paystack.complete(started["reference"])
    await gql(VERIFY, {"r": started["reference"]}, **account.headers)
    billing = (await gql(BILLING, {"s": "paid"}, **account.headers))["data"]["billingStatus"]
    assert (billing["enrollmentStatus"], billing["lastPayment"]["status"]) == ("ACTIVE", "SUCCESS")


async def test_statement_budgets_of_init_and_verify(gql, app, sessionmaker, paystack) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    await gql(CAN_ENROLL, {"s": "paid"}, **account.headers)  # warms the viewer cache
    with count_statements(app.state.engine) as init:
        started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    # program facts, enrollment upsert and lock, latest transaction, insert transaction, and
    # the viewer's cache version in the database (db.versions)
    assert init.count == 6, str(init)
    paystack.complete(started["reference"])
    with count_statements(app.state.engine) as verify:
        await gql(VERIFY, {"r": started["reference"]}, **account.headers)
    # lookup, lock transaction, lock the enrollment its checkout made, the viewer's cache
    # version, 2 updates, the receipt email's outbox row, billing (program known)
    assert verify.count == 8, str(verify)
    with count_statements(app.state.engine) as again:
        await gql(VERIFY, {"r": started["reference"]}, **account.headers)
    # Already final: the lookup; the billing answer comes from the cache; no Paystack call.
    assert again.count == 1, str(again)
    assert paystack.calls["verify"] == 1


async def test_twenty_aliased_verifications_make_one_outbound_call(
    gql, app, sessionmaker, paystack
) -> None:
    """A pending payment asked about twenty times at once (aliased fields run concurrently)
    is verified with Paystack once; the others share that answer."""
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    fields = " ".join(
        f'v{i}: verifyPayment(input: {{reference: "{started["reference"]}"}}) '
        "{ errors { code } billingStatus { enrollmentStatus } }"
        for i in range(20)
    )
    result = await gql(f"mutation {{ {fields} }}", **account.headers)
    answers = [result["data"][f"v{i}"] for i in range(20)]
    assert {a["errors"][0]["code"] for a in answers} == {"PAYMENT_NOT_SUCCESSFUL"}  # pending
    assert paystack.calls["verify"] == 1


async def test_verify_and_init_payment_are_rate_limited_per_viewer(
    gql, app, sessionmaker, paystack, clock
) -> None:
    await paid_program(sessionmaker)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    verify = {"r": started["reference"]}
    codes = []
    for _ in range(31):
        payload = (await gql(VERIFY, verify, **account.headers))["data"]["verifyPayment"]
        codes.append(payload["errors"][0]["code"] if payload["errors"] else None)
    assert codes[-1] == "RATE_LIMITED"
    assert "RATE_LIMITED" not in codes[:30]
    inits = [
        (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]["errors"]
        for _ in range(20)  # one was spent above
    ]
    assert [e[0]["code"] for e in inits if e] == ["RATE_LIMITED"]
    clock.advance(seconds=60)  # the next window
    again = (await gql(VERIFY, verify, **account.headers))["data"]["verifyPayment"]
    assert again["errors"][0]["code"] == "PAYMENT_NOT_SUCCESSFUL"
