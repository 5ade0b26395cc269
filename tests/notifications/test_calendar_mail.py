"""The calendar's emails, end to end: the scan and the sender jobs (as `serve` runs them in
development), real SMTP on loopback, the opt-out set through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from edxelera_gql.catalog.models import Assignment, Cohort, Week
from edxelera_gql.db.outbox import OutboxEmail
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.jobs.tasks import run_job
from tests.support.factories import make_program
from tests.support.smtp import html_of, text_of
from tests.support.users import create_account, enroll

OPT_OUT = """mutation($k: NotificationKind!) { updateNotificationPreferences(input:
  {preferences: [{kind: $k, enabled: false}]}) { preferences { kind enabled } errors { code } } }"""
# Week 1 opens at 09:00 Lagos time (08:00 UTC), week 2 a week later.
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


async def _learners(app, sessionmaker, cohort_id: int) -> dict[str, object]:
    """Three active learners, one who opted out of week mails, one pending, one refunded."""
    made = {}
    for name, status in [
        ("ada", "active"), ("bola", "active"), ("chidi", "active"), ("opted", "active"),
        ("pending", "pending_payment"), ("refunded", "refunded"),
    ]:  # fmt: skip
        account = await create_account(app, sessionmaker, email=f"{name}@example.com")
        await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort_id, status=status)
        made[name] = account
    return made


async def _tick(jc) -> None:
    """One minute of the schedule: the scan, then the sender."""
    await run_job("notifications_scan", jc)
    await run_job("notifications_send", jc)


async def test_a_week_release_mails_each_active_learner_once_at_its_local_time(
    app, gql, jc, sessionmaker, clock, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="lagos", weeks=2, start=START)
    people = await _learners(app, sessionmaker, cohort.id)
    answer = await gql(OPT_OUT, {"k": "WEEK_RELEASED"}, **people["opted"].headers)
    assert answer["data"]["updateNotificationPreferences"]["errors"] == []

    clock.set(START + timedelta(days=7) - timedelta(seconds=1))  # 08:59:59 in Lagos, week 2
    await _tick(jc)
    week_one = smtp_server.inbox.recipients()
    # Week 1 opened a week ago: past the look-back, no mail. Week 2 not yet open.
    assert week_one == []

    clock.set(START + timedelta(days=7))  # 09:00 Lagos time: week 2 opens
    await _tick(jc)
    await _tick(jc)  # the next minute finds nothing new
    clock.advance(minutes=5)
    await _tick(jc)
    assert smtp_server.inbox.recipients() == [
        "ada@example.com", "bola@example.com", "chidi@example.com",
    ]  # fmt: skip
    message = smtp_server.inbox.to("ada@example.com")[0]
    assert message["Subject"] == "Program lagos: week 2 is open"
    assert "Week 2 of Program lagos" in text_of(message)
    assert "<p>Hello Test User,</p>" in html_of(message)
    assert message["Message-ID"].startswith("<outbox-")


async def test_a_learner_who_opts_out_after_the_scan_is_not_mailed(
    app, gql, jc, sessionmaker, clock, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="late-opt", weeks=1, start=START)
    clock.set(START + timedelta(minutes=1))  # before signing in: the token is issued now
    ada = await create_account(app, sessionmaker, email="ada@example.com")
    await enroll(sessionmaker, user_id=ada.user_id, cohort_id=cohort.id)
    await run_job("notifications_scan", jc)  # the row is written...
    answer = await gql(OPT_OUT, {"k": "WEEK_RELEASED"}, **ada.headers)  # ...then she opts out
    assert answer["data"]["updateNotificationPreferences"]["errors"] == []
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.messages == []
    async with sessionmaker() as session:
        assert (await session.scalars(select(OutboxEmail.status))).all() == ["skipped"]


async def _london_program_with_deadline(sessionmaker, deadline: datetime) -> int:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="london", weeks=1, start=START)
        await session.execute(
            update(Cohort).where(Cohort.id == cohort.id).values(timezone="Europe/London")
        )
        week_id = await session.scalar(select(Week.id).where(Week.cohort_id == cohort.id))
        await session.execute(
            update(Week).where(Week.id == week_id).values(assignment_deadline_utc=deadline)
        )
        session.add(
            Assignment(week_id=week_id, title="Essay <1>", instructions="", submission_type="text")
        )
    return cohort.id


async def test_a_deadline_reminder_goes_at_the_right_local_time_across_a_dst_change(
    app, gql, jc, sessionmaker, clock, smtp_server
) -> None:
    """London moves to BST at 01:00 UTC on Sunday 28 March 2027. An assignment due Sunday at
    09:00 BST (08:00 UTC) is announced Saturday at 09:00 GMT (09:00 UTC): 23 hours before,
    not 24 (which would be 08:00 on Saturday, London time)."""
    deadline = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    cohort_id = await _london_program_with_deadline(sessionmaker, deadline)
    people = await _learners(app, sessionmaker, cohort_id)
    await gql(OPT_OUT, {"k": "ASSIGNMENT_DUE"}, **people["opted"].headers)

    clock.set(deadline - timedelta(hours=24))  # Saturday 08:00 in London: too early
    await _tick(jc)
    clock.set(datetime(2027, 3, 27, 8, 59, 59, tzinfo=UTC))
    await _tick(jc)
    assert smtp_server.inbox.messages == []

    clock.set(datetime(2027, 3, 27, 9, 0, tzinfo=UTC))  # Saturday 09:00 in London
    await _tick(jc)
    clock.advance(hours=3)
    await _tick(jc)
    clock.set(deadline - timedelta(minutes=1))
    await _tick(jc)
    assert smtp_server.inbox.recipients() == [
        "ada@example.com", "bola@example.com", "chidi@example.com",
    ]  # fmt: skip
    message = smtp_server.inbox.to("bola@example.com")[0]
    assert message["Subject"] == "Program london: “Essay <1>” is due tomorrow"
    assert "Sunday 28 March 2027 at 09:00 (Europe/London time)" in text_of(message)
    assert "Essay &lt;1&gt;" in html_of(message)


async def test_after_the_clocks_go_back_the_reminder_is_25_hours_early(
    app, jc, sessionmaker, clock, smtp_server
) -> None:
    # BST ends at 01:00 UTC on Sunday 31 October 2027; due Sunday 09:00 GMT (09:00 UTC).
    deadline = datetime(2027, 10, 31, 9, 0, tzinfo=UTC)
    cohort_id = await _london_program_with_deadline(sessionmaker, deadline)
    ada = await create_account(app, sessionmaker, email="ada@example.com")
    await enroll(sessionmaker, user_id=ada.user_id, cohort_id=cohort_id)
    clock.set(datetime(2027, 10, 30, 7, 59, tzinfo=UTC))  # Saturday 08:59 BST
    await _tick(jc)
    assert smtp_server.inbox.messages == []
    clock.set(datetime(2027, 10, 30, 8, 0, tzinfo=UTC))  # Saturday 09:00 BST: 25 h before
    await _tick(jc)
    assert smtp_server.inbox.recipients() == ["ada@example.com"]


async def test_a_learner_who_left_before_the_send_gets_no_program_mail(
    app, jc, sessionmaker, clock, smtp_server
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="left", weeks=1, start=START)
    clock.set(START + timedelta(minutes=1))
    ada = await create_account(app, sessionmaker, email="ada@example.com")
    await enroll(sessionmaker, user_id=ada.user_id, cohort_id=cohort.id)
    await run_job("notifications_scan", jc)
    async with sessionmaker() as session, session.begin():  # refunded meanwhile
        await session.execute(update(Enrollment).values(status="refunded"))
    await run_job("notifications_send", jc)
    assert smtp_server.inbox.messages == []
    async with sessionmaker() as session:
        assert (await session.scalars(select(OutboxEmail.status))).all() == ["skipped"]
