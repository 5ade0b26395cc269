"""programHome, weekHub and courseProgress over HTTP: what a student and staff see, each lock
reason and transition, and who gets nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.catalog.models import Lesson
from tests.support.learning import (
    COMPLETE_LESSON,
    COURSE_PROGRESS,
    PROGRAM_HOME,
    WEEK_HUB,
    build_program,
    error_code,
    fresh,
    lesson,
    mark_completed,
    require,
)
from tests.support.users import create_account, enroll


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    # Accounts are made at the clock's now and their sessions last 30 days: start the clock
    # shortly before the programs (which start 2027-03-01) so the tests can move through them.
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


async def _student(app, sessionmaker, program, **kwargs):
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=program.id, **kwargs)
    return account


async def test_program_home_shows_progress_schedule_and_whats_next(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="home", courses=2, weeks=3, lessons_per_week=2)
    student = await _student(app, sessionmaker, p)
    # Week 2 released a day ago; week 1's deadline (= week 2's release) has passed.
    clock.set(p.release(2) + timedelta(days=1, hours=12))
    async with sessionmaker() as session, session.begin():
        await mark_completed(session, student.user_id, clock.now(), (p.course(0), "w1-l0"))

    result = await gql(PROGRAM_HOME, {"slug": "home"}, **fresh(app, student))

    assert "errors" not in result, result
    home = result["data"]["programHome"]
    assert home["program"]["slug"] == "home"
    assert [c["slug"] for c in home["program"]["courses"]] == ["home-c0", "home-c1"]
    assert home["enrollment"]["status"] == "ACTIVE"
    assert [
        (c["course"]["slug"], c["completedLessons"], c["totalLessons"], c["percentComplete"])
        for c in home["courses"]
    ] == [("home-c0", 1, 3, 33.33), ("home-c1", 0, 3, 0.0)]
    assert [
        (w["number"], w["isReleased"], w["lessonCount"], w["completedLessonCount"])
        for w in home["weeks"]
    ] == [(1, True, 2, 1), (2, True, 2, 0), (3, False, 2, 0)]
    assert home["currentWeek"] == {"number": 2}
    # Release order: week 1 first, course order, then sort order.
    assert home["nextLesson"]["slug"] == "w1-l1"
    assert home["nextLesson"]["course"]["slug"] == "home-c1"
    assert home["nextLesson"]["status"] == "AVAILABLE"
    assert home["nextDeadline"]["weekNumber"] == 2
    assert home["nextDeadline"]["isPastDeadline"] is False
    # Week 2's live session (day 2, 18:00) is over; week 3's is next, its week not yet out.
    live = home["nextLiveSession"]
    assert (live["weekNumber"], live["status"], live["url"]) == (3, "UPCOMING", None)
    assert home["certificates"] == []


async def test_program_home_next_live_session_link_once_released(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="live", weeks=2)
    student = await _student(app, sessionmaker, p)
    start = p.release(1).replace(hour=18) + timedelta(days=1)

    clock.set(start - timedelta(minutes=1))
    upcoming = (await gql(PROGRAM_HOME, {"slug": "live"}, **fresh(app, student)))["data"]
    clock.set(start)
    live = (await gql(PROGRAM_HOME, {"slug": "live"}, **fresh(app, student)))["data"]
    clock.set(start + timedelta(hours=1))
    after = (await gql(PROGRAM_HOME, {"slug": "live"}, **fresh(app, student)))["data"]

    assert upcoming["programHome"]["nextLiveSession"]["status"] == "UPCOMING"
    assert upcoming["programHome"]["nextLiveSession"]["url"] == "https://meet.example.com/live-1"
    assert live["programHome"]["nextLiveSession"]["status"] == "LIVE"
    # Once week 1's session has ended, week 2's is next.
    assert after["programHome"]["nextLiveSession"]["weekNumber"] == 2


async def test_week_hub_lists_lessons_in_course_then_sort_order_with_lock_data(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="hub", courses=2, weeks=2, lessons_per_week=4)
        # w1-l2 (course 0) needs w1-l0 (course 0) and w1-l1 (course 1).
        await require(
            session,
            (p.course(0), "w1-l2"),
            (p.course(0), "w1-l0"),
            (p.course(1), "w1-l1"),
        )
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(1) + timedelta(hours=1))
    async with sessionmaker() as session, session.begin():
        await mark_completed(session, student.user_id, clock.now(), (p.course(0), "w1-l0"))

    result = await gql(WEEK_HUB, {"slug": "hub", "week": 1}, **fresh(app, student))

    assert "errors" not in result, result
    hub = result["data"]["weekHub"]
    assert [(x["course"]["slug"], x["slug"]) for x in hub["lessons"]] == [
        ("hub-c0", "w1-l0"),
        ("hub-c0", "w1-l2"),
        ("hub-c1", "w1-l1"),
        ("hub-c1", "w1-l3"),
    ]
    by_slug = {x["slug"]: x for x in hub["lessons"]}
    assert by_slug["w1-l0"]["status"] == "COMPLETED"
    assert by_slug["w1-l0"]["completedAt"] is not None
    locked = by_slug["w1-l2"]
    assert (locked["status"], locked["lockReason"]) == ("LOCKED", "PREREQUISITES_INCOMPLETE")
    assert locked["missingPrerequisites"] == [
        {"slug": "w1-l1", "title": "Lesson 1.1", "courseSlug": "hub-c1", "weekNumber": 1}
    ]
    assert by_slug["w1-l1"]["status"] == "AVAILABLE"
    assert by_slug["w1-l1"]["lockReason"] is None
    assert hub["week"]["lessonCount"] == 4
    assert hub["week"]["completedLessonCount"] == 1
    assert hub["assignment"]["isPastDeadline"] is False
    assert hub["liveSession"]["url"] == "https://meet.example.com/hub-1"
    assert hub["liveSession"]["status"] == "UPCOMING"
    assert hub["discussion"] == {"threadId": None, "postCount": 0, "lastPostAt": None}


async def test_unreleased_week_is_locked_with_unlock_time_and_hides_link_and_discussion(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="early", weeks=3)
        (await lesson(session, p.course(1), "w3-l1")).is_preview = True
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(2))

    hub = (await gql(WEEK_HUB, {"slug": "early", "week": 3}, **fresh(app, student)))["data"][
        "weekHub"
    ]

    assert hub["week"]["isReleased"] is False
    first, preview = hub["lessons"]
    assert (first["status"], first["lockReason"]) == ("LOCKED", "WEEK_NOT_RELEASED")
    assert first["unlocksAt"] == "2027-03-15T08:00:00.000000Z"
    # A preview lesson is never locked, released or not.
    assert (preview["slug"], preview["status"], preview["isPreview"]) == (
        "w3-l1",
        "AVAILABLE",
        True,
    )
    assert hub["liveSession"]["url"] is None
    assert hub["discussion"]["threadId"] is None


async def test_assignment_past_deadline_at_the_deadline(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="due", weeks=2)
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(2) - timedelta(microseconds=1))
    before = (await gql(WEEK_HUB, {"slug": "due", "week": 1}, **fresh(app, student)))["data"]
    clock.set(p.release(2))
    at = (await gql(WEEK_HUB, {"slug": "due", "week": 1}, **fresh(app, student)))["data"]
    assert before["weekHub"]["assignment"]["isPastDeadline"] is False
    assert at["weekHub"]["assignment"]["isPastDeadline"] is True


async def test_staff_see_everything_available_without_an_enrollment(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="staffview", weeks=2)
        await require(session, (p.course(1), "w2-l1"), (p.course(0), "w2-l0"))
    staff = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[p.id])
    clock.set(p.release(1) - timedelta(days=1))

    home = await gql(PROGRAM_HOME, {"slug": "staffview"}, **fresh(app, staff))
    hub = await gql(WEEK_HUB, {"slug": "staffview", "week": 2}, **fresh(app, staff))

    assert home["data"]["programHome"]["enrollment"] is None
    assert home["data"]["programHome"]["nextLesson"]["slug"] == "w1-l0"
    lessons = hub["data"]["weekHub"]["lessons"]
    assert {x["status"] for x in lessons} == {"AVAILABLE"}
    # Staff get the link once the week is out, and see the discussion before.
    assert hub["data"]["weekHub"]["liveSession"]["url"] is None
    assert hub["data"]["weekHub"]["discussion"] == {
        "threadId": None,
        "postCount": 0,
        "lastPostAt": None,
    }


async def test_unknown_week_or_program_is_not_found(app, gql, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="known", weeks=2)
    student = await _student(app, sessionmaker, p)
    for variables in ({"slug": "known", "week": 3}, {"slug": "known", "week": 0}):
        assert error_code(await gql(WEEK_HUB, variables, **fresh(app, student))) == "NOT_FOUND"
    assert error_code(await gql(WEEK_HUB, {"slug": "nope", "week": 1}, **fresh(app, student))) == (
        "NOT_FOUND"
    )
    assert (
        error_code(await gql(PROGRAM_HOME, {"slug": "nope"}, **fresh(app, student))) == "NOT_FOUND"
    )
    assert error_code(await gql(COURSE_PROGRESS, {"course": "nope"}, **fresh(app, student))) == (
        "NOT_FOUND"
    )


async def test_unenrolled_pending_and_anonymous_viewers_get_nothing(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="closed", weeks=2)
    clock.set(p.release(2))
    stranger = await create_account(app, sessionmaker)
    pending = await _student(app, sessionmaker, p, status="pending_payment")
    refunded = await _student(app, sessionmaker, p, status="refunded")
    for account in (stranger, pending, refunded):
        for query, variables in (
            (PROGRAM_HOME, {"slug": "closed"}),
            (WEEK_HUB, {"slug": "closed", "week": 1}),
            (COURSE_PROGRESS, {"course": p.course(0)}),
        ):
            result = await gql(query, variables, **fresh(app, account))
            assert error_code(result) == "NOT_ENROLLED", (account, query)
            assert set(result["data"].values()) == {None}  # nothing of the refused field
    anonymous = await gql(PROGRAM_HOME, {"slug": "closed"})
    assert error_code(anonymous) == "UNAUTHENTICATED"
    assert error_code(await gql(COURSE_PROGRESS, {"course": p.course(0)})) == "UNAUTHENTICATED"


async def test_a_student_of_another_program_gets_nothing_of_this_one(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        mine = await build_program(session, slug="mine", weeks=2)
        theirs = await build_program(session, slug="theirs", weeks=2)
    student = await _student(app, sessionmaker, mine)
    clock.set(mine.release(2))
    # Warm this student's cache for their own program first: it must not leak across.
    assert "errors" not in await gql(PROGRAM_HOME, {"slug": "mine"}, **fresh(app, student))

    for query, variables in (
        (PROGRAM_HOME, {"slug": "theirs"}),
        (WEEK_HUB, {"slug": "theirs", "week": 1}),
        (COURSE_PROGRESS, {"course": theirs.course(0)}),
    ):
        result = await gql(query, variables, **fresh(app, student))
        assert error_code(result) == "NOT_ENROLLED"
        assert set(result["data"].values()) == {None}  # nothing of the refused field
    completed = await gql(
        COMPLETE_LESSON, {"course": theirs.course(0), "lesson": "w1-l0"}, **fresh(app, student)
    )
    assert completed["data"]["completeLesson"]["errors"][0]["code"] == "NOT_ENROLLED"
    assert completed["data"]["completeLesson"]["courseProgress"] is None


async def test_unpublished_program_is_not_found_for_outsiders_but_open_to_its_students(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="draft", weeks=1, published=False)
    clock.set(p.release(1))
    student = await _student(app, sessionmaker, p)
    stranger = await create_account(app, sessionmaker)
    assert error_code(await gql(PROGRAM_HOME, {"slug": "draft"}, **fresh(app, stranger))) == (
        "NOT_FOUND"
    )
    assert "errors" not in await gql(PROGRAM_HOME, {"slug": "draft"}, **fresh(app, student))


async def test_course_progress(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="cp", courses=2, weeks=3, lessons_per_week=2)
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(3))
    for slug in ("w1-l0", "w2-l0"):
        await gql(COMPLETE_LESSON, {"course": p.course(0), "lesson": slug}, **fresh(app, student))

    result = await gql(COURSE_PROGRESS, {"course": p.course(0)}, **fresh(app, student))

    assert result["data"]["courseProgress"] == {
        "course": {"slug": "cp-c0"},
        "completedLessons": 2,
        "totalLessons": 3,
        "percentComplete": 66.67,
        "completedAt": None,
        "certificate": None,
    }
    staff = await create_account(app, sessionmaker, roles=("admin",))
    as_staff = await gql(COURSE_PROGRESS, {"course": p.course(0)}, **fresh(app, staff))
    assert as_staff["data"]["courseProgress"]["completedLessons"] == 0


async def test_completing_a_prerequisite_unlocks_the_dependent_in_the_very_next_week_hub(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="chain", courses=1, weeks=1, lessons_per_week=2)
        await require(session, (p.course(0), "w1-l1"), (p.course(0), "w1-l0"))
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(1))
    variables = {"slug": "chain", "week": 1}

    before = (await gql(WEEK_HUB, variables, **fresh(app, student)))["data"]["weekHub"]["lessons"]
    home_before = (await gql(PROGRAM_HOME, {"slug": "chain"}, **fresh(app, student)))["data"]
    done = await gql(
        COMPLETE_LESSON, {"course": p.course(0), "lesson": "w1-l0"}, **fresh(app, student)
    )
    after = (await gql(WEEK_HUB, variables, **fresh(app, student)))["data"]["weekHub"]["lessons"]
    home_after = (await gql(PROGRAM_HOME, {"slug": "chain"}, **fresh(app, student)))["data"]

    assert [x["status"] for x in before] == ["AVAILABLE", "LOCKED"]
    assert done["data"]["completeLesson"]["errors"] == []
    assert [x["status"] for x in after] == ["COMPLETED", "AVAILABLE"]
    assert after[1]["missingPrerequisites"] == []
    assert home_before["programHome"]["nextLesson"]["slug"] == "w1-l0"
    assert home_after["programHome"]["nextLesson"]["slug"] == "w1-l1"
    assert home_after["programHome"]["weeks"][0]["completedLessonCount"] == 1
    assert home_after["programHome"]["courses"][0]["completedLessons"] == 1


async def test_a_week_opens_the_moment_its_release_passes(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="tick", courses=1, weeks=2, lessons_per_week=1)
    student = await _student(app, sessionmaker, p)
    async with sessionmaker() as session, session.begin():
        await mark_completed(session, student.user_id, p.release(1), (p.course(0), "w1-l0"))

    clock.set(p.release(2) - timedelta(seconds=1))
    home_before = (await gql(PROGRAM_HOME, {"slug": "tick"}, **fresh(app, student)))["data"]
    hub_before = (await gql(WEEK_HUB, {"slug": "tick", "week": 2}, **fresh(app, student)))["data"]
    clock.set(p.release(2))  # the release instant itself opens the week
    hub_at = (await gql(WEEK_HUB, {"slug": "tick", "week": 2}, **fresh(app, student)))["data"]
    clock.set(p.release(2) + timedelta(seconds=1))
    home_after = (await gql(PROGRAM_HOME, {"slug": "tick"}, **fresh(app, student)))["data"]
    hub_after = (await gql(WEEK_HUB, {"slug": "tick", "week": 2}, **fresh(app, student)))["data"]

    assert [w["isReleased"] for w in home_before["programHome"]["weeks"]] == [True, False]
    assert home_before["programHome"]["currentWeek"]["number"] == 1
    assert home_before["programHome"]["nextLesson"] is None
    assert hub_before["weekHub"]["lessons"][0]["lockReason"] == "WEEK_NOT_RELEASED"
    assert hub_before["weekHub"]["liveSession"]["url"] is None

    assert [w["isReleased"] for w in home_after["programHome"]["weeks"]] == [True, True]
    assert home_after["programHome"]["currentWeek"]["number"] == 2
    assert home_after["programHome"]["nextLesson"]["slug"] == "w2-l0"
    assert hub_at["weekHub"]["lessons"][0]["status"] == "AVAILABLE"
    assert hub_after["weekHub"]["lessons"][0]["status"] == "AVAILABLE"
    assert hub_after["weekHub"]["liveSession"]["url"] == "https://meet.example.com/tick-2"


async def test_lesson_flags(app, gql, sessionmaker, clock) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="flags", courses=1, weeks=1, lessons_per_week=1)
        row: Lesson = await lesson(session, p.course(0), "w1-l0")
        row.duration_seconds = 540
        row.description = "A first look."
    student = await _student(app, sessionmaker, p)
    clock.set(p.release(1))
    item = (await gql(WEEK_HUB, {"slug": "flags", "week": 1}, **fresh(app, student)))["data"][
        "weekHub"
    ]["lessons"][0]
    assert (item["durationSeconds"], item["description"], item["hasVideo"], item["sortOrder"]) == (
        540,
        "A first look.",
        False,
        0,
    )
