"""The learner's calendar feed: every release, deadline and live session at the right instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select, update

from edxelera_gql.catalog.models import Assignment, Week
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

URL = "{ calendarFeedUrl }"
ROTATE = "mutation { rotateCalendarFeed { url errors { code } } }"
# 09:00 in New York on Monday 1 March 2027; the US moves its clocks on 14 March.
START = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


async def _program(sessionmaker, slug: str, *, weeks: int = 3):
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug=slug, weeks=weeks, start=START)
        rows = (await session.scalars(select(Week).where(Week.cohort_id == cohort.id))).all()
        for week in rows:
            # Releases at 09:00 New York time: 14:00Z before the change, 13:00Z after it.
            local_nine = 14 if week.week_number < 3 else 13
            week.release_at_utc = (START + timedelta(weeks=week.week_number - 1)).replace(
                hour=local_nine
            )
            week.assignment_deadline_utc = week.release_at_utc + timedelta(days=6)
            week.live_session_title = f"Office hours {week.week_number}"
            week.live_session_start_utc = week.release_at_utc + timedelta(days=2, hours=9)
            week.live_session_end_utc = week.live_session_start_utc + timedelta(hours=1)
            week.live_session_url = f"https://meet.example/{slug}-{week.week_number}"
            session.add(Assignment(week_id=week.id, title=f"Task {week.week_number}",
                                   instructions="", submission_type="text"))  # fmt: skip
    return cohort


async def _feed(client, url: str):
    path = url.split("127.0.0.1:8000", 1)[1]
    return await client.get(path)


def _events(body: bytes) -> dict[str, tuple[str, datetime, datetime]]:
    calendar = Calendar.from_ical(body)
    return {
        str(e["uid"]): (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"))
        for e in calendar.walk("VEVENT")
    }


async def test_the_feed_holds_each_week_at_the_right_instant_across_dst(
    app, client, gql, sessionmaker
) -> None:
    cohort = await _program(sessionmaker, "dst")
    await _program(sessionmaker, "elsewhere")  # not this learner's
    learner = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=learner.user_id, cohort_id=cohort.id)
    url = (await gql(URL, **learner.headers))["data"]["calendarFeedUrl"]
    assert url == (await gql(URL, **learner.headers))["data"]["calendarFeedUrl"]  # stable
    response = await _feed(client, url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = _events(response.content)
    assert len(events) == 9  # 3 weeks x (release, deadline, live session)
    release = {
        uid: start for uid, (_, start, _) in events.items() if uid.endswith("-release@127.0.0.1")
    }
    by_week = sorted(release.values())
    assert by_week == [
        datetime(2027, 3, 1, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 8, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 13, 0, tzinfo=UTC),  # still 09:00 in New York after the change
    ]
    live = [v for uid, v in events.items() if "-live@" in uid]
    assert all(end - start == timedelta(hours=1) for _, start, end in live)
    assert not any("elsewhere" in summary for summary, _, _ in events.values())


async def test_the_feed_follows_content_changes_with_the_same_uids(
    app, client, gql, sessionmaker
) -> None:
    cohort = await _program(sessionmaker, "moving")
    learner = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=learner.user_id, cohort_id=cohort.id)
    url = (await gql(URL, **learner.headers))["data"]["calendarFeedUrl"]
    before = _events((await _feed(client, url)).content)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Week)
            .where(Week.cohort_id == cohort.id, Week.week_number == 2)
            .values(release_at_utc=datetime(2027, 3, 9, 14, 0, tzinfo=UTC))
        )
    after = _events((await _feed(client, url)).content)
    assert set(after) == set(before)  # the same events, updated in place by a client
    moved = [uid for uid in after if after[uid] != before[uid]]
    assert moved == [f"program-{cohort.id}-week-2-release@127.0.0.1"]


async def test_rotating_the_feed_retires_the_old_url(app, client, gql, sessionmaker) -> None:
    learner = await create_account(app, sessionmaker)
    old = (await gql(URL, **learner.headers))["data"]["calendarFeedUrl"]
    rotated = (await gql(ROTATE, **learner.headers))["data"]["rotateCalendarFeed"]
    assert rotated["errors"] == []
    assert rotated["url"] != old
    assert (await _feed(client, old)).status_code == 404
    assert (await _feed(client, rotated["url"])).status_code == 200
    assert (await client.get("/calendar/not-a-real-token-at-all-000.ics")).status_code == 404
    assert (await gql(URL))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_staff_get_their_programs_and_admins_every_running_one(
    app, client, gql, sessionmaker
) -> None:
    one = await _program(sessionmaker, "one", weeks=1)
    await _program(sessionmaker, "two", weeks=1)
    instructor = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[one.id])
    admin = await create_account(app, sessionmaker, roles=("admin",))

    async def summaries(account) -> list[str]:
        url = (await gql(URL, **account.headers))["data"]["calendarFeedUrl"]
        return [s for s, _, _ in _events((await _feed(client, url)).content).values()]

    mine = await summaries(instructor)
    assert any("Program one" in s for s in mine)
    assert not any("Program two" in s for s in mine)
    every = await summaries(admin)
    assert any("Program one" in s for s in every)
    assert any("Program two" in s for s in every)


async def test_simultaneous_first_asks_agree_on_one_feed(app, gql, sessionmaker) -> None:
    import asyncio

    learner = await create_account(app, sessionmaker)
    answers = await asyncio.gather(*(gql(URL, **learner.headers) for _ in range(8)))
    urls = {a["data"]["calendarFeedUrl"] for a in answers}
    assert len(urls) == 1, answers
