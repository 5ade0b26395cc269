"""Payment reconciliation: a payer who paid, whose webhook never came and who never returned
to the callback page, is let in by the job; and it asks once per payment and step."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from edxelera_gql.enrollment.models import PaymentTransaction
from edxelera_gql.infra import versions
from edxelera_gql.jobs import tasks
from edxelera_gql.mail_settings import SmtpSettings
from edxelera_gql.notifications import sender
from edxelera_gql.notifications.mailer import Mailer
from tests.support.factories import make_program
from tests.support.jobs import inline_context
from tests.support.paystack import deliver, fresh_headers, payment_rows
from tests.support.users import create_account

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
  billingStatus { enrollmentStatus lastPayment { status } } errors { code } } }"""
HOME = """query($s: String!) { programHome(programSlug: $s) { program { slug } } }"""


async def paid_without_webhook(gql, app, sessionmaker, paystack):
    """A learner paid at Paystack (the sandbox has no webhook URL, so nothing was delivered)."""
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    assert started["errors"] == []
    paystack.complete(started["reference"])
    return account, cohort, started["reference"]


async def test_reconciliation_activates_a_paid_learner_whose_webhook_never_came(
    gql, app, sessionmaker, paystack, clock
) -> None:
    account, _cohort, reference = await paid_without_webhook(gql, app, sessionmaker, paystack)
    jc = inline_context(app)

    clock.advance(minutes=14)
    assert await tasks.run_job("reconcile_payments", jc) == 0  # too early: the webhook may come
    assert paystack.calls["verify"] == 0
    refused = await gql(
        HOME, {"s": "paid"}, **await fresh_headers(app, sessionmaker, account.user_id)
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_ENROLLED"

    clock.advance(minutes=2)
    assert await tasks.run_job("reconcile_payments", jc) == 1
    assert paystack.calls["verify"] == 1
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]
    assert rows.events == []  # no webhook was recorded: the job applied Paystack's verify
    home = await gql(HOME, {"s": "paid"}, **await fresh_headers(app, sessionmaker, account.user_id))
    assert home["data"]["programHome"]["program"]["slug"] == "paid"

    # The same step is not asked about twice, and a settled payment is not asked about again.
    assert await tasks.run_job("reconcile_payments", jc) == 0
    clock.advance(minutes=20)
    assert await tasks.run_job("reconcile_payments", jc) == 0
    assert paystack.calls["verify"] == 1


async def test_an_unpaid_payment_is_asked_about_with_backoff_until_the_window_closes(
    gql, app, sessionmaker, paystack, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    await gql(INIT, {"s": "paid"}, **account.headers)
    jc = inline_context(app)
    # Walk the clock through two days, scanning every five minutes as the schedule would.
    start = clock.now()
    asked_at = []
    for minute in range(0, 50 * 60, 5):
        clock.set(start + timedelta(minutes=minute))
        before = paystack.calls["verify"]
        await tasks.run_job("reconcile_payments", jc)
        if paystack.calls["verify"] > before:
            asked_at.append(minute)
    # Once per step (15 min ... 48 h), at the first scan past it; nothing after the window.
    assert asked_at == [15, 30, 60, 120, 240, 480, 1440, 2880]
    async with sessionmaker() as session:
        status = await session.scalar(select(PaymentTransaction.status))
    assert status == "abandoned"  # what Paystack says of a checkout nobody paid


async def test_a_payer_who_pays_hours_later_is_let_in_at_the_next_step(
    gql, app, sessionmaker, paystack, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    reference = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"][
        "reference"
    ]
    jc = inline_context(app)
    start = clock.now()
    asked_at = []
    for minute in range(0, 50 * 60, 5):
        clock.set(start + timedelta(minutes=minute))
        if minute == 200:
            paystack.complete(reference)  # back at the open checkout after three hours
        before = paystack.calls["verify"]
        await tasks.run_job("reconcile_payments", jc)
        if paystack.calls["verify"] > before:
            asked_at.append(minute)
    assert asked_at == [15, 30, 60, 120, 240]  # abandoned meanwhile, then paid: asked no more
    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]


async def test_webhook_callback_and_job_racing_apply_the_payment_once(
    gql, client, app, sessionmaker, paystack, clock, is_mysql, smtp_server
) -> None:
    """The three ways a verdict arrives, all at once, several times each (row locks decide;
    on SQLite the writes queue, on MariaDB they really race)."""
    if not is_mysql:
        pytest.skip("real concurrency needs MariaDB (set TEST_DATABASE_URL)")
    account, cohort, reference = await paid_without_webhook(gql, app, sessionmaker, paystack)
    clock.advance(minutes=16)
    headers = await fresh_headers(app, sessionmaker, account.user_id)
    jc = inline_context(app)
    results = await asyncio.gather(
        *[deliver(client, paystack, "charge.success", reference) for _ in range(5)],
        *[gql(VERIFY, {"r": reference}, **headers) for _ in range(5)],
        *[tasks.run_job("reconcile_payment", jc, reference=reference) for _ in range(5)],
    )
    delivered, verified, reconciled = results[:5], results[5:10], results[10:]
    assert [d.status_code for d in delivered] == [200] * 5
    assert Counter(d.json()["outcome"] for d in delivered)["duplicate"] == 4
    answers = [v["data"]["verifyPayment"] for v in verified]
    assert all(a["errors"] == [] for a in answers), answers
    assert {a["billingStatus"]["enrollmentStatus"] for a in answers} == {"ACTIVE"}
    assert set(reconciled) <= {"success", "unchanged:success", "settled"}

    rows = await payment_rows(sessionmaker)
    assert [(e.status, e.payment_reference) for e in rows.enrollments] == [("active", reference)]
    assert [t.status for t in rows.transactions] == ["success"]
    assert [e.dedupe_key for e in rows.events] == [f"charge.success:{reference}"]
    # One state change: one cache-version bump after initPayment's.
    scope = versions.viewer_program_scope(account.user_id, cohort.id)
    assert await versions.current(app.state.cache, scope) == "2"
    # ...and one receipt, even with three senders at once.
    mailer = Mailer(SmtpSettings(host="127.0.0.1", port=smtp_server.port, tls="none"))
    send = {"mailer": mailer, "public_base_url": "http://testserver", "verify_url_template": None}
    await asyncio.gather(
        *[sender.send_pending(sessionmaker, now=clock.now(), **send) for _ in range(3)]
    )
    [receipt] = smtp_server.inbox.messages
    assert reference in receipt.get_body(preferencelist=("plain",)).get_content()
