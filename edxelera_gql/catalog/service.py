"""Reading the catalog: published programs and a program by slug."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import Cohort


async def list_programs(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    after: tuple[datetime, int] | None = None,
    include_ended: bool = False,
    include_unpublished: bool = False,
) -> list[Cohort]:
    """Programs by start time (soonest first), keyset-paginated on (start, id)."""
    query = select(Cohort).order_by(Cohort.start_at_utc, Cohort.id).limit(limit)
    if not include_unpublished:
        query = query.where(Cohort.published.is_(True))
    if not include_ended:
        query = query.where(Cohort.end_at_utc > now)
    if after is not None:
        start, cohort_id = after
        query = query.where(
            or_(
                Cohort.start_at_utc > start,
                and_(Cohort.start_at_utc == start, Cohort.id > cohort_id),
            )
        )
    return list((await session.scalars(query)).all())


async def get_program(
    session: AsyncSession, slug: str, *, include_unpublished: bool = False
) -> Cohort | None:
    query = select(Cohort).where(Cohort.slug == slug)
    if not include_unpublished:
        query = query.where(Cohort.published.is_(True))
    return (await session.scalars(query)).one_or_none()
