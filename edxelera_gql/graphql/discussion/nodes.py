"""Discussion nodes: a thread or post by id, readable exactly when `discussionThread` of its
week is (active students once released, staff always)."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.discussion import locate
from edxelera_gql.graphql.catalog.nodes import place_of
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.discussion.queries import thread_of
from edxelera_gql.graphql.discussion.types import DiscussionThread, Post
from edxelera_gql.graphql.ids import positive_int
from edxelera_gql.graphql.node import node_resolver


@node_resolver("DiscussionThread")
async def thread_node(info: Info[Context, None], keys: list[str]) -> DiscussionThread | None:
    place = await place_of(info.context, locate.thread, keys[0])
    if place is None or place.week_number is None:
        return None
    return await thread_of(info.context, place.program_slug, place.week_number)


@node_resolver("Post")
async def post_node(info: Info[Context, None], keys: list[str]) -> Post | None:
    ctx, number = info.context, positive_int(keys[0])
    if number is None:
        return None
    async with ctx.sessionmaker() as session:
        found = await locate.post(session, number)
    if found is None:
        return None
    row, place = found
    if place.week_number is None:
        return None
    await thread_of(ctx, place.program_slug, place.week_number)  # the access check
    return Post.from_row(row)
