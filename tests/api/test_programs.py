"""`programs` and `program(slug)` over HTTP, including their SQL statement budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette

from tests.support.factories import make_program
from tests.support.sql import count_statements

PROGRAMS = """
query($first: Int, $after: String) {
  programs(first: $first, after: $after) {
    edges { cursor node { slug } }
    nodes {
      id slug title startAt endAt timezone priceMinor currency lateJoinEnabled
      enrollmentClosesAt lateJoinEndsAt
      courses { id slug title }
      weeks { number title releaseAt isReleased assignmentDeadline lessonCount completedLessonCount }
    }
    pageInfo { endCursor hasNextPage }
  }
}"""

PROGRAM = """
query($slug: String!) {
  program(slug: $slug) {
    slug lateJoinEndsAt
    courses { slug }
    weeks { number releaseAt isReleased lessonCount completedLessonCount }
  }
}"""


async def test_programs_lists_published_programs_with_courses_and_weeks(
    gql, sessionmaker, clock
) -> None:
    clock.set(datetime(2027, 3, 9, 12, tzinfo=UTC))  # week 2 of a 2027-03-01 start is out
    async with sessionmaker() as session, session.begin():
        await make_program(
            session, slug="alpha", courses=2, weeks=3, lessons_per_week=3, late_join_enabled=True
        )
        await make_program(session, slug="hidden", published=False)

    result = await gql(PROGRAMS)

    assert "errors" not in result
    nodes = result["data"]["programs"]["nodes"]
    assert [n["slug"] for n in nodes] == ["alpha"]
    alpha = nodes[0]
    assert alpha["startAt"] == "2027-03-01T08:00:00.000000Z"
    assert alpha["enrollmentClosesAt"] == "2027-02-27T08:00:00.000000Z"
    # Late join ends at start + 7 days, which is exactly week 2's release here.
    assert alpha["lateJoinEndsAt"] == "2027-03-08T08:00:00.000000Z"
    assert [c["slug"] for c in alpha["courses"]] == ["alpha-c0", "alpha-c1"]
    assert [(w["number"], w["isReleased"], w["lessonCount"]) for w in alpha["weeks"]] == [
        (1, True, 3),
        (2, True, 3),
        (3, False, 3),
    ]
    assert all(w["completedLessonCount"] == 0 for w in alpha["weeks"])


async def test_programs_paginates_with_cursors_and_hides_ended_programs(
    gql, sessionmaker, clock
) -> None:
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    base = datetime(2027, 3, 1, 8, tzinfo=UTC)
    async with sessionmaker() as session, session.begin():
        for i in range(5):
            await make_program(session, slug=f"p{i}", start=base + timedelta(days=i))
        await make_program(session, slug="past", start=datetime(2026, 1, 1, tzinfo=UTC))

    seen: list[str] = []
    after = None
    while True:
        page = (await gql(PROGRAMS, {"first": 2, "after": after}))["data"]["programs"]
        seen += [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["p0", "p1", "p2", "p3", "p4"]

    with_ended = await gql("{ programs(includeEnded: true) { nodes { slug } } }")
    assert with_ended["data"]["programs"]["nodes"][0]["slug"] == "past"


async def test_programs_rejects_bad_page_arguments(gql) -> None:
    too_many = await gql("{ programs(first: 101) { nodes { slug } } }")
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    bad_cursor = await gql('{ programs(after: "not-a-cursor") { nodes { slug } } }')
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_program_by_slug_and_unknown_or_unpublished_is_null(gql, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="alpha", courses=2, weeks=2)
        await make_program(session, slug="draft", published=False)

    found = await gql(PROGRAM, {"slug": "alpha"})
    assert found["data"]["program"]["slug"] == "alpha"
    assert [w["number"] for w in found["data"]["program"]["weeks"]] == [1, 2]
    assert (await gql(PROGRAM, {"slug": "nope"}))["data"]["program"] is None
    assert (await gql(PROGRAM, {"slug": "draft"}))["data"]["program"] is None


async def _statements(app: Starlette, gql, query: str, variables: dict) -> int:
    with count_statements(app.state.engine) as log:
        result = await gql(query, variables)
    assert "errors" not in result, result
    return log.count


async def test_statement_count_does_not_grow_with_programs_courses_and_weeks(
    app, gql, sessionmaker
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(
            session, slug="small", courses=1, weeks=1, lessons_per_week=1, late_join_enabled=True
        )
    small_list = await _statements(app, gql, PROGRAMS, {"first": 50})
    small_one = await _statements(app, gql, PROGRAM, {"slug": "small"})

    async with sessionmaker() as session, session.begin():
        for i in range(20):
            await make_program(
                session,
                slug=f"big{i:02d}",
                courses=5,
                weeks=12,
                lessons_per_week=5,
                start=datetime(2027, 4, 1, tzinfo=UTC) + timedelta(days=i),
                late_join_enabled=True,
            )
    big_list = await _statements(app, gql, PROGRAMS, {"first": 50})
    big_one = await _statements(app, gql, PROGRAM, {"slug": "big07"})

    assert small_list == big_list
    assert small_one == big_one
    # programs: the page, courses, weeks, lesson counts.
    assert big_list == 4
    assert big_one == 4
