"""Paging through a busy thread over HTTP: keyset cursors while posts arrive, replies pages,
and the SQL statement budget and render time of a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.graphql.ids import global_id
from tests.support.discussion import CREATE_POST, add_posts, make_thread, pin, thread_page
from tests.support.factories import make_program
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
NOW = START + timedelta(days=2)
SEEDED_FROM = START + timedelta(hours=1)  # seeded posts are a second apart from here


@pytest.fixture
async def busy_thread(app, sessionmaker, clock):
    """A week 1 thread with 250 top-level posts by five students, three of them pinned."""
    clock.set(NOW)
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="busy", weeks=1, start=START)
        thread = await make_thread(session, cohort_id=cohort.id)
    students = []
    for i in range(5):
        account = await create_account(app, sessionmaker, full_name=f"Student {i}")
        await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
        students.append(account)
    tutor = await create_account(
        app, sessionmaker, full_name="Tutor", roles=("instructor",), staff_of=[cohort.id]
    )
    async with sessionmaker() as session, session.begin():
        posts = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[s.user_id for s in students],
            count=250,
            start=SEEDED_FROM,
        )
        # Pinned out of creation order: 17 most recently, then 201, then 3.
        for index, minutes in ((3, 1), (201, 2), (17, 3)):
            at = NOW - timedelta(hours=1) + timedelta(minutes=minutes)
            pin(posts[index], by_user_id=tutor.user_id, at=at)
        # Replies are not top-level posts and must never show in the listing.
        await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[tutor.user_id],
            count=2,
            start=NOW - timedelta(minutes=5),
            parent_post_id=posts[0].id,
        )
    ids = [p.id for p in posts]
    pinned = [ids[17], ids[201], ids[3]]
    expected = pinned + [i for i in reversed(ids) if i not in pinned]
    return cohort, thread, students, tutor, expected


async def _page(gql, headers, after=None, first=20, replies=3) -> dict:
    variables = {"slug": "busy", "week": 1, "after": after}
    result = await gql(thread_page(first, replies), variables, **headers)
    assert "errors" not in result, result
    return result["data"]["discussionThread"]["posts"]


async def test_walking_250_posts_while_new_ones_arrive_sees_each_once(
    gql, busy_thread, clock, sessionmaker
) -> None:
    _, thread, students, _, expected = busy_thread
    reader = students[0]
    seen: list[str] = []
    arrived: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _page(gql, reader.headers, after)
        pages += 1
        nodes = [e["node"] for e in page["edges"]]
        if pages == 1:
            # Pinned posts lead the first page, and only there.
            assert [n["isPinned"] for n in nodes[:4]] == [True, True, True, False]
        seen += [n["id"] for n in nodes]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        # Two students post between pages (one at the same instant as the previous post, one
        # a second later), within the rate limit of each.
        for k in range(2):
            author = students[(pages * 2 + k) % len(students)]
            created = await gql(
                CREATE_POST,
                {"slug": "busy", "week": 1, "body": f"late {pages}.{k}"},
                **author.headers,
            )
            assert created["data"]["createPost"]["errors"] == [], created
            arrived.append(created["data"]["createPost"]["post"]["id"])
            clock.advance(seconds=k)
        # And one post lands exactly on the cursor's time: only the id orders it.
        last = nodes[-1]
        if not last["isPinned"]:
            async with sessionmaker() as session, session.begin():
                at = datetime.fromisoformat(last["createdAt"].replace("Z", "+00:00"))
                [tie] = await add_posts(
                    session,
                    thread_id=thread.id,
                    author_ids=[reader.user_id],
                    count=1,
                    start=at,
                    body_prefix="tie",
                )
            arrived.append(global_id("Post", tie.id))

    assert pages == 13
    assert len(seen) == len(set(seen))
    assert seen == [global_id("Post", i) for i in expected]
    assert not set(arrived) & set(seen)
    # A new walk sees everything once, the posts that arrived included.
    fresh: list[str] = []
    after = None
    while True:
        page = await _page(gql, reader.headers, after, first=100, replies=0)
        fresh += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert fresh[:3] == [global_id("Post", i) for i in expected[:3]]
    assert sorted(fresh) == sorted([global_id("Post", i) for i in expected] + arrived)


async def test_reply_pages_follow_their_cursor_oldest_first(gql, busy_thread, sessionmaker):
    _, thread, students, tutor, expected = busy_thread
    top_id = expected[0]
    async with sessionmaker() as session, session.begin():
        replies = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[tutor.user_id, students[1].user_id],
            count=7,
            start=NOW - timedelta(minutes=30),
            step=timedelta(0),  # all at once: the id orders them
            parent_post_id=top_id,
        )
    query = """
    query($after: String) {
      discussionThread(programSlug: "busy", weekNumber: 1) {
        posts(first: 1) { nodes { id replyCount replies(first: 3, after: $after) {
          edges { cursor node { id parentId } } pageInfo { endCursor hasNextPage } } } }
      }
    }"""
    seen: list[str] = []
    after = None
    while True:
        result = await gql(query, {"after": after}, **students[0].headers)
        assert "errors" not in result, result
        [node] = result["data"]["discussionThread"]["posts"]["nodes"]
        assert node["id"] == global_id("Post", top_id)
        assert node["replyCount"] == 7
        connection = node["replies"]
        assert all(e["node"]["parentId"] == global_id("Post", top_id) for e in connection["edges"])
        seen += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == [global_id("Post", r.id) for r in replies]


async def _replied_thread(app, sessionmaker, clock, *, posts: int, replies_each: int):
    clock.set(NOW)
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="busy", weeks=1, start=START)
        thread = await make_thread(session, cohort_id=cohort.id)
    writers, repliers = [], []
    for i in range(3):
        for group, name in ((writers, "Writer"), (repliers, "Replier")):
            account = await create_account(app, sessionmaker, full_name=f"{name} {i}")
            await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
            group.append(account)
    tutor = await create_account(
        app, sessionmaker, full_name="Tutor", roles=("instructor",), staff_of=[cohort.id]
    )
    async with sessionmaker() as session, session.begin():
        tops = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[w.user_id for w in writers],
            count=posts,
            start=SEEDED_FROM,
        )
        pin(tops[0], by_user_id=tutor.user_id, at=NOW - timedelta(minutes=1))
        pin(tops[-1], by_user_id=tutor.user_id, at=NOW - timedelta(minutes=2))
        for top in tops:
            await add_posts(
                session,
                thread_id=thread.id,
                author_ids=[r.user_id for r in repliers],
                count=replies_each,
                start=SEEDED_FROM + timedelta(days=1),
                parent_post_id=top.id,
            )
    return writers[0]


async def test_a_page_of_20_with_replies_costs_what_a_page_of_2_does(
    app, gql, sessionmaker, clock, is_mysql
) -> None:
    reader = await _replied_thread(app, sessionmaker, clock, posts=45, replies_each=4)
    engine = app.state.engine
    await _page(gql, reader.headers, first=1, replies=1)  # signs the viewer in (cached)

    with count_statements(engine) as twenty:
        big = await _page(gql, reader.headers, first=20, replies=3)
    with count_statements(engine) as two:
        small = await _page(gql, reader.headers, first=2, replies=3)
    with count_statements(engine) as next_twenty:
        second = await _page(gql, reader.headers, after=big["pageInfo"]["endCursor"])

    # What was rendered: 20 posts, 3 replies each with authors, two pins with who pinned.
    nodes = [e["node"] for e in big["edges"]]
    assert len(nodes) == 20
    assert len(small["edges"]) == 2
    assert len(second["edges"]) == 20
    assert all(len(n["replies"]["nodes"]) == 3 for n in nodes)
    assert all(n["replies"]["pageInfo"]["hasNextPage"] for n in nodes)
    assert all(n["replyCount"] == 4 for n in nodes)
    assert {r["author"]["fullName"] for n in nodes for r in n["replies"]["nodes"]} == {
        "Replier 0",
        "Replier 1",
        "Replier 2",
    }
    assert [n["pinnedBy"]["fullName"] if n["pinnedBy"] else None for n in nodes[:3]] == [
        "Tutor",
        "Tutor",
        None,
    ]
    print(f"\nstatements for a page of 20 posts + 3 replies each:\n{twenty}")
    assert twenty.count == two.count == next_twenty.count, (str(twenty), str(two))
    # Access + thread, the page, authors, reply counts, first replies, reply authors.
    assert twenty.count <= 8
    assert twenty.count == 6, str(twenty)
    # Render time is measured apart from the suite: bench/discussion_page.py.


async def test_a_page_without_replies_skips_the_reply_author_batch(
    app, gql, sessionmaker, clock
) -> None:
    reader = await _replied_thread(app, sessionmaker, clock, posts=3, replies_each=0)
    await _page(gql, reader.headers, first=1, replies=1)
    with count_statements(app.state.engine) as without_replies:
        page = await _page(gql, reader.headers, first=20, replies=3)
    assert len(page["edges"]) == 3
    # No replies means no reply authors to load: one statement fewer, never more.
    assert without_replies.count == 5, str(without_replies)


async def test_posts_created_at_the_same_instant_keep_a_stable_order(
    gql, busy_thread, sessionmaker
) -> None:
    """Posts sharing a microsecond are ordered by id, on both databases."""
    _, thread, students, _, _ = busy_thread
    async with sessionmaker() as session, session.begin():
        same = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[students[2].user_id],
            count=5,
            start=NOW + timedelta(minutes=1),
            step=timedelta(0),
        )
    first = await _page(gql, students[0].headers, first=10)
    ids = [e["node"]["id"] for e in first["edges"]][3:8]
    assert ids == [global_id("Post", p.id) for p in reversed(same)]
