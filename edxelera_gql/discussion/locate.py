"""Threads and posts by primary key, with the program week they belong to, so fetching them by
id goes through the same access check as `discussionThread`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.locate import Place
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.discussion.rows import POST_COLUMNS, PostRow


async def thread(session: AsyncSession, thread_id: int) -> Place | None:
    row = (
        await session.execute(
            select(Cohort.slug, DiscussionThread.week_number)
            .join(DiscussionThread, DiscussionThread.cohort_id == Cohort.id)
            .where(DiscussionThread.id == thread_id)
        )
    ).first()
    return Place(row[0], week_number=row[1]) if row is not None else None


async def post(session: AsyncSession, post_id: int) -> tuple[PostRow, Place] | None:
    row = (
        (
            await session.execute(
                select(
                    *POST_COLUMNS, Cohort.slug.label("program_slug"), DiscussionThread.week_number
                )
                .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
                .join(Cohort, Cohort.id == DiscussionThread.cohort_id)
                .where(DiscussionPost.id == post_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return PostRow.from_mapping(row), Place(row["program_slug"], week_number=row["week_number"])
