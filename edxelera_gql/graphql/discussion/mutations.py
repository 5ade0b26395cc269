"""createPost, replyToPost, setPinnedPost: adapters over ``discussion.posts``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import posts
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import RATES, STAFF
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
    @mutation(
        PostPayload,
        description="Adds a top-level post to a week's discussion (making the thread if "
        "needed). Who: as discussionThread. Errors: UNAUTHENTICATED, INVALID_INPUT (`body`), "
        "NOT_FOUND (program or week), NOT_ENROLLED, WEEK_NOT_RELEASED, RATE_LIMITED "
        f"({RATES['post']} per user).",
    )
    async def create_post(
        self,
        info: Info[Context, None],
        input: Annotated[
            CreatePostInput, strawberry.argument(description="Where to post, and what.")
        ],
    ) -> PostPayload:
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

    @mutation(
        PostPayload,
        description="Replies to a post; a reply to a reply joins its top-level post (replies "
        "are one level deep). Who: as discussionThread of the post's week. Errors: "
        "UNAUTHENTICATED, INVALID_INPUT (`body`), NOT_FOUND (`postId`: unknown, or in a "
        "program the viewer is not enrolled in), WEEK_NOT_RELEASED, RATE_LIMITED "
        f"({RATES['reply']} per user).",
    )
    async def reply_to_post(
        self,
        info: Info[Context, None],
        input: Annotated[
            ReplyToPostInput, strawberry.argument(description="The post, and the reply.")
        ],
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

    @mutation(
        PostPayload,
        description=f"Pins or unpins a top-level post; {STAFF} only (FORBIDDEN otherwise). "
        "Pinned posts are listed first, newest pin first. Idempotent: pinning a pinned post "
        "keeps its first pin. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (`postId`), "
        "CANNOT_PIN_REPLY.",
    )
    async def set_pinned_post(
        self,
        info: Info[Context, None],
        input: Annotated[
            SetPinnedPostInput, strawberry.argument(description="The post, pinned or not.")
        ],
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
