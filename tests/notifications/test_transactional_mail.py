"""The emails of a change with a transaction of its own: the enrollment confirmation with its
receipt, and the certificate with its verification link. Once each, however often the payment
is applied or the sender job runs again, and an SMTP failure loses nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from edxelera_gql.auth.models import RefreshToken, User
from edxelera_gql.db.outbox import OutboxEmail
from edxelera_gql.jobs.tasks import run_job
from edxelera_gql.notifications import rules, sender
from tests.support.factories import make_program
from tests.support.learning import COMPLETE_LESSON, build_program, course_lessons, fresh
from tests.support.metrics import scrape
from tests.support.smtp import html_of, text_of
from tests.support.users import create_account, enroll

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) { errors { code } } }"""


async def _outbox(sessionmaker) -> list[OutboxEmail]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


async def _paid_enrollment(app, gql, sessionmaker, paystack) -> tuple[str, str]:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_500_000)
    account = await create_account(app, sessionmaker, email="payer@example.com")
    started = (await gql(INIT, {"s": "paid"}, **account.headers))["data"]["initPayment"]
    paystack.complete(started["reference"])
    return started["reference"], account.email


async def test_a_paid_enrollment_is_confirmed_once_with_its_receipt(
    app, gql, jc, sessionmaker, paystack, clock, smtp_server
) -> None:
    reference, email = await _paid_enrollment(app, gql, sessionmaker, paystack)
    assert await _outbox(sessionmaker) == []  # nothing before the payment is applied
    await gql(VERIFY, {"r": reference}, **(await _headers(app, sessionmaker, email)))
    # The same verdict again: reconciliation (as if the webhook came late) changes nothing.
    await run_job("reconcile_payment", jc, reference=reference)
    [row] = await _outbox(sessionmaker)
    assert (row.kind, row.status) == ("enrollment_confirmed", "pending")

    await run_job("notifications_send", jc)
    await run_job("notifications_send", jc)  # the job retried, or the next minute's run
    [message] = smtp_server.inbox.messages
    assert message["To"] == f"Test User <{email}>"
    assert message["Subject"] == "You're enrolled in Program paid"
    for part in (text_of(message), html_of(message)):
        assert "NGN 15,000.00" in part
        assert reference in part
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.recipient, row.attempts) == ("sent", email, 1)


async def _headers(app, sessionmaker, email: str) -> dict[str, str]:
    """A fresh bearer header for the account with ``email`` at the app clock's now."""
    async with sessionmaker() as session:
        user_id, family = (
            await session.execute(
                select(User.id, RefreshToken.family_id)
                .join(RefreshToken, RefreshToken.user_id == User.id)
                .where(User.email == email)
            )
        ).one()
    token = app.state.token_codec.issue(
        user_id=user_id, session_id=family, now=app.state.clock.now()
    ).token
    return {"Authorization": f"Bearer {token}"}


async def test_a_sender_that_died_mid_batch_sends_its_rows_once_after_the_lease(
    app, gql, jc, sessionmaker, paystack, clock, smtp_server
) -> None:
    reference, email = await _paid_enrollment(app, gql, sessionmaker, paystack)
    await gql(VERIFY, {"r": reference}, **(await _headers(app, sessionmaker, email)))
    # A worker claims the row, then dies before sending (or before marking it).
    claimed = await sender.claim(sessionmaker, now=clock.now(), token="dead" * 8, limit=10)
    assert len(claimed) == 1
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.messages == []  # still leased to the dead worker
    clock.advance(seconds=sender.LEASE.total_seconds() + 1)
    await run_job("notifications_send", jc)
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.recipients() == [email]
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 2, None)


async def test_a_free_enrollment_is_confirmed_without_a_payment(
    app, gql, jc, sessionmaker, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="free", late_join_enabled=True)
    account = await create_account(app, sessionmaker, email="free@example.com")
    answer = await gql(INIT, {"s": "free"}, **account.headers)
    assert answer["data"]["initPayment"]["errors"] == []
    await gql(INIT, {"s": "free"}, **account.headers)  # again: already active, no second row
    await run_job("notifications_send", jc)
    [message] = smtp_server.inbox.messages
    assert "This program is free" in text_of(message)


