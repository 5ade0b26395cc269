"""Discussion queries: a week's thread, created the first time it is needed."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import threads
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import PROGRAM_SLUG, STAFF, WEEK_NUMBER
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
        description="A program week's discussion, created on first request. Students with an "
        f"ACTIVE enrollment may read it once the week is released, {STAFF} always. Errors: "
        "UNAUTHENTICATED, NOT_ENROLLED, WEEK_NOT_RELEASED (students, before the release), "
        "NOT_FOUND (unknown program or week, or an unpublished program for students)."
    )
    async def discussion_thread(
        self,
        info: Info[Context, None],
        program_slug: Annotated[str, strawberry.argument(description=PROGRAM_SLUG)],
        week_number: Annotated[int, strawberry.argument(description=WEEK_NUMBER)],
    ) -> DiscussionThread | None:
        return await thread_of(info.context, program_slug, week_number)
