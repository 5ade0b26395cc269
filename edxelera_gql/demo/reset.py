"""Puts the demo accounts back where the walkthroughs start: everything they did is removed
(enrollments, payments, progress, certificates, posts, calendar feeds, sessions), so the seed
can lay down the demo history again and the paid walkthrough can be repeated."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import CalendarFeed, RefreshToken, User
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.db import versions as db_versions
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.enrollment.models import Enrollment, PaymentEvent, PaymentTransaction
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache
from edxelera_gql.learning.models import CourseProgress, LessonProgress


async def _remove(session: AsyncSession, ids: Sequence[int]) -> None:
    # Replies first (to demo posts, or by demo users), then their top-level posts.
    mine = select(DiscussionPost.id).where(DiscussionPost.author_user_id.in_(ids))
    await session.execute(
        delete(DiscussionPost).where(
            DiscussionPost.parent_post_id.in_(mine.scalar_subquery())
            | (DiscussionPost.author_user_id.in_(ids) & DiscussionPost.parent_post_id.isnot(None))
        )
    )
    await session.execute(delete(DiscussionPost).where(DiscussionPost.author_user_id.in_(ids)))
    await session.execute(
        update(DiscussionPost)
        .where(DiscussionPost.pinned_by_user_id.in_(ids))
        .values(is_pinned=False, pinned_by_user_id=None, pinned_at_utc=None)
    )
    await session.execute(
        update(DiscussionThread)
        .where(DiscussionThread.created_by_user_id.in_(ids))
        .values(created_by_user_id=None)
    )
    references = select(PaymentTransaction.reference).where(PaymentTransaction.user_id.in_(ids))
    await session.execute(
        delete(PaymentEvent).where(PaymentEvent.reference.in_(references.scalar_subquery()))
    )
    for model in (Certificate, CourseProgress, LessonProgress, PaymentTransaction, Enrollment):
        await session.execute(delete(model).where(model.user_id.in_(ids)))
    await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id.in_(ids)))
    await session.execute(delete(RefreshToken).where(RefreshToken.user_id.in_(ids)))


async def reset_accounts(
    sessionmaker: async_sessionmaker[AsyncSession], emails: Sequence[str], cache: Cache | None
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        ids = list(await uow.session.scalars(select(User.id).where(User.email.in_(emails))))
        if not ids:
            return
        programs = list(await uow.session.scalars(select(Cohort.id)))
        await _remove(uow.session, ids)
        if cache is not None:
            scopes = [versions.viewer_program_scope(u, p) for u in ids for p in programs]
            scopes += [versions.program_scope(p) for p in programs]
            scopes += [versions.discussion_scope(p) for p in programs]
            await db_versions.bump_in(uow, cache, *scopes)
