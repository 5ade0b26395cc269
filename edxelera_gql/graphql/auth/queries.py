"""`me`: the signed-in user, or null when anonymous."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth import accounts
from edxelera_gql.graphql.auth.types import User
from edxelera_gql.graphql.context import Context


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in user; null when anonymous.")
    async def me(self, info: Info[Context, None]) -> User | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        async with info.context.sessionmaker() as session:
            user = await accounts.find_user(session, viewer.user_id, viewer.roles)
        return User.from_facts(user) if user is not None else None
