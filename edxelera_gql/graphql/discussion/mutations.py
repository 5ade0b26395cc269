"""createPost, replyToPost, setPinnedPost: adapters over ``discussion.posts``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import posts
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.discussion.types import (
    CreatePostInput,
    Post,
    PostPayload,
    ReplyToPostInput,
    SetPinnedPostInput,
)
from edxelera_gql.graphql.errors import mutation
from edxelera_gql.graphql.ids import maybe_int_key


@strawberry.type
class DiscussionMutation:
    @mutation(PostPayload, description="Adds a top-level post to a week's discussion.")
    async def create_post(self, info: Info[Context, None], input: CreatePostInput) -> PostPayload:
        ctx = info.context
        post = await posts.create_post(
            ctx.sessionmaker,
            cache=ctx.cache,
            viewer=ctx.viewer,
            program_slug=input.program_slug,
            week_number=input.week_number,
            body=input.body,
            now=ctx.now(),
        )
        return PostPayload(post=Post.from_row(post))

    @mutation(PostPayload, description="Replies to a post; a reply to a reply joins its top post.")
    async def reply_to_post(
        self, info: Info[Context, None], input: ReplyToPostInput
    ) -> PostPayload:
        ctx = info.context
        post = await posts.reply_to_post(
            ctx.sessionmaker,
            cache=ctx.cache,
            viewer=ctx.viewer,
            post_id=post_key(input.post_id),
            body=input.body,
            now=ctx.now(),
        )
        return PostPayload(post=Post.from_row(post))

    @mutation(PostPayload, description="Pins or unpins a top-level post (instructors and admins).")
    async def set_pinned_post(
        self, info: Info[Context, None], input: SetPinnedPostInput
    ) -> PostPayload:
        ctx = info.context
        post = await posts.set_pinned(
            ctx.sessionmaker,
            viewer=ctx.viewer,
            post_id=post_key(input.post_id),
            pinned=input.pinned,
            now=ctx.now(),
        )
        return PostPayload(post=Post.from_row(post))


def post_key(post_id: str) -> str:
    """`Post.id` (or the bare number older clients send) as the number the service parses;
    anything else goes through unchanged and is refused there as NOT_FOUND."""
    number = maybe_int_key(post_id, "Post")
    return str(number) if number is not None else post_id
