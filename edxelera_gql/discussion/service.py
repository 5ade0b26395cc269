"""Week threads, posts, replies and pins: load, apply ``rules``, write.

Every function takes the caller's session (one transaction per mutation) and raises
``DomainError`` for expected failures, before anything is written or inside the caller's
transaction so a failure rolls everything back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, select, true, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort, Week
from edxelera_gql.discussion import rules
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.discussion.rows import (
    POST_COLUMNS,
    PostKey,
    PostRow,
    ReplyKey,
    after,
    before,
)
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import DomainError
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import hit, limit_key


@dataclass(frozen=True)
class OpenThread:
    thread: DiscussionThread
    cohort: Cohort
    created: bool  # this call created the thread (callers bump the program's cache version)


@dataclass(frozen=True)
class Posted:
    post: PostRow
    cohort_id: int


def _fail(refusal: rules.Refusal) -> DomainError:
    details: dict[str, Any] = {"field": refusal.field} if refusal.field else {}
    return DomainError(refusal.code, refusal.message, **details)


def _signed_in(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise DomainError("UNAUTHENTICATED", "Sign in to take part in discussions.")
    return viewer


async def _rate_limit(cache: Cache, scope: str, user_id: int, rule: rules.RateRule) -> None:
    result = await hit(
        cache, limit_key(scope, str(user_id)), limit=rule.limit, window_seconds=rule.window_seconds
    )
    if not result.allowed:
        raise DomainError(
            "RATE_LIMITED",
            f"You are posting too fast. Try again in {result.retry_after_seconds} seconds.",
            retry_after_seconds=result.retry_after_seconds,
        )


# -- threads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WeekAccess:
    cohort: Cohort
    week_title: str
    thread: DiscussionThread | None


async def _check_week_access(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    now: datetime,
) -> _WeekAccess:
    """Program, week, the viewer's enrollment and the thread, in one statement."""
    if viewer is None:
        raise _fail(rules.thread_access(signed_in=False, is_staff=False, program=None, now=now))
    row = (
        await session.execute(
            select(Cohort, Week.release_at_utc, Week.title, Enrollment.status, DiscussionThread)
            .select_from(Cohort)
            .outerjoin(Week, and_(Week.cohort_id == Cohort.id, Week.week_number == week_number))
            .outerjoin(
                Enrollment,
                and_(Enrollment.cohort_id == Cohort.id, Enrollment.user_id == viewer.user_id),
            )
            .outerjoin(
                DiscussionThread,
                and_(
                    DiscussionThread.cohort_id == Cohort.id,
                    DiscussionThread.week_number == week_number,
                ),
            )
            .where(Cohort.slug == program_slug)
        )
    ).one_or_none()
    facts = None
    if row is not None:
        facts = rules.ProgramFacts(
            published=row[0].published, week_release_at=row[1], enrollment_status=row[3]
        )
    refusal = rules.thread_access(signed_in=True, is_staff=viewer.is_staff, program=facts, now=now)
    if refusal is not None:
        raise _fail(refusal)
    assert row is not None  # thread_access refuses a missing program
    return _WeekAccess(cohort=row[0], week_title=row[2], thread=row[4])


