"""Discussion queries: a week's thread, created the first time it is needed."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import threads
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.discussion.types import DiscussionThread


async def thread_of(ctx: Context, program_slug: str, week_number: int) -> DiscussionThread:
    opened = await threads.open_thread(
        ctx.sessionmaker,
        cache=ctx.cache,
        viewer=ctx.viewer,
        program_slug=program_slug,
        week_number=week_number,
        now=ctx.now(),
    )
    return DiscussionThread.from_open(opened)


@strawberry.type
class DiscussionQuery:
    @strawberry.field(
        description="A program week's discussion: active students once the week is released, "
        "staff always. Created on first request."
    )
    async def discussion_thread(
        self, info: Info[Context, None], program_slug: str, week_number: int
    ) -> DiscussionThread | None:
        return await thread_of(info.context, program_slug, week_number)
