"""`canEnroll` over HTTP: signed in or out, the window edges, staff and unpublished programs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.factories import make_program
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

CAN_ENROLL = """query($s: String!) {
  canEnroll(programSlug: $s) { allowed reason closesAt isLateJoin } }"""
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # the factory's default start


async def ask(gql, slug: str, headers: dict[str, str] | None = None) -> dict:
    result = await gql(CAN_ENROLL, {"s": slug}, **(headers or {}))
    return result["data"]["canEnroll"] if (result.get("data") or {}).get("canEnroll") else result


async def test_signed_out_viewers_get_the_window_facts(gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="p", weeks=3, late_join_enabled=True)
    assert await ask(gql, "p") == {
        "allowed": False,
        "reason": "SIGN_IN_REQUIRED",
        "closesAt": "2027-02-27T08:00:00.000000Z",
        "isLateJoin": False,
    }
    clock.set(START + timedelta(days=1))
    assert await ask(gql, "p") == {
        "allowed": False,
        "reason": "SIGN_IN_REQUIRED",
        "closesAt": "2027-03-08T08:00:00.000000Z",  # week 2 opens with the 7th late-join day
        "isLateJoin": True,
    }
    clock.set(START + timedelta(days=7))
    assert await ask(gql, "p") == {
        "allowed": False,
        "reason": "WEEK_TWO_UNLOCKED",
        "closesAt": "2027-03-08T08:00:00.000000Z",
        "isLateJoin": False,
    }


async def test_signed_in_viewers_across_the_regular_close(gql, app, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="p", weeks=3)
    close = START - timedelta(hours=48)
    clock.set(close - timedelta(seconds=1))
    account = await create_account(app, sessionmaker)
    assert await ask(gql, "p", account.headers) == {
        "allowed": True,
        "reason": None,
        "closesAt": "2027-02-27T08:00:00.000000Z",
        "isLateJoin": False,
    }
    clock.set(close)
    assert (await ask(gql, "p", account.headers))["reason"] == "ENROLLMENT_CLOSED"


async def test_enrolled_viewers_are_told_so(gql, app, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="p")
    account = await create_account(app, sessionmaker)
    await enroll(
        sessionmaker, user_id=account.user_id, cohort_id=cohort.id, status="pending_payment"
    )
    assert (await ask(gql, "p", account.headers))["allowed"] is True
    other = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=other.user_id, cohort_id=cohort.id)
    assert (await ask(gql, "p", other.headers))["reason"] == "ALREADY_ENROLLED"
    assert (await ask(gql, "p", account.headers))["allowed"] is True  # per viewer


async def test_unknown_and_unpublished_programs(gql, app, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        hidden = await make_program(session, slug="hidden", published=False)
    student = await create_account(app, sessionmaker)
    staff = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[hidden.id])
    elsewhere = await create_account(app, sessionmaker, roles=("instructor",))
    for headers in [None, student.headers, elsewhere.headers]:
        for slug in ["nope", "hidden"]:
            result = await ask(gql, slug, headers)
            assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await ask(gql, "hidden", staff.headers))["reason"] == "NOT_PUBLISHED"


async def test_ended_programs(gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="p", weeks=2)
    clock.set(cohort.end_at_utc)
    assert (await ask(gql, "p"))["reason"] == "PROGRAM_ENDED"


async def test_can_enroll_is_one_statement(gql, app, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="p", weeks=6, courses=3, lessons_per_week=4)
    account = await create_account(app, sessionmaker)
    await ask(gql, "p", account.headers)  # resolves and caches the viewer
    with count_statements(app.state.engine) as signed_in:
        await ask(gql, "p", account.headers)
    with count_statements(app.state.engine) as signed_out:
        await ask(gql, "p")
    # The program, week 2's release and the viewer's enrollment in one statement.
    assert signed_in.count == 1, str(signed_in)
    assert signed_out.count == 1, str(signed_out)
