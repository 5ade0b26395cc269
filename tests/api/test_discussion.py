"""Week discussions over HTTP: reading and writing, who may do what, pins, body validation,
rate limits and the week hub's cache version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from edxelera_gql.db.audit import AuditEvent
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.infra import versions
from tests.support.discussion import CREATE_POST, PIN, REPLY, THREAD, thread_page
from tests.support.factories import make_program
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # week 1 opens now, week 2 a week later
IN_WEEK_ONE = START + timedelta(days=1)


@pytest.fixture
async def program(sessionmaker, clock):
    clock.set(IN_WEEK_ONE)
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc", weeks=2, start=START)
        other = await make_program(session, slug="other", weeks=2, start=START)
        hidden = await make_program(session, slug="hidden", weeks=1, start=START, published=False)
    return cohort, other, hidden


@pytest.fixture
async def student(app, sessionmaker, program):
    account = await create_account(app, sessionmaker, full_name="Ada Student")
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=program[0].id)
    return account


@pytest.fixture
async def instructor(app, sessionmaker, program):
    """Assigned to "disc" and "hidden", not to "other"."""
    cohort, _, hidden = program
    return await create_account(
        app,
        sessionmaker,
        full_name="Tunde Tutor",
        roles=("student", "instructor"),
        staff_of=[cohort.id, hidden.id],
    )


async def enrolled_student(app, sessionmaker, cohort_id: int):
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort_id)
    return account


async def _count(sessionmaker, model) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count(model.id)))


async def post(gql, account, body="Hello week one", slug="disc", week=1) -> dict:
    result = await gql(CREATE_POST, {"slug": slug, "week": week, "body": body}, **account.headers)
    assert "errors" not in result, result
    return result["data"]["createPost"]


async def reply(gql, account, post_id, body="A reply") -> dict:
    result = await gql(REPLY, {"postId": post_id, "body": body}, **account.headers)
    assert "errors" not in result, result
    return result["data"]["replyToPost"]


async def set_pin(gql, account, post_id, pinned=True) -> dict:
    result = await gql(PIN, {"postId": post_id, "pinned": pinned}, **account.headers)
    assert "errors" not in result, result
    return result["data"]["setPinnedPost"]


async def thread(gql, headers, *, slug="disc", week=1, first=None, after=None) -> dict:
    variables = {"slug": slug, "week": week, "first": first, "after": after}
    return await gql(THREAD, variables, **headers)


def error_code(result: dict) -> str:
    # Root fields are nullable: the failing one is null, the answer keeps `data`.
    assert not any((result.get("data") or {}).values()), result
    return result["errors"][0]["extensions"]["code"]


# -- reading and writing ---------------------------------------------------------------------


async def test_student_posts_replies_and_reads_the_week_thread(
    gql, student, instructor, clock, sessionmaker
) -> None:
    created = await post(gql, student, "  <b>Where</b> do we submit?\n ")
    assert created["errors"] == []
    top = created["post"]
    # Trimmed, otherwise stored as given; times come from the app's clock.
    assert top["body"] == "<b>Where</b> do we submit?"
    assert top["createdAt"] == top["updatedAt"] == "2027-03-02T08:00:00.000000Z"
    assert top["author"] == {
        "id": global_id("Author", student.user_id),
        "fullName": "Ada Student",
        "isStaff": False,
    }
    assert (top["parentId"], top["isPinned"], top["replyCount"]) == (None, False, 0)

    clock.advance(minutes=1)
    first_reply = (await reply(gql, instructor, top["id"], "On the portal."))["post"]
    clock.advance(minutes=1)
    nested = (await reply(gql, student, first_reply["id"], "Thanks!"))["post"]
    # A reply to a reply joins the top-level post.
    assert first_reply["parentId"] == nested["parentId"] == top["id"]
    assert first_reply["author"]["isStaff"] is True

    result = await gql(thread_page(20, 20), {"slug": "disc", "week": 1}, **student.headers)
    assert "errors" not in result, result
    data = result["data"]["discussionThread"]
    assert (data["weekNumber"], data["title"], data["program"]["slug"]) == (
        1,
        "Week 1: Week 1",
        "disc",
    )
    [node] = [e["node"] for e in data["posts"]["edges"]]
    assert node["id"] == top["id"]
    assert node["replyCount"] == 2
    assert [r["body"] for r in node["replies"]["nodes"]] == ["On the portal.", "Thanks!"]
    assert [r["replyCount"] for r in node["replies"]["nodes"]] == [0, 0]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(DiscussionThread.id))) == 1


async def test_authors_never_expose_an_email(gql, student) -> None:
    await post(gql, student)
    query = THREAD.replace("replyCount }", "replyCount author { email } }")
    result = await gql(query, {"slug": "disc", "week": 1}, **student.headers)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "email" in result["errors"][0]["message"]


async def test_thread_is_created_on_first_read_and_reused(app, gql, student, sessionmaker) -> None:
    assert "errors" not in await gql("{ me { id } }", **student.headers)  # viewer now cached
    with count_statements(app.state.engine) as creating:
        first = await thread(gql, student.headers)
    with count_statements(app.state.engine) as reading:
        second = await thread(gql, student.headers)
    # Access and thread in one read, the insert, the discussion's cache version in the
    # database (db.versions), the (empty) page; then no insert.
    assert creating.count == 4, str(creating)
    assert reading.count == 2, str(reading)
    assert first["data"]["discussionThread"]["id"] == second["data"]["discussionThread"]["id"]
    assert first["data"]["discussionThread"]["posts"] == {
        "edges": [],
        "pageInfo": {"endCursor": None, "hasNextPage": False},
    }
    assert await _count(sessionmaker, DiscussionThread) == 1


# -- permissions -----------------------------------------------------------------------------


async def test_who_may_read_a_week_thread(
    app, gql, sessionmaker, program, student, instructor, clock
) -> None:
    cohort, other, _ = program
    outsider = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=outsider.user_id, cohort_id=other.id)
    pending = await create_account(app, sessionmaker)
    await enroll(
        sessionmaker, user_id=pending.user_id, cohort_id=cohort.id, status="pending_payment"
    )
    canceled = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=canceled.user_id, cohort_id=cohort.id, status="canceled")

    assert error_code(await thread(gql, outsider.headers)) == "NOT_ENROLLED"
    assert error_code(await thread(gql, pending.headers)) == "NOT_ENROLLED"
    assert error_code(await thread(gql, canceled.headers)) == "NOT_ENROLLED"
    assert error_code(await thread(gql, {})) == "UNAUTHENTICATED"
    # Week 2 opens on 2027-03-08 08:00: refused a microsecond before, open at the instant.
    # (A fresh sign-in after each jump: access tokens live 15 minutes.)
    clock.set(START + timedelta(weeks=1) - timedelta(microseconds=1))
    early = await enrolled_student(app, sessionmaker, cohort.id)
    assert error_code(await thread(gql, early.headers, week=2)) == "WEEK_NOT_RELEASED"
    clock.set(START + timedelta(weeks=1))
    on_time = await enrolled_student(app, sessionmaker, cohort.id)
    assert "errors" not in await thread(gql, on_time.headers, week=2)
    # Nothing was created for the refused viewers; only the week 2 thread exists.
    assert await _count(sessionmaker, DiscussionThread) == 1


async def test_unknown_programs_weeks_and_unpublished_programs_are_not_found(
    gql, student, instructor
) -> None:
    assert error_code(await thread(gql, student.headers, slug="nope")) == "NOT_FOUND"
    assert error_code(await thread(gql, student.headers, week=3)) == "NOT_FOUND"
    assert error_code(await thread(gql, student.headers, week=0)) == "NOT_FOUND"
    assert error_code(await thread(gql, student.headers, slug="hidden")) == "NOT_FOUND"
    # Staff see unpublished programs, and unknown weeks stay unknown for them too.
    assert "errors" not in await thread(gql, instructor.headers, slug="hidden")
    assert error_code(await thread(gql, instructor.headers, week=3)) == "NOT_FOUND"


async def test_staff_read_and_post_before_release_without_enrollment(
    app, gql, sessionmaker, program, clock
) -> None:
    clock.set(START - timedelta(days=10))
    instructor = await create_account(
        app, sessionmaker, roles=("instructor",), staff_of=[program[0].id]
    )
    result = await thread(gql, instructor.headers, week=2)
    assert "errors" not in result, result
    created = await post(gql, instructor, "Welcome in advance", week=2)
    assert created["errors"] == []
    assert created["post"]["author"]["isStaff"] is True


async def test_refused_writers_get_user_errors_and_nothing_is_written(
    app, gql, sessionmaker, program, student, clock
) -> None:
    cohort, other, _ = program
    outsider = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=outsider.user_id, cohort_id=other.id)
    pending = await create_account(app, sessionmaker)
    await enroll(
        sessionmaker, user_id=pending.user_id, cohort_id=cohort.id, status="pending_payment"
    )
    top = (await post(gql, student))["post"]

    async def create_code(headers, **kw) -> str:
        variables = {"slug": "disc", "week": 1, "body": "hi", **kw}
        result = await gql(CREATE_POST, variables, **headers)
        payload = result["data"]["createPost"]
        assert payload["post"] is None
        return payload["errors"][0]["code"]

    async def reply_code(headers, post_id) -> str:
        result = await gql(REPLY, {"postId": post_id, "body": "hi"}, **headers)
        payload = result["data"]["replyToPost"]
        assert payload["post"] is None
        return payload["errors"][0]["code"]

    assert await create_code(outsider.headers) == "NOT_ENROLLED"
    assert await create_code(pending.headers) == "NOT_ENROLLED"
    assert await create_code({}) == "UNAUTHENTICATED"
    assert await create_code(student.headers, week=2) == "WEEK_NOT_RELEASED"
    assert await create_code(student.headers, slug="hidden") == "NOT_FOUND"
    # A post id is not public: to someone outside the program it does not exist (NOT_ENROLLED
    # would confirm that it does).
    assert await reply_code(outsider.headers, top["id"]) == "NOT_FOUND"
    assert await reply_code(pending.headers, top["id"]) == "NOT_FOUND"
    assert await reply_code(outsider.headers, top["id"]) == await reply_code(
        outsider.headers, "999999"
    )
    assert await reply_code({}, top["id"]) == "UNAUTHENTICATED"
    assert await reply_code(student.headers, "999999") == "NOT_FOUND"
    assert await reply_code(student.headers, "not-an-id") == "NOT_FOUND"
    # One thread (week 1) and the one post: the refusals wrote nothing.
    assert await _count(sessionmaker, DiscussionThread) == 1
    assert await _count(sessionmaker, DiscussionPost) == 1


async def test_replies_to_a_week_not_yet_released_are_refused(
    app, gql, sessionmaker, program, clock
) -> None:
    clock.set(START - timedelta(days=1))
    instructor = await create_account(
        app, sessionmaker, roles=("instructor",), staff_of=[program[0].id]
    )
    staff_post = (await post(gql, instructor, "Coming soon", week=2))["post"]
    clock.set(IN_WEEK_ONE)
    student = await enrolled_student(app, sessionmaker, program[0].id)
    result = await gql(REPLY, {"postId": staff_post["id"], "body": "early"}, **student.headers)
    assert result["data"]["replyToPost"]["errors"][0]["code"] == "WEEK_NOT_RELEASED"


# -- pins ------------------------------------------------------------------------------------


async def test_instructor_pins_and_unpins_and_pins_order_the_listing(
    gql, student, instructor, clock
) -> None:
    ids = []
    for i in range(3):
        ids.append((await post(gql, student, f"post {i}"))["post"]["id"])
        clock.advance(minutes=1)

    def listed(result) -> list[tuple[str, bool]]:
        edges = result["data"]["discussionThread"]["posts"]["edges"]
        return [(e["node"]["id"], e["node"]["isPinned"]) for e in edges]

    assert listed(await thread(gql, student.headers)) == [
        (ids[2], False),
        (ids[1], False),
        (ids[0], False),
    ]

    pinned = await set_pin(gql, instructor, ids[0])
    assert pinned["errors"] == []
    assert pinned["post"]["isPinned"] is True
    assert pinned["post"]["pinnedAt"] == "2027-03-02T08:03:00.000000Z"
    assert pinned["post"]["pinnedBy"] == {
        "id": global_id("Author", instructor.user_id),
        "fullName": "Tunde Tutor",
        "isStaff": True,
    }
    clock.advance(minutes=1)
    await set_pin(gql, instructor, ids[1])
    # Newest pin first, then the rest newest first.
    assert listed(await thread(gql, student.headers)) == [
        (ids[1], True),
        (ids[0], True),
        (ids[2], False),
    ]
    # Pinning again keeps the original pin time (a retry changes nothing).
    clock.advance(minutes=1)
    again = await set_pin(gql, instructor, ids[0])
    assert again["post"]["pinnedAt"] == "2027-03-02T08:03:00.000000Z"

    unpinned = await set_pin(gql, instructor, ids[1], pinned=False)
    assert unpinned["errors"] == []
    assert (unpinned["post"]["isPinned"], unpinned["post"]["pinnedAt"]) == (False, None)
    assert unpinned["post"]["pinnedBy"] is None
    assert listed(await thread(gql, student.headers)) == [
        (ids[0], True),
        (ids[2], False),
        (ids[1], False),
    ]


async def test_pinning_is_for_staff_and_top_level_posts_only(
    gql, student, instructor, sessionmaker
) -> None:
    top = (await post(gql, student))["post"]
    a_reply = (await reply(gql, student, top["id"]))["post"]

    async def pin_error(headers, post_id) -> dict:
        result = await gql(PIN, {"postId": post_id, "pinned": True}, **headers)
        payload = result["data"]["setPinnedPost"]
        assert payload["post"] is None
        return payload["errors"][0]

    assert (await pin_error(student.headers, top["id"]))["code"] == "FORBIDDEN"
    assert (await pin_error({}, top["id"]))["code"] == "UNAUTHENTICATED"
    cannot = await pin_error(instructor.headers, a_reply["id"])
    assert (cannot["code"], cannot["field"]) == ("CANNOT_PIN_REPLY", "postId")
    assert (await pin_error(instructor.headers, "424242"))["code"] == "NOT_FOUND"
    async with sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count(DiscussionPost.id)).where(DiscussionPost.is_pinned.is_(True))
            )
            == 0
        )


async def test_staff_rights_are_per_program_a_ta_pins_and_others_are_refused(
    app, gql, sessionmaker, program, student, clock
) -> None:
    cohort, other, _ = program
    top = (await post(gql, student))["post"]
    ta = await create_account(
        app, sessionmaker, full_name="Tess Assistant", staff_of=[cohort.id],
        staff_role="teaching_assistant",
    )  # fmt: skip
    foreign = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[other.id])
    # The instructor of another program: no pin here, and week 2 here is not out for them.
    refused = await gql(PIN, {"postId": top["id"], "pinned": True}, **foreign.headers)
    assert refused["data"]["setPinnedPost"]["errors"][0]["code"] == "FORBIDDEN"
    assert error_code(await thread(gql, foreign.headers, week=2)) == "NOT_ENROLLED"
    # A teaching assistant of this program pins, and reads week 2 before its release.
    pinned = await gql(PIN, {"postId": top["id"], "pinned": True}, **ta.headers)
    assert pinned["data"]["setPinnedPost"]["errors"] == []
    assert pinned["data"]["setPinnedPost"]["post"]["pinnedBy"]["isStaff"] is True
    assert "errors" not in await thread(gql, ta.headers, week=2)
    async with sessionmaker() as session:
        events = (await session.scalars(select(AuditEvent))).all()
    assert [(e.action, e.actor_user_id, e.cohort_id) for e in events] == [
        ("post.pin", ta.user_id, cohort.id)
    ]


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 10_001])
async def test_bodies_must_hold_1_to_10000_characters(gql, student, body, sessionmaker) -> None:
    top = (await post(gql, student))["post"]
    created = await gql(CREATE_POST, {"slug": "disc", "week": 1, "body": body}, **student.headers)
    replied = await gql(REPLY, {"postId": top["id"], "body": body}, **student.headers)
    for payload in (created["data"]["createPost"], replied["data"]["replyToPost"]):
        assert payload["post"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "body")]
    assert await _count(sessionmaker, DiscussionPost) == 1


async def test_a_body_of_exactly_10000_characters_is_kept_whole(gql, student) -> None:
    body = "é" * 10_000
    created = await post(gql, student, body)
    assert created["post"]["body"] == body


async def test_page_arguments_are_validated(gql, student) -> None:
    await post(gql, student)
    too_many = await thread(gql, student.headers, first=101)
    assert error_code(too_many) == "INVALID_INPUT"
    assert too_many["errors"][0]["extensions"]["field"] == "first"
    garbage = await thread(gql, student.headers, after="not a cursor")
    assert error_code(garbage) == "INVALID_INPUT"
    assert garbage["errors"][0]["extensions"]["field"] == "after"


# -- rate limits and caches ------------------------------------------------------------------


async def test_posting_is_rate_limited_per_user(app, gql, student, sessionmaker, program) -> None:
    for i in range(10):
        assert (await post(gql, student, f"post {i}"))["errors"] == []
    limited = await gql(
        CREATE_POST, {"slug": "disc", "week": 1, "body": "one too many"}, **student.headers
    )
    payload = limited["data"]["createPost"]
    assert payload["post"] is None
    [error] = payload["errors"]
    assert error["code"] == "RATE_LIMITED"
    assert 1 <= error["retryAfterSeconds"] <= 60
    assert await _count(sessionmaker, DiscussionPost) == 10
    # Another student's budget is their own.
    classmate = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=classmate.user_id, cohort_id=program[0].id)
    assert (await post(gql, classmate))["errors"] == []


async def test_replying_is_rate_limited_per_user(gql, student, instructor) -> None:
    top = (await post(gql, instructor))["post"]
    for i in range(20):
        assert (await reply(gql, student, top["id"], f"r{i}"))["errors"] == []
    limited = (await gql(REPLY, {"postId": top["id"], "body": "x"}, **student.headers))["data"]
    assert limited["replyToPost"]["errors"][0]["code"] == "RATE_LIMITED"
    assert limited["replyToPost"]["errors"][0]["retryAfterSeconds"] >= 1


async def test_new_posts_and_replies_bump_the_discussion_cache_version(
    app, gql, student, program
) -> None:
    cache = app.state.cache
    scope = versions.discussion_scope(program[0].id)
    structure = versions.program_scope(program[0].id)
    before = await versions.current(cache, scope)
    top = (await post(gql, student))["post"]
    after_post = await versions.current(cache, scope)
    await reply(gql, student, top["id"])
    after_reply = await versions.current(cache, scope)
    assert len({before, after_post, after_reply}) == 3
    # The program's own version (its shared structure) is not touched by discussions.
    assert await versions.current(cache, structure) == "0"
    # A refused post changes nothing the week hub shows, so its cache stays valid.
    await gql(CREATE_POST, {"slug": "disc", "week": 1, "body": " "}, **student.headers)
    assert await versions.current(cache, scope) == after_reply
    # Nor does another program's discussion.
    assert await versions.current(cache, versions.program_scope(program[1].id)) == "0"
