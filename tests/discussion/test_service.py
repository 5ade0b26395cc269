"""Discussion services and loaders on the real database: ordering, keysets, batches, and the
thread that must be created exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from edxelera_gql.auth.models import ProgramStaff
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.discussion import loaders
from edxelera_gql.discussion.listings import list_posts, list_replies
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.discussion.rows import PostKey, ReplyKey
from edxelera_gql.discussion.threads import check_week_access, ensure_thread, open_thread
from edxelera_gql.errors import Code, DomainError
from tests.support.discussion import add_posts, make_thread, make_user, pin
from tests.support.factories import make_program

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
STAFF = frozenset({"instructor"})


async def _thread_with_posts(sessionmaker, *, count: int, step=timedelta(seconds=1)):
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc")
        user = await make_user(session, full_name="Ada")
        thread = await make_thread(session, cohort_id=cohort.id)
        posts = await add_posts(
            session, thread_id=thread.id, author_ids=[user.id], count=count, start=T0, step=step
        )
    return cohort, user, thread, posts


async def _walk(sessionmaker, thread_id: int, page: int) -> list[int]:
    seen: list[int] = []
    key = None
    while True:
        async with sessionmaker() as session:
            rows = await list_posts(session, thread_id=thread_id, limit=page + 1, after_key=key)
        seen += [r.id for r in rows[:page]]
        if len(rows) <= page:
            return seen
        key = PostKey.of(rows[page - 1])


async def test_posts_list_pinned_first_by_newest_pin_then_newest_first(sessionmaker) -> None:
    _, user, thread, posts = await _thread_with_posts(sessionmaker, count=6)
    async with sessionmaker() as session, session.begin():
        rows = {p.id: await session.get(DiscussionPost, p.id) for p in posts}
        # Post 0 pinned last, so it leads; post 3 pinned earlier comes second.
        pin(rows[posts[3].id], by_user_id=user.id, at=T0 + timedelta(hours=1))
        pin(rows[posts[0].id], by_user_id=user.id, at=T0 + timedelta(hours=2))
        # A reply never shows among top-level posts.
        await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[user.id],
            count=1,
            start=T0 + timedelta(days=1),
            parent_post_id=posts[1].id,
        )

    async with sessionmaker() as session:
        rows = await list_posts(session, thread_id=thread.id, limit=50)

    ids = [p.id for p in posts]
    assert [r.id for r in rows] == [ids[0], ids[3], ids[5], ids[4], ids[2], ids[1]]
    assert [r.is_pinned for r in rows] == [True, True, False, False, False, False]
    assert rows[0].pinned_at_utc == T0 + timedelta(hours=2)
    assert rows[0].created_at.tzinfo is not None


@pytest.mark.parametrize("page", [1, 2, 3, 7])
async def test_keyset_walk_crosses_from_pinned_to_unpinned_without_gaps(sessionmaker, page) -> None:
    # Zero step: every post has the same creation time, so only the id orders them.
    _, user, thread, posts = await _thread_with_posts(sessionmaker, count=12, step=timedelta(0))
    async with sessionmaker() as session, session.begin():
        for index in (2, 5, 9):
            row = await session.get(DiscussionPost, posts[index].id)
            pin(row, by_user_id=user.id, at=T0)  # same pin time too: the id decides

    seen = await _walk(sessionmaker, thread.id, page)

    pinned = [posts[9].id, posts[5].id, posts[2].id]
    rest = [p.id for p in reversed(posts) if p.id not in pinned]
    assert seen == pinned + rest


async def test_first_replies_reply_counts_and_authors_are_batched(sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc")
        ada = await make_user(session, full_name="Ada")
        tutor = await make_user(session, full_name="Tutor", roles=("student", "instructor"))
        session.add(ProgramStaff(cohort_id=cohort.id, user_id=tutor.id, role="teaching_assistant"))
        elsewhere = await make_program(session, slug="elsewhere")
        other_thread = await make_thread(session, cohort_id=elsewhere.id)
        thread = await make_thread(session, cohort_id=cohort.id)
        tops = await add_posts(session, thread_id=thread.id, author_ids=[ada.id], count=3, start=T0)
        many = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[tutor.id, ada.id],
            count=5,
            start=T0 + timedelta(hours=1),
            step=timedelta(0),
            parent_post_id=tops[0].id,
        )
        one = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[tutor.id],
            count=1,
            start=T0 + timedelta(hours=2),
            parent_post_id=tops[1].id,
        )

    async with sessionmaker() as session:
        firsts = await loaders.first_replies_by_post(
            session, [(tops[0].id, 3), (tops[1].id, 3), (tops[2].id, 3), (tops[0].id, 10)]
        )
        counts = await loaders.reply_count_by_post(session, [t.id for t in tops])
        authors = await loaders.authors_by_id(
            session,
            [
                (tutor.id, thread.id),
                (ada.id, thread.id),
                (999_999, thread.id),
                (tutor.id, other_thread.id),
            ],
        )

    assert [r.id for r in firsts[0]] == [m.id for m in many[:3]]
    assert [r.id for r in firsts[1]] == [one[0].id]
    assert firsts[2] == []
    assert [r.id for r in firsts[3]] == [m.id for m in many]
    assert counts == [5, 1, 0]
    assert [(a.full_name, a.is_staff) for a in authors[:2]] == [("Tutor", True), ("Ada", False)]
    assert authors[2] is None
    assert authors[3] is not None
    assert authors[3].is_staff is False


async def test_replies_page_oldest_first_after_a_cursor(sessionmaker) -> None:
    _, user, thread, posts = await _thread_with_posts(sessionmaker, count=1)
    async with sessionmaker() as session, session.begin():
        replies = await add_posts(
            session,
            thread_id=thread.id,
            author_ids=[user.id],
            count=5,
            start=T0 + timedelta(minutes=5),
            parent_post_id=posts[0].id,
        )
    async with sessionmaker() as session:
        first = await list_replies(session, parent_id=posts[0].id, limit=2)
        rest = await list_replies(
            session, parent_id=posts[0].id, limit=10, after_key=ReplyKey.of(first[-1])
        )
    assert [r.id for r in first + rest] == [r.id for r in replies]


async def test_open_thread_creates_once_then_reads(sessionmaker, cache, clock) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc", weeks=2)
        staff = await make_user(session, full_name="Tutor", roles=("instructor",))
    viewer = Viewer(user_id=staff.id, roles=STAFF, staff_roles=((cohort.id, "instructor"),))

    def open_week(week_number: int):
        return open_thread(
            sessionmaker,
            cache=cache,
            viewer=viewer,
            program_slug="disc",
            week_number=week_number,
            now=clock.now(),
        )

    first = await open_week(2)
    again = await open_week(2)

    assert first.created
    assert not again.created
    assert again.thread.id == first.thread.id
    assert (first.thread.title, first.thread.cohort_id) == ("Week 2: Week 2", cohort.id)
    assert first.thread.created_at == clock.now()
    with pytest.raises(DomainError) as missing:
        await open_week(3)
    # The field is its own attribute now; nothing else is left in the details.
    error = missing.value
    assert (error.code, error.field, error.details) == (Code.NOT_FOUND, "weekNumber", {})


@pytest.mark.mysql_only
async def test_losing_the_create_race_rereads_the_winners_thread(
    sessionmaker, cache, clock, is_mysql
) -> None:
    """The loser's snapshot predates the winner's commit: only a locking read can see it."""
    if not is_mysql:
        pytest.skip("needs InnoDB snapshots and row locks")
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc")
        staff = await make_user(session, full_name="Tutor", roles=("instructor",))
    viewer = Viewer(user_id=staff.id, roles=STAFF, staff_roles=((cohort.id, "instructor"),))

    async with sessionmaker() as loser, loser.begin():
        access = await check_week_access(
            loser, viewer=viewer, program_slug="disc", week_number=1, now=clock.now()
        )
        assert access.thread is None
        # The winner's unit of work commits before the loser tries to create the thread.
        won = await open_thread(
            sessionmaker,
            cache=cache,
            viewer=viewer,
            program_slug="disc",
            week_number=1,
            now=clock.now(),
        )
        thread, created = await ensure_thread(
            loser, access, week_number=1, user_id=staff.id, now=clock.now()
        )
        assert not created
        assert thread.id == won.thread.id
        # The transaction is still usable after the failed insert (savepoint), and a plain
        # read in it still sees the old snapshot: the reason the re-read must lock.
        assert await loser.scalar(select(func.count(DiscussionThread.id))) == 0
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(DiscussionThread.id))) == 1


@pytest.mark.mysql_only
async def test_a_hundred_concurrent_first_opens_create_one_thread(
    sessionmaker, cache, clock, is_mysql
) -> None:
    if not is_mysql:
        pytest.skip("real concurrency needs MariaDB")
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="disc")
        staff = await make_user(session, full_name="Tutor", roles=("instructor",))
    viewer = Viewer(user_id=staff.id, roles=STAFF, staff_roles=((cohort.id, "instructor"),))

    async def open_one():
        return await open_thread(
            sessionmaker,
            cache=cache,
            viewer=viewer,
            program_slug="disc",
            week_number=1,
            now=clock.now(),
        )

    opened = await asyncio.gather(*(open_one() for _ in range(100)))

    assert len({o.thread.id for o in opened}) == 1
    assert sum(o.created for o in opened) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(DiscussionThread.id))) == 1