async def test_certificates_are_mailed_once_with_their_verification_link(
    app, gql, jc, sessionmaker, clock, mail_settings, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="cert", courses=1, weeks=1, lessons_per_week=1)
        [lesson] = await course_lessons(session, p.course(0))
    clock.set(p.release(1) + timedelta(hours=1))  # before signing in: sessions expire
    student = await create_account(app, sessionmaker, email="grad@example.com")
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    for _ in range(2):  # completing it again issues nothing new
        result = await gql(
            COMPLETE_LESSON, {"course": p.course(0), "lesson": lesson}, **fresh(app, student)
        )
        assert result["data"]["completeLesson"]["errors"] == [], result
    await run_job("notifications_send", jc)
    await run_job("notifications_send", jc)
    messages = smtp_server.inbox.messages
    assert len(messages) == 2  # the course's certificate and the program's
    rows = await _outbox(sessionmaker)
    numbers = sorted(r.payload["certificate_number"] for r in rows)
    links = sorted(f"{mail_settings.public_base_url}/certificates/verify/{n}" for n in numbers)
    assert (
        sorted(
            next(line.split(" at ")[-1] for line in text_of(m).splitlines() if "verify it" in line)
            for m in messages
        )
        == links
    )


async def test_an_smtp_outage_is_retried_with_backoff_and_nothing_is_lost(
    app, gql, client, jc, sessionmaker, paystack, clock, smtp_server
) -> None:
    reference, email = await _paid_enrollment(app, gql, sessionmaker, paystack)
    await gql(VERIFY, {"r": reference}, **(await _headers(app, sessionmaker, email)))
    before = await scrape(client)

    smtp_server.stop()  # the relay is down
    await run_job("notifications_send", jc)
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at_utc == clock.now() + timedelta(seconds=30)
    assert row.last_error

    smtp_server.start()
    smtp_server.inbox.refuse.append("451 4.3.0 try again later")  # up, but busy once
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.messages == []  # not due yet: backing off
    clock.advance(seconds=30)
    await run_job("notifications_send", jc)
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.next_attempt_at_utc == clock.now() + timedelta(minutes=1)
    clock.advance(minutes=1)
    await run_job("notifications_send", jc)
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.recipients() == [email]
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    after = await scrape(client)
    kind = {"kind": "enrollment_confirmed"}
    failed = "edxelera_emails_failed_total"
    assert (
        after.value(failed, **kind, outcome="retry") - before.value(failed, **kind, outcome="retry")
        == 2
    )
    sent = "edxelera_emails_sent_total"
    assert after.value(sent, **kind) - before.value(sent, **kind) == 1


async def test_a_refused_recipient_is_kept_as_failed(
    app, gql, jc, sessionmaker, paystack, smtp_server
) -> None:
    reference, email = await _paid_enrollment(app, gql, sessionmaker, paystack)
    await gql(VERIFY, {"r": reference}, **(await _headers(app, sessionmaker, email)))
    smtp_server.inbox.refuse.append("550 5.1.1 no such mailbox")
    await run_job("notifications_send", jc)
    await run_job("notifications_send", jc)
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in (row.last_error or "")
    assert smtp_server.inbox.messages == []


async def test_a_row_no_sender_ever_finished_is_given_up_and_kept(
    app, gql, jc, sessionmaker, paystack, clock, smtp_server
) -> None:
    reference, email = await _paid_enrollment(app, gql, sessionmaker, paystack)
    await gql(VERIFY, {"r": reference}, **(await _headers(app, sessionmaker, email)))
    async with sessionmaker() as session, session.begin():  # senders died on it every time
        await session.execute(
            update(OutboxEmail).values(
                status="sending",
                attempts=rules.MAX_ATTEMPTS,
                claim_token="x" * 32,
                claimed_until_utc=clock.now() - timedelta(seconds=1),
            )
        )
    await run_job("notifications_send", jc)
    [row] = await _outbox(sessionmaker)
    assert (row.status, row.claim_token) == ("failed", None)
    assert "no outcome" in (row.last_error or "")
    assert smtp_server.inbox.messages == []


async def test_a_name_with_a_line_break_cannot_reach_the_headers(
    app, gql, jc, sessionmaker, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="free", late_join_enabled=True)
    account = await create_account(
        app, sessionmaker, email="eve@example.com", full_name="Eve\r\nBcc: all@example.com"
    )
    await gql(INIT, {"s": "free"}, **account.headers)
    await run_job("notifications_send", jc)
    [message] = smtp_server.inbox.messages
    assert message["Bcc"] is None
    assert message["To"] == '"Eve Bcc: all@example.com" <eve@example.com>'
