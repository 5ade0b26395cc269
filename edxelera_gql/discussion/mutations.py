"""createPost, replyToPost, setPinnedPost: thin resolvers over ``discussion.service``.

Each runs in one transaction; a ``DomainError`` raised inside it rolls everything back and
comes out as a ``UserError``. Cache versions are bumped only after the commit.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import service
from edxelera_gql.discussion.types import (
    CreatePostInput,
    Post,
    PostPayload,
    ReplyToPostInput,
    SetPinnedPostInput,
)
from edxelera_gql.errors import DomainError
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import user_error
from edxelera_gql.infra import versions


async def _posted(ctx: Context, posted: service.Posted) -> PostPayload:
    # The week hub's discussion summary (post count, last post time) is cached per program.
    await versions.bump(ctx.cache, versions.program_scope(posted.cohort_id))
    return PostPayload(post=Post.from_row(posted.post))


@strawberry.type
class DiscussionMutation:
    @strawberry.mutation(description="Adds a top-level post to a week's discussion.")
    async def create_post(self, info: Info[Context, None], input: CreatePostInput) -> PostPayload:
        ctx = info.context
        try:
            async with ctx.sessionmaker() as session, session.begin():
                posted = await service.create_post(
                    session,
                    viewer=ctx.viewer,
                    program_slug=input.program_slug,
                    week_number=input.week_number,
                    body=input.body,
                    now=ctx.now(),
                    cache=ctx.cache,
                )
        except DomainError as exc:
            return PostPayload(errors=[user_error(exc)])
        return await _posted(ctx, posted)

    @strawberry.mutation(description="Replies to a post; a reply to a reply joins its top post.")
    async def reply_to_post(
        self, info: Info[Context, None], input: ReplyToPostInput
    ) -> PostPayload:
        ctx = info.context
        try:
            async with ctx.sessionmaker() as session, session.begin():
                posted = await service.reply_to_post(
                    session,
                    viewer=ctx.viewer,
                    post_id=input.post_id,
                    body=input.body,
                    now=ctx.now(),
                    cache=ctx.cache,
                )
        except DomainError as exc:
            return PostPayload(errors=[user_error(exc)])
        return await _posted(ctx, posted)

    @strawberry.mutation(description="Pins or unpins a top-level post (instructors and admins).")
    async def set_pinned_post(
        self, info: Info[Context, None], input: SetPinnedPostInput
    ) -> PostPayload:
        ctx = info.context
        try:
            async with ctx.sessionmaker() as session, session.begin():
                post = await service.set_pinned(
                    session,
                    viewer=ctx.viewer,
                    post_id=input.post_id,
                    pinned=input.pinned,
                    now=ctx.now(),
                )
        except DomainError as exc:
            return PostPayload(errors=[user_error(exc)])
        return PostPayload(post=Post.from_row(post))
