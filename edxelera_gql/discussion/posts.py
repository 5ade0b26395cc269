"""Posts, replies and pins: load, apply ``rules``, write, each one unit of work.

Expected failures raise ``DomainError`` before anything is written or inside the unit of work,
so a failure rolls everything back. The program's cache version is bumped after the commit:
week hubs cache the discussion summary.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort, Week
from edxelera_gql.db import audit
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.discussion import rules
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.discussion.rows import PostRow
from edxelera_gql.discussion.threads import bump_after_commit, check_week_access, ensure_thread
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import Code, Refusal
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key

# Per user; over the limit the mutation answers RATE_LIMITED with a retry-after.
POST_RATE = Rule(limit=10, window_seconds=60)
REPLY_RATE = Rule(limit=20, window_seconds=60)
_SIGN_IN = "Sign in to take part in discussions."
_NO_SUCH_POST = Refusal(Code.NOT_FOUND, "No such post.", "postId")


def _accepted(value: str | int | Refusal) -> str | int:
    if isinstance(value, Refusal):
        raise value.error()
    return value


async def _rate_limit(cache: Cache, scope: str, user_id: int, rule: Rule, now: datetime) -> None:
    await enforce(
        cache, limit_key(scope, str(user_id)), rule, now=now, message="You are posting too fast."
    )


async def create_post(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    program_slug: str,
    week_number: int,
    body: str,
    now: datetime,
) -> PostRow:
    viewer = require_viewer(viewer, _SIGN_IN)
    cleaned = str(_accepted(rules.clean_body(body)))
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        access = await check_week_access(
            session, viewer=viewer, program_slug=program_slug, week_number=week_number, now=now
        )
        # Counted only for attempts that would post: refusals above cost nothing.
        await _rate_limit(cache, "discussion-post", viewer.user_id, POST_RATE, now)
        thread, _ = await ensure_thread(
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
        await bump_after_commit(uow, cache, access.program.id)
        return PostRow.from_model(post)


async def _reply_target(
    session: AsyncSession, viewer: Viewer, target_id: int, now: datetime
) -> tuple[int | None, int, int]:
    """(parent of the target, thread id, program id) when the viewer may reply there."""
    row = (
        await session.execute(
            select(
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
        raise _NO_SUCH_POST.error()
    parent_of_target, thread_id, cohort_id, published, release_at, status = row
    refused = rules.thread_access(
        signed_in=True,
        is_staff=viewer.is_staff_in(cohort_id),
        program=rules.ThreadAccessFacts(published, release_at, status),
        now=now,
    )
    if refused is not None:
        # Posts of programs one is not in do not exist for them: NOT_ENROLLED would confirm
        # that the id names a post. Enrolled students may learn the week is not open yet.
        hidden = refused.code in (Code.NOT_FOUND, Code.NOT_ENROLLED)
        raise (_NO_SUCH_POST if hidden else refused).error()
    return parent_of_target, thread_id, cohort_id


async def reply_to_post(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    post_id: str,
    body: str,
    now: datetime,
) -> PostRow:
    viewer = require_viewer(viewer, _SIGN_IN)
    target_id = int(_accepted(rules.parse_id(post_id, "postId")))
    cleaned = str(_accepted(rules.clean_body(body)))
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        parent_of_target, thread_id, cohort_id = await _reply_target(
            session, viewer, target_id, now
        )
        await _rate_limit(cache, "discussion-reply", viewer.user_id, REPLY_RATE, now)
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
        await bump_after_commit(uow, cache, cohort_id)
        return PostRow.from_model(reply)


async def set_pinned(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    viewer: Viewer | None,
    post_id: str,
    pinned: bool,
    now: datetime,
) -> PostRow:
    """Pins or unpins a top-level post (the program's staff only). Pinning a pinned post
    keeps its original pin, unpinning an unpinned one changes nothing: retries are harmless."""
    viewer = require_viewer(viewer, _SIGN_IN)
    # Staff somewhere first, before the lookup, so students learn nothing about which ids exist.
    staff = viewer.is_staff_anywhere
    if (refused := rules.pin_refusal(is_staff=staff, is_reply=False)) is not None:
        raise refused.error()
    target_id = int(_accepted(rules.parse_id(post_id, "postId")))
    async with UnitOfWork(sessionmaker) as uow:
        # Locked so concurrent pin and unpin of one post apply one after the other.
        post = await uow.session.get(DiscussionPost, target_id, with_for_update=True)
        if post is None:
            raise _NO_SUCH_POST.error()
        cohort_id = await uow.session.scalar(
            select(DiscussionThread.cohort_id).where(DiscussionThread.id == post.thread_id)
        )
        staff = viewer.is_staff_in(cohort_id)
        is_reply = post.parent_post_id is not None
        if (refused := rules.pin_refusal(is_staff=staff, is_reply=is_reply)) is not None:
            raise refused.error()
        was = post.is_pinned
        if pinned and not post.is_pinned:
            post.is_pinned, post.pinned_at_utc, post.pinned_by_user_id = True, now, viewer.user_id
            post.updated_at = now
        elif not pinned and post.is_pinned:
            post.is_pinned, post.pinned_at_utc, post.pinned_by_user_id = False, None, None
            post.updated_at = now
        if was != post.is_pinned:
            audit.record(
                uow.session, actor_id=viewer.user_id, action="post.pin" if pinned else "post.unpin",
                target_type="DiscussionPost", target_id=post.id, cohort_id=cohort_id, at=now,
                before={"pinned": was}, after={"pinned": post.is_pinned},
            )  # fmt: skip
        await uow.session.flush()
        return PostRow.from_model(post)
