"""`me`: the signed-in user, or null when anonymous."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth import accounts
from edxelera_gql.graphql.auth.types import User
from edxelera_gql.graphql.context import Context


async def me_of(ctx: Context) -> User | None:
    viewer = ctx.viewer
    if viewer is None:
        return None
    async with ctx.sessionmaker() as session:
        user = await accounts.find_user(session, viewer.user_id, viewer.roles)
    return User.from_facts(user) if user is not None else None


@strawberry.type
class AuthQuery:
    @strawberry.field(
        description="The signed-in user; null when anonymous (no `Authorization` header). A "
        "refused token is not anonymous: it answers HTTP 401 (TOKEN_EXPIRED, INVALID_TOKEN)."
    )
    async def me(self, info: Info[Context, None]) -> User | None:
        return await me_of(info.context)
