"""The `User` node: only the signed-in user themselves, as `me` shows them."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.graphql.auth.queries import me_of
from edxelera_gql.graphql.auth.types import User
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.node import node_resolver


@node_resolver("User")
async def user_node(info: Info[Context, None], keys: list[str]) -> User | None:
    viewer = info.context.viewer
    if viewer is None or str(viewer.user_id) != keys[0]:
        return None
    return await me_of(info.context)
