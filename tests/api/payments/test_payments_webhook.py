"""`POST /webhooks/paystack`: signatures, bodies, dedupe, unknown events and references,
Paystack being down while a charge is confirmed, and the statement budget of one delivery."""

from __future__ import annotations

import json
import time

import httpx
from sqlalchemy import select

from edxelera_gql.enrollment.models import PaymentEvent
from edxelera_gql.enrollment.paystack import sign
from edxelera_gql.paystack_sandbox import PaystackSandbox
from tests.support.factories import make_program
from tests.support.paystack import (
    TEST_PAYSTACK_SECRET,
    deliver,
    payment_rows,
)
from tests.support.sql import count_statements
from tests.support.users import create_account

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
  billingStatus { enrollmentStatus lastPayment { status } } errors { code } } }"""


async def started_payment(gql, app, sessionmaker) -> tuple[str, int]:
    """A student with an open checkout for a paid program: (reference, user id)."""
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    result = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    assert result["errors"] == []
    return result["reference"], account.user_id


async def post_raw(client: httpx.AsyncClient, body: bytes, signature: str | None):
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-paystack-signature"] = signature
    return await client.post("/webhooks/paystack", content=body, headers=headers)


async def test_bad_or_missing_signatures_get_401_and_store_nothing(
    client, gql, app, sessionmaker, paystack: PaystackSandbox
) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    body, headers = paystack.signed(paystack.event("charge.success", reference))
    good = headers["x-paystack-signature"]
    tampered = good[:-1] + ("1" if good[-1] == "0" else "0")
    for signature in [None, "", "0" * 128, sign("sk_test_other_key", body), tampered]:
        response = await post_raw(client, body, signature)
        assert response.status_code == 401, signature
    # The right signature over a different body is no signature at all.
    assert (await post_raw(client, body + b" ", good)).status_code == 401
    rows = await payment_rows(sessionmaker)
    assert rows.events == []
    assert [e.status for e in rows.enrollments] == ["pending_payment"]
    assert paystack.calls["verify"] == 0


async def test_signed_bodies_that_are_not_events_get_400(client, sessionmaker) -> None:
    for body in [b"not json", b"[1, 2]", b'{"event": "charge.success"}', b'{"data": {}}',
                 b'{"event": 5, "data": {}}', b'{"event": "x", "data": []}', b"\xff\xfe"]:  # fmt: skip
        response = await post_raw(client, body, sign(TEST_PAYSTACK_SECRET, body))
        assert response.status_code == 400, body
    assert (await payment_rows(sessionmaker)).events == []


async def test_oversized_bodies_get_413_before_anything_else(client, sessionmaker) -> None:
    body = json.dumps({"event": "charge.success", "data": {"pad": "x" * 1_000_001}}).encode()
    assert (await post_raw(client, body, sign(TEST_PAYSTACK_SECRET, body))).status_code == 413
    assert (await post_raw(client, body, None)).status_code == 413
    assert (await payment_rows(sessionmaker)).events == []


async def test_unknown_references_and_events_are_recorded_without_effect(
    client, sessionmaker, paystack
) -> None:
    charge = {"event": "charge.success", "data": {"reference": "edx-nobody00000000000"}}
    transfer = {"event": "transfer.success", "data": {"reference": "TRF_1", "amount": 10}}
    refund = {"event": "refund.processed", "data": {"transaction_reference": "T_not_ours_1",
                                                    "status": "processed"}}  # fmt: skip
    odd = {"event": "charge.success", "data": {"reference": "has spaces & symbols"}}
    for payload in [charge, transfer, refund, odd]:
        body = json.dumps(payload).encode()
        response = await post_raw(client, body, sign(TEST_PAYSTACK_SECRET, body))
        assert response.status_code == 200, payload
    events = (await payment_rows(sessionmaker)).events
    assert [(e.event, e.reference, e.outcome) for e in events] == [
        ("charge.success", "edx-nobody00000000000", "unknown_reference"),
        ("transfer.success", "TRF_1", "ignored"),
        ("refund.processed", "T_not_ours_1", "unknown_reference"),
        ("charge.success", "has spaces & symbols", "unknown_reference"),
    ]
    assert events[0].payload == json.dumps(charge)
    assert paystack.calls["verify"] == 0  # nothing to confirm: no such transaction here

    # Redelivered, each is a duplicate: 200 and nothing new.
    for payload in [charge, transfer]:
        body = json.dumps(payload).encode()
        response = await post_raw(client, body, sign(TEST_PAYSTACK_SECRET, body))
        assert response.json()["outcome"] == "duplicate"
    assert len((await payment_rows(sessionmaker)).events) == 4


async def test_a_charge_is_applied_once_however_often_it_is_delivered(
    client, gql, app, sessionmaker, paystack
) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    first = await deliver(client, paystack, "charge.success", reference)
    assert (first.status_code, first.json()["outcome"]) == (200, "success")
    for _ in range(3):
        again = await deliver(client, paystack, "charge.success", reference)
        assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    rows = await payment_rows(sessionmaker)
    assert [e.dedupe_key for e in rows.events] == [f"charge.success:{reference}"]
    assert [t.status for t in rows.transactions] == ["success"]
    assert [e.status for e in rows.enrollments] == ["active"]
    assert paystack.calls["verify"] == 1  # duplicates are answered before asking Paystack
    # What is kept of the delivery: no reusable authorization code, card or customer data.
    stored = json.loads(rows.events[0].payload)
    assert stored["data"]["reference"] == reference
    assert stored["data"]["authorization"]["authorization_code"] == "[redacted]"
    assert stored["data"]["authorization"]["last4"] == "[redacted]"
    assert "AUTH_sandbox" not in rows.events[0].payload
    assert "4081" not in rows.events[0].payload


async def test_the_webhook_trusts_verify_not_the_event(client, gql, app, sessionmaker, paystack):
    """A signed charge.success whose payment Paystack does not confirm grants nothing."""
    reference, _ = await started_payment(gql, app, sessionmaker)
    # Not paid at Paystack (verify says "abandoned"), though the event claims success.
    response = await deliver(client, paystack, "charge.success", reference)
    assert response.status_code == 200
    rows = await payment_rows(sessionmaker)
    assert [e.status for e in rows.enrollments] == ["pending_payment"]
    assert [t.status for t in rows.transactions] == ["abandoned"]
    assert [e.outcome for e in rows.events] == ["abandoned"]


async def test_paystack_down_during_a_webhook_answers_503_and_records_nothing(
    client, gql, app, sessionmaker, paystack
) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    paystack.fail("verify", status=500)
    response = await deliver(client, paystack, "charge.success", reference)
    assert response.status_code == 503
    rows = await payment_rows(sessionmaker)
    assert rows.events == []  # so the redelivery is not mistaken for a duplicate
    assert [e.status for e in rows.enrollments] == ["pending_payment"]

    paystack.heal()
    redelivered = await deliver(client, paystack, "charge.success", reference)
    assert (redelivered.status_code, redelivered.json()["outcome"]) == (200, "success")
    rows = await payment_rows(sessionmaker)
    assert [e.status for e in rows.enrollments] == ["active"]
    assert [e.outcome for e in rows.events] == ["success"]


async def test_a_hanging_paystack_gets_one_deadline_for_all_verify_attempts(
    client, gql, app, sessionmaker, paystack
) -> None:
    """Two attempts of 1 s each (and the backoff) would take 2.2 s; the deadline cuts both."""
    app.state.settings = app.state.settings.with_overrides(webhook_verify_deadline_seconds=1.5)
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    paystack.fail("verify", status=None, delay_seconds=10)
    started = time.perf_counter()
    response = await deliver(client, paystack, "charge.success", reference)
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert 1.4 < elapsed < 1.9
    assert (await payment_rows(sessionmaker)).events == []


async def test_refund_events_other_than_processed_change_nothing(
    client, gql, app, sessionmaker, paystack
) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    await deliver(client, paystack, "charge.success", reference)
    for event in ["refund.pending", "refund.processing", "refund.failed", "refund.needs-attention"]:
        response = await deliver(client, paystack, event, reference)
        assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    rows = await payment_rows(sessionmaker)
    assert [e.status for e in rows.enrollments] == ["active"]
    processed = await deliver(client, paystack, "refund.processed", reference)
    assert processed.json()["outcome"] == "reversed"
    again = await deliver(client, paystack, "refund.processed", reference)
    assert again.json()["outcome"] == "duplicate"
    rows = await payment_rows(sessionmaker)
    assert [e.status for e in rows.enrollments] == ["refunded"]
    assert [t.status for t in rows.transactions] == ["reversed"]
    async with sessionmaker() as session:
        keys = (await session.scalars(select(PaymentEvent.dedupe_key))).all()
    assert f"refund.processed:{reference}:processed" in keys


async def test_a_refund_of_an_unpaid_transaction_is_recorded_without_effect(
    client, gql, app, sessionmaker, paystack
) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    response = await deliver(client, paystack, "refund.processed", reference)
    assert response.json()["outcome"] == "unchanged:initialized"
    rows = await payment_rows(sessionmaker)
    assert [(e.event, e.outcome) for e in rows.events] == [
        ("refund.processed", "unchanged:initialized")
    ]
    assert [t.status for t in rows.transactions] == ["initialized"]


async def test_statements_of_one_webhook_delivery(client, gql, app, sessionmaker, paystack) -> None:
    reference, _ = await started_payment(gql, app, sessionmaker)
    paystack.complete(reference)
    with count_statements(app.state.engine) as first:
        await deliver(client, paystack, "charge.success", reference)
    # dedupe+known check, lock transaction, lock the enrollment its checkout made, 2 updates,
    # insert event, the viewer's cache version in the database (db.versions), the receipt
    # email's outbox row
    assert first.count == 8, str(first)
    with count_statements(app.state.engine) as duplicate:
        await deliver(client, paystack, "charge.success", reference)
    assert duplicate.count == 1, str(duplicate)


async def test_a_webhook_completes_a_payment_whose_verify_call_failed(
    client, gql, app, sessionmaker, paystack
) -> None:
    """The callback's verifyPayment meets a Paystack outage; the later webhook still enrolls."""
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    reference = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"][
        "reference"
    ]
    paystack.complete(reference)
    paystack.fail("verify", status=500)
    failed = (await gql(VERIFY, {"r": reference}, **account.headers))["data"]["verifyPayment"]
    assert [e["code"] for e in failed["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert failed["billingStatus"] is None
    assert paystack.calls["verify"] == 2  # verify is retried once
    rows = await payment_rows(sessionmaker)
    assert [t.status for t in rows.transactions] == ["initialized"]

    paystack.heal()
    response = await deliver(client, paystack, "charge.success", reference)
    assert response.json()["outcome"] == "success"
    again = (await gql(VERIFY, {"r": reference}, **account.headers))["data"]["verifyPayment"]
    assert again == {
        "billingStatus": {"enrollmentStatus": "ACTIVE", "lastPayment": {"status": "SUCCESS"}},
        "errors": [],
    }