async def _ensure_thread(
    session: AsyncSession, access: _WeekAccess, *, week_number: int, user_id: int, now: datetime
) -> tuple[DiscussionThread, bool]:
    if access.thread is not None:
        return access.thread, False
    thread = DiscussionThread(
        cohort_id=access.cohort.id,
        week_number=week_number,
        title=rules.thread_title(week_number, access.week_title),
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint, so losing the race leaves the caller's transaction usable.
        async with session.begin_nested():
            session.add(thread)
            await session.flush()
    except IntegrityError:
        # Another request created it first (unique cohort + week). A locking read sees its
        # committed row; a plain read would reuse this transaction's older snapshot on InnoDB.
        existing = await session.scalar(
            select(DiscussionThread)
            .where(
                DiscussionThread.cohort_id == access.cohort.id,
                DiscussionThread.week_number == week_number,
            )
            .with_for_update(read=True)
        )
        if existing is None:
            raise  # not the unique key (e.g. the program was deleted meanwhile)
        return existing, False
    return thread, True


async def open_thread(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    now: datetime,
) -> OpenThread:
    """The week's thread, created the first time someone allowed to read it asks."""
    access = await _check_week_access(
        session, viewer=viewer, program_slug=program_slug, week_number=week_number, now=now
    )
    assert viewer is not None
    thread, created = await _ensure_thread(
        session, access, week_number=week_number, user_id=viewer.user_id, now=now
    )
    return OpenThread(thread=thread, cohort=access.cohort, created=created)


# -- posts -----------------------------------------------------------------------------------


async def create_post(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    body: str,
    now: datetime,
    cache: Cache,
) -> Posted:
    viewer = _signed_in(viewer)
    cleaned = rules.clean_body(body)
    if isinstance(cleaned, rules.Refusal):
        raise _fail(cleaned)
    access = await _check_week_access(
        session, viewer=viewer, program_slug=program_slug, week_number=week_number, now=now
    )
    # Counted only for attempts that would post: refusals above cost nothing.
    await _rate_limit(cache, "discussion-post", viewer.user_id, rules.POST_RATE)
    thread, _ = await _ensure_thread(
        session, access, week_number=week_number, user_id=viewer.user_id, now=now
    )
    post = DiscussionPost(
        thread_id=thread.id,
        author_user_id=viewer.user_id,
        parent_post_id=None,
        body=cleaned,
        is_pinned=False,
        created_at=now,
        updated_at=now,
    )
    session.add(post)
    await session.flush()
    return Posted(post=PostRow.from_model(post), cohort_id=access.cohort.id)


async def reply_to_post(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    post_id: str,
    body: str,
    now: datetime,
    cache: Cache,
) -> Posted:
    viewer = _signed_in(viewer)
    target_id = rules.parse_id(post_id, "postId")
    if isinstance(target_id, rules.Refusal):
        raise _fail(target_id)
    cleaned = rules.clean_body(body)
    if isinstance(cleaned, rules.Refusal):
        raise _fail(cleaned)
    row = (
        await session.execute(
            select(
                DiscussionPost.id,
                DiscussionPost.parent_post_id,
                DiscussionPost.thread_id,
                Cohort.id,
                Cohort.published,
                Week.release_at_utc,
                Enrollment.status,
            )
            .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
            .join(Cohort, Cohort.id == DiscussionThread.cohort_id)
            .outerjoin(
                Week,
                and_(
                    Week.cohort_id == Cohort.id,
                    Week.week_number == DiscussionThread.week_number,
                ),
            )
            .outerjoin(
                Enrollment,
                and_(Enrollment.cohort_id == Cohort.id, Enrollment.user_id == viewer.user_id),
            )
            .where(DiscussionPost.id == target_id)
        )
    ).one_or_none()
    if row is None:
        raise DomainError("NOT_FOUND", "No such post.", field="postId")
    _, parent_of_target, thread_id, cohort_id, published, release_at, status = row
    refusal = rules.thread_access(
        signed_in=True,
        is_staff=viewer.is_staff,
        program=rules.ProgramFacts(published, release_at, status),
        now=now,
    )
    if refusal is not None:
        if refusal.code == "NOT_FOUND":
            raise DomainError("NOT_FOUND", "No such post.", field="postId")
        raise _fail(refusal)
    await _rate_limit(cache, "discussion-reply", viewer.user_id, rules.REPLY_RATE)
    reply = DiscussionPost(
        thread_id=thread_id,
        author_user_id=viewer.user_id,
        parent_post_id=rules.reply_parent_id(target_id, parent_of_target),
        body=cleaned,
        is_pinned=False,
        created_at=now,
        updated_at=now,
    )
    session.add(reply)
    await session.flush()
    return Posted(post=PostRow.from_model(reply), cohort_id=cohort_id)


async def set_pinned(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    post_id: str,
    pinned: bool,
    now: datetime,
) -> PostRow:
    """Pins or unpins a top-level post (staff only). Pinning a pinned post keeps its original
    pin, unpinning an unpinned one changes nothing: retries are harmless."""
    viewer = _signed_in(viewer)
    # Staff first, before the lookup, so students learn nothing about which ids exist.
    refusal = rules.pin_refusal(is_staff=viewer.is_staff, is_reply=False)
    if refusal is not None:
        raise _fail(refusal)
    target_id = rules.parse_id(post_id, "postId")
    if isinstance(target_id, rules.Refusal):
        raise _fail(target_id)
    # Locked so concurrent pin and unpin of one post apply one after the other.
    post = await session.get(DiscussionPost, target_id, with_for_update=True)
    if post is None:
        raise DomainError("NOT_FOUND", "No such post.", field="postId")
    refusal = rules.pin_refusal(is_staff=True, is_reply=post.parent_post_id is not None)
    if refusal is not None:
        raise _fail(refusal)
    if pinned and not post.is_pinned:
        post.is_pinned, post.pinned_at_utc, post.pinned_by_user_id = True, now, viewer.user_id
        post.updated_at = now
    elif not pinned and post.is_pinned:
        post.is_pinned, post.pinned_at_utc, post.pinned_by_user_id = False, None, None
        post.updated_at = now
    await session.flush()
    return PostRow.from_model(post)


# -- listings --------------------------------------------------------------------------------


async def list_posts(
    session: AsyncSession, *, thread_id: int, limit: int, after_key: PostKey | None = None
) -> list[PostRow]:
    """Up to ``limit`` top-level posts after ``after_key``: pinned ones first (newest pin
    first), then the rest newest first. Keyset pagination, so posts added while a reader pages
    sort before the cursor and never shift what comes after it.

    One statement: the pinned and the unpinned segments are each an index range with its own
    LIMIT, joined by UNION ALL and merged here.
    """
    top_level = and_(DiscussionPost.thread_id == thread_id, DiscussionPost.parent_post_id.is_(None))
    parts = []
    if after_key is None or after_key.pinned:
        pinned = select(*POST_COLUMNS, literal(0).label("segment")).where(
            top_level, DiscussionPost.is_pinned == true()
        )
        if after_key is not None:
            pinned = pinned.where(before(DiscussionPost.pinned_at_utc, after_key.at, after_key.id))
        parts.append(
            pinned.order_by(DiscussionPost.pinned_at_utc.desc(), DiscussionPost.id.desc()).limit(
                limit
            )
        )
    rest = select(*POST_COLUMNS, literal(1).label("segment")).where(
        top_level, DiscussionPost.is_pinned != true()
    )
    if after_key is not None and not after_key.pinned:
        rest = rest.where(before(DiscussionPost.created_at, after_key.at, after_key.id))
    parts.append(
        rest.order_by(DiscussionPost.created_at.desc(), DiscussionPost.id.desc()).limit(limit)
    )
    if len(parts) == 1:
        statement = parts[0]
    else:
        # Each part in a derived table: SQLite refuses ORDER BY/LIMIT directly in a UNION.
        statement = union_all(*(select(part.subquery()) for part in parts))
    rows = [
        (row.segment, PostRow.from_mapping(row._mapping))
        for row in await session.execute(statement)
    ]
    rows.sort(key=lambda r: (-r[0], PostKey.of(r[1]).at, r[1].id), reverse=True)
    return [post for _, post in rows[:limit]]


async def list_replies(
    session: AsyncSession, *, parent_id: int, limit: int, after_key: ReplyKey | None = None
) -> list[PostRow]:
    """Up to ``limit`` replies to a top-level post after ``after_key``, oldest first."""
    query = select(*POST_COLUMNS).where(DiscussionPost.parent_post_id == parent_id)
    if after_key is not None:
        query = query.where(after(DiscussionPost.created_at, after_key.at, after_key.id))
    query = query.order_by(DiscussionPost.created_at, DiscussionPost.id).limit(limit)
    return [PostRow.from_mapping(row._mapping) for row in await session.execute(query)]
