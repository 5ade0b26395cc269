"""Discussion queries: a week's thread, created the first time it is needed."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import service
from edxelera_gql.discussion.types import DiscussionThread
from edxelera_gql.graphql.context import Context
from edxelera_gql.infra import versions


@strawberry.type
class DiscussionQuery:
    @strawberry.field(
        description="A program week's discussion: active students once the week is released, "
        "staff always. Created on first request."
    )
    async def discussion_thread(
        self, info: Info[Context, None], program_slug: str, week_number: int
    ) -> DiscussionThread:
        ctx = info.context
        async with ctx.sessionmaker() as session, session.begin():
            opened = await service.open_thread(
                session,
                viewer=ctx.viewer,
                program_slug=program_slug,
                week_number=week_number,
                now=ctx.now(),
            )
        if opened.created:
            # Week hubs show the thread id in their cached discussion summary.
            await versions.bump(ctx.cache, versions.program_scope(opened.cohort.id))
        return DiscussionThread.from_open(opened)
